"""<sys/select.h>: select() and the FD_* macros, made functions."""

INCLUDES = """
#include <sys/select.h>
"""

TYPES = """
typedef struct { ...; } fd_set;

#define FD_SETSIZE ...
"""

FUNCTIONS = """
int select(int nfds, fd_set *readfds, fd_set *writefds, fd_set *exceptfds,
           struct timeval *timeout);

void csock_FD_ZERO(fd_set *set);
void csock_FD_SET(int fd, fd_set *set);
void csock_FD_CLR(int fd, fd_set *set);
int csock_FD_ISSET(int fd, fd_set *set);
"""

CUSTOMIZATIONS = """
/* The FD_* macros index an array without bounds checks: guard here, since a
   Python caller can pass any int. Out-of-range fds are ignored (FD_ISSET: 0). */
static void csock_FD_ZERO(fd_set *set) { FD_ZERO(set); }
static void csock_FD_SET(int fd, fd_set *set)
{ if (fd >= 0 && fd < FD_SETSIZE) FD_SET(fd, set); }
static void csock_FD_CLR(int fd, fd_set *set)
{ if (fd >= 0 && fd < FD_SETSIZE) FD_CLR(fd, set); }
static int csock_FD_ISSET(int fd, fd_set *set)
{ return (fd >= 0 && fd < FD_SETSIZE) ? (FD_ISSET(fd, set) != 0) : 0; }
"""
