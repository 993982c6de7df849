"""<stdio.h>: perror()."""

INCLUDES = """
#include <stdio.h>
"""

TYPES = ""

FUNCTIONS = """
void perror(const char *s);
"""

CUSTOMIZATIONS = ""
