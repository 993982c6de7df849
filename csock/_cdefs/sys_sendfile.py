"""<sys/sendfile.h>: zero-copy file -> socket transfer (Linux)."""

INCLUDES = """
#include <sys/sendfile.h>
"""

TYPES = ""

FUNCTIONS = """
ssize_t sendfile(int out_fd, int in_fd, off_t *offset, size_t count);
"""

CUSTOMIZATIONS = ""
