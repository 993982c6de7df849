"""<poll.h>: waiting on many descriptors."""

INCLUDES = """
#include <poll.h>
"""

TYPES = """
typedef int... nfds_t;

struct pollfd {
    int fd;
    short events;
    short revents;
    ...;
};

#define POLLIN ...
#define POLLPRI ...
#define POLLOUT ...
#define POLLERR ...
#define POLLHUP ...
#define POLLNVAL ...
"""

FUNCTIONS = """
int poll(struct pollfd *fds, nfds_t nfds, int timeout);
"""

CUSTOMIZATIONS = ""
