"""<sys/time.h>: struct timeval (select timeouts, SO_RCVTIMEO)."""

INCLUDES = """
#include <sys/time.h>
"""

TYPES = """
struct timeval {
    time_t tv_sec;
    suseconds_t tv_usec;
    ...;
};
"""

FUNCTIONS = ""

CUSTOMIZATIONS = ""
