"""<linux/netlink.h>: AF_NETLINK's protocols (the third argument of socket()).

NETLINK_SOCK_DIAG and the netlink message macros are with sock_diag
(csock/_cdefs/linux_sock_diag.py).
"""

INCLUDES = """
#include <linux/netlink.h>
"""

TYPES = """
#define NETLINK_ROUTE ...
#define NETLINK_USERSOCK ...
#define NETLINK_XFRM ...
#define NETLINK_CRYPTO ...
"""

# Numbers the kernel no longer uses (kept in its header as "unused"):
# exported only while the headers still define them (build_ffi.py).
OPTIONAL = """
NETLINK_FIREWALL NETLINK_NFLOG NETLINK_IP6_FW NETLINK_DNRTMSG
"""

FUNCTIONS = ""

CUSTOMIZATIONS = ""
