"""<arpa/inet.h>: text <-> binary address conversion."""

INCLUDES = """
#include <arpa/inet.h>
"""

TYPES = ""

FUNCTIONS = """
in_addr_t inet_addr(const char *cp);
int inet_aton(const char *cp, struct in_addr *inp);
char *inet_ntoa(struct in_addr in);
int inet_pton(int af, const char *src, void *dst);
const char *inet_ntop(int af, const void *src, char *dst, socklen_t size);
"""

CUSTOMIZATIONS = ""
