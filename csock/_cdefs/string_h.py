"""<string.h> and <strings.h>: memory filling and error text."""

INCLUDES = """
#include <string.h>
#include <strings.h>
"""

TYPES = ""

FUNCTIONS = """
void *memset(void *s, int c, size_t n);
void bzero(void *s, size_t n);
char *strerror(int errnum);
"""

CUSTOMIZATIONS = ""
