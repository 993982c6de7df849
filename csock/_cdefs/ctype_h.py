"""<ctype.h>: character classes and case (csock.c wraps them to take b"x" too)."""

INCLUDES = """
#include <ctype.h>
"""

TYPES = ""

FUNCTIONS = """
int toupper(int c);
int tolower(int c);
int isdigit(int c);
int isspace(int c);
int isalpha(int c);
int isprint(int c);
"""

CUSTOMIZATIONS = ""
