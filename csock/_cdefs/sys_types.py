"""<sys/types.h>: integer typedefs whose width the compiler decides."""

INCLUDES = """
#include <sys/types.h>
#include <stdint.h>
"""

TYPES = """
typedef int... ssize_t;
typedef int... off_t;
typedef int... mode_t;
typedef int... pid_t;
typedef int... uid_t;
typedef int... gid_t;
typedef int... time_t;
typedef int... suseconds_t;
"""

FUNCTIONS = ""

CUSTOMIZATIONS = ""
