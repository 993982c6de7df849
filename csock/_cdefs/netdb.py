"""<netdb.h>: name resolution, old (gethostbyname) and new (getaddrinfo)."""

INCLUDES = """
#include <netdb.h>
"""

TYPES = """
struct hostent {
    char *h_name;
    char **h_aliases;
    int h_addrtype;
    int h_length;
    char **h_addr_list;
    ...;
};

struct servent {
    char *s_name;
    char **s_aliases;
    int s_port;
    char *s_proto;
    ...;
};

struct protoent {
    char *p_name;
    char **p_aliases;
    int p_proto;
    ...;
};

struct addrinfo {
    int ai_flags;
    int ai_family;
    int ai_socktype;
    int ai_protocol;
    socklen_t ai_addrlen;
    struct sockaddr *ai_addr;
    char *ai_canonname;
    struct addrinfo *ai_next;
    ...;
};

#define AI_PASSIVE ...
#define AI_CANONNAME ...
#define AI_NUMERICHOST ...
#define AI_NUMERICSERV ...
#define AI_V4MAPPED ...
#define AI_ALL ...
#define AI_ADDRCONFIG ...

#define EAI_AGAIN ...
#define EAI_BADFLAGS ...
#define EAI_FAIL ...
#define EAI_FAMILY ...
#define EAI_MEMORY ...
#define EAI_NONAME ...
#define EAI_SERVICE ...
#define EAI_SOCKTYPE ...
#define EAI_SYSTEM ...
#define EAI_OVERFLOW ...
#define EAI_ADDRFAMILY ...
#define EAI_NODATA ...

#define NI_NUMERICHOST ...
#define NI_NUMERICSERV ...
#define NI_NOFQDN ...
#define NI_NAMEREQD ...
#define NI_DGRAM ...
#define NI_IDN ...
#define NI_MAXHOST ...
#define NI_MAXSERV ...

#define HOST_NOT_FOUND ...
#define TRY_AGAIN ...
#define NO_RECOVERY ...
#define NO_DATA ...
#define NO_ADDRESS ...
"""

FUNCTIONS = """
struct hostent *gethostbyname(const char *name);
struct hostent *gethostbyaddr(const void *addr, socklen_t len, int type);
struct servent *getservbyname(const char *name, const char *proto);
struct servent *getservbyport(int port, const char *proto);
struct protoent *getprotobyname(const char *name);
int getaddrinfo(const char *node, const char *service,
                const struct addrinfo *hints, struct addrinfo **res);
void freeaddrinfo(struct addrinfo *res);
const char *gai_strerror(int errcode);
int getnameinfo(const struct sockaddr *addr, socklen_t addrlen,
                char *host, socklen_t hostlen,
                char *serv, socklen_t servlen, int flags);
void herror(const char *s);
const char *hstrerror(int err);

/* Macros made functions (see CUSTOMIZATIONS). */
char *csock_h_addr(const struct hostent *h);
int csock_h_errno(void);
void csock_set_h_errno(int value);
"""

CUSTOMIZATIONS = """
/* h_addr is a macro for h_addr_list[0] (NULL for a NULL hostent, rather
   than a crash); h_errno is a thread-local lvalue. */
static char *csock_h_addr(const struct hostent *h)
{ return h ? h->h_addr_list[0] : NULL; }
static int csock_h_errno(void) { return h_errno; }
static void csock_set_h_errno(int value) { h_errno = value; }
"""
