"""<netinet/udp.h>: the UDP socket-option level."""

INCLUDES = """
#include <netinet/udp.h>
"""

TYPES = """
#define SOL_UDP ...
"""

FUNCTIONS = ""

CUSTOMIZATIONS = ""
