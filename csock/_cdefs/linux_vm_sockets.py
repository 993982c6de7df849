"""<linux/vm_sockets.h>: AF_VSOCK's addresses and options (virtual machine sockets)."""

# <sys/ioctl.h>: _IO(), which IOCTL_VM_SOCKETS_GET_LOCAL_CID expands to.
INCLUDES = """
#include <sys/ioctl.h>
#include <linux/vm_sockets.h>
"""

TYPES = """
#define SO_VM_SOCKETS_BUFFER_SIZE ...
#define SO_VM_SOCKETS_BUFFER_MIN_SIZE ...
#define SO_VM_SOCKETS_BUFFER_MAX_SIZE ...
#define VMADDR_CID_ANY ...
#define VMADDR_CID_HOST ...
#define VMADDR_PORT_ANY ...
#define VM_SOCKETS_INVALID_VERSION ...
"""

# Not sure to be in Linux 4.18's headers (build_ffi.py).
OPTIONAL = """
IOCTL_VM_SOCKETS_GET_LOCAL_CID
"""

FUNCTIONS = ""

CUSTOMIZATIONS = ""
