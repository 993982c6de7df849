"""<linux/can/j1939.h> (Linux 5.4): SAE J1939 over AF_CAN.

The header is newer than the Linux 4.18 headers csock builds with, and half
its constants are enum members, which ``#ifdef`` cannot see: every name here
is optional (build_ffi.py), present when ``__has_include`` finds the header.
"""

HEADER = "<linux/can/j1939.h>"

INCLUDES = """
#if defined(__has_include)
# if __has_include(<linux/can/j1939.h>)
#  include <linux/can/j1939.h>
#  define CSOCK_HAVE_LINUX_CAN_J1939_H 1
# endif
#endif
"""

TYPES = ""

OPTIONAL_IF = "defined(CSOCK_HAVE_LINUX_CAN_J1939_H)"

OPTIONAL = """
J1939_MAX_UNICAST_ADDR J1939_IDLE_ADDR J1939_NO_ADDR J1939_NO_NAME
J1939_PGN_REQUEST J1939_PGN_ADDRESS_CLAIMED J1939_PGN_ADDRESS_COMMANDED
J1939_PGN_PDU1_MAX J1939_PGN_MAX J1939_NO_PGN
SO_J1939_FILTER SO_J1939_PROMISC SO_J1939_SEND_PRIO SO_J1939_ERRQUEUE
SCM_J1939_DEST_ADDR SCM_J1939_DEST_NAME SCM_J1939_PRIO SCM_J1939_ERRQUEUE
J1939_NLA_PAD J1939_NLA_BYTES_ACKED
J1939_EE_INFO_NONE J1939_EE_INFO_TX_ABORT
J1939_FILTER_MAX
"""

FUNCTIONS = ""

CUSTOMIZATIONS = ""
