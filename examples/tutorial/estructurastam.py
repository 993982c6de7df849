"""estructurastam.py - estructurastam.c in Python, through csock.c.

    Usage: python estructurastam.py

Prints the sizes of struct sockaddr and struct sockaddr_in, to show they match
(16 bytes each on Linux).
"""

import sys

from csock.c import *


def main(argc, argv):
    if argc != 1:
        sys.stderr.write("Uso: estructurastam\n")
        sys.exit(1)
    sys.stdout.write(f"Sockaddr: {sizeof('struct sockaddr')} bytes"
                     f" y Sockaddr_in: {sizeof('struct sockaddr_in')} bytes\n")
    return 0


if __name__ == "__main__":
    sys.exit(main(len(sys.argv), sys.argv))
