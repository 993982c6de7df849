"""<stdlib.h>: C's own heap, numbers from text, the environment, exit."""

INCLUDES = """
#include <stdlib.h>
#include <limits.h>
"""

TYPES = """
#define EXIT_SUCCESS ...
#define EXIT_FAILURE ...
#define PATH_MAX ...
"""

FUNCTIONS = """
void *malloc(size_t size);
void *calloc(size_t nmemb, size_t size);
void *realloc(void *ptr, size_t size);
void free(void *ptr);
int atoi(const char *nptr);
long atol(const char *nptr);
long strtol(const char *nptr, char **endptr, int base);
unsigned long strtoul(const char *nptr, char **endptr, int base);
char *getenv(const char *name);
char *realpath(const char *path, char *resolved_path);
void exit(int status);
void _exit(int status);
"""

CUSTOMIZATIONS = ""
