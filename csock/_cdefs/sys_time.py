"""<sys/time.h>: struct timeval (select timeouts, SO_RCVTIMEO), gettimeofday;
<time.h>: struct timespec (recvmmsg's timeout), time and ctime (the daytime
servers of the classic books)."""

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

FUNCTIONS = """
time_t time(time_t *tloc);
char *ctime(const time_t *timep);
int gettimeofday(struct timeval *tv, void *tz);
"""

CUSTOMIZATIONS = ""
