"""<stdio.h>: perror(), C's streams (stdin, stdout, stderr, fopen) and the printf
family (variadic: csock.c's wrappers cast each argument to the type its
conversion expects, then call glibc's own function)."""

INCLUDES = """
#include <stdio.h>
"""

TYPES = """
typedef ... FILE;
#define EOF ...
#define BUFSIZ ...
#define _IONBF ...
#define _IOLBF ...
#define _IOFBF ...
extern FILE *stdin;
extern FILE *stdout;
extern FILE *stderr;
"""

FUNCTIONS = """
void perror(const char *s);
int remove(const char *pathname);
int printf(const char *format, ...);
int fprintf(FILE *stream, const char *format, ...);
int sprintf(char *str, const char *format, ...);
int snprintf(char *str, size_t size, const char *format, ...);
int puts(const char *s);
int putchar(int c);
int fputs(const char *s, FILE *stream);
int fflush(FILE *stream);
int setvbuf(FILE *stream, char *buf, int mode, size_t size);
FILE *fopen(const char *pathname, const char *mode);
int fclose(FILE *stream);
int fileno(FILE *stream);
char *fgets(char *s, int size, FILE *stream);
ssize_t getline(char **lineptr, size_t *n, FILE *stream);
int fgetc(FILE *stream);
int getchar(void);
int fputc(int c, FILE *stream);
size_t fread(void *ptr, size_t size, size_t nmemb, FILE *stream);
size_t fwrite(const void *ptr, size_t size, size_t nmemb, FILE *stream);
int feof(FILE *stream);
int ferror(FILE *stream);
void clearerr(FILE *stream);
"""

CUSTOMIZATIONS = ""
