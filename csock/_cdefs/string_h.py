"""<string.h> and <strings.h>: memory filling and copying, lengths, error text, and
C's string functions (copying, joining, comparing, searching, splitting)."""

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
char *strcpy(char *dest, const char *src);
char *strncpy(char *dest, const char *src, size_t n);
char *strcat(char *dest, const char *src);
char *strncat(char *dest, const char *src, size_t n);
int strcmp(const char *s1, const char *s2);
int strncmp(const char *s1, const char *s2, size_t n);
char *strchr(const char *s, int c);
char *strrchr(const char *s, int c);
char *strstr(const char *haystack, const char *needle);
char *strtok(char *str, const char *delim);
char *strtok_r(char *str, const char *delim, char **saveptr);
char *strdup(const char *s);
void *memchr(const void *s, int c, size_t n);
"""

CUSTOMIZATIONS = ""
