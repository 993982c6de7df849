"""<sys/time.h>: struct timeval (select timeouts, SO_RCVTIMEO); <time.h>: struct
timespec (recvmmsg's timeout)."""

INCLUDES = """
#include <sys/time.h>
#include <time.h>
"""

TYPES = """
struct timeval {
    time_t tv_sec;
    suseconds_t tv_usec;
    ...;
};

struct timespec {
    time_t tv_sec;
    long tv_nsec;
    ...;
};
"""

FUNCTIONS = ""

CUSTOMIZATIONS = ""
