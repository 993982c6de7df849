"""<sys/uio.h>: scatter/gather buffers used by sendmsg and recvmsg."""

INCLUDES = """
#include <sys/uio.h>
"""

TYPES = """
struct iovec {
    void *iov_base;
    size_t iov_len;
    ...;
};
"""

FUNCTIONS = ""

CUSTOMIZATIONS = ""
