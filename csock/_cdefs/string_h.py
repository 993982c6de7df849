"""<string.h> and <strings.h>: memory filling and copying, lengths, error text."""

INCLUDES = """
#include <string.h>
#include <strings.h>
"""

TYPES = ""

FUNCTIONS = """
void *memset(void *s, int c, size_t n);
void *memcpy(void *dest, const void *src, size_t n);
void *memmove(void *dest, const void *src, size_t n);
int memcmp(const void *s1, const void *s2, size_t n);
size_t strlen(const char *s);
void bzero(void *s, size_t n);
char *strerror(int errnum);
"""

CUSTOMIZATIONS = ""
