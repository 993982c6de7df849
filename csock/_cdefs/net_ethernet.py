"""<net/ethernet.h> and the <linux/if_ether.h> it includes: Ethernet frame types.

ETH_P_ALL is the protocol of an AF_PACKET socket that receives every frame
(in network byte order: ``htons(ETH_P_ALL)``).
"""

INCLUDES = """
#include <net/ethernet.h>
#include <linux/if_ether.h>
"""

TYPES = """
#define ETHERTYPE_IP ...
#define ETHERTYPE_ARP ...
#define ETHERTYPE_IPV6 ...
#define ETHERTYPE_VLAN ...
#define ETH_P_ALL ...
"""

FUNCTIONS = ""

CUSTOMIZATIONS = ""
