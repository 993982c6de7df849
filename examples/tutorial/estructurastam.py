"""estructurastam.py - estructurastam.c in Python, through csock.c.

    Usage: python estructurastam.py

Prints the sizes of struct sockaddr and struct sockaddr_in, to show they match
(16 bytes each on Linux).
"""

import sys

from csock.c import *


def main(argc, argv):
    if argc != 1:
        print("Uso: estructurastam", file=sys.stderr)
        sys.exit(1)
    print(f"Sockaddr: {sizeof('struct sockaddr')} bytes"
          f" y Sockaddr_in: {sizeof('struct sockaddr_in')} bytes")
    return 0


if __name__ == "__main__":
    sys.exit(main(len(sys.argv), sys.argv))
