"""transfer_cliente.py - transfer_cliente.c line by line in Python, through csock.c.

    Usage: python transfer_cliente.py HOST PORT OUTFILE

HOST is resolved with gethostbyname(). After connecting, OUTFILE is created (or
truncated, mode 0644) and every block recv() returns is written to it until the
server closes the connection.
"""

import os
import sys

import csock.c as c
from csock.c import *

BLOQUE = 1024  # size of the receive buffer


def numero(texto, maximo):
    """A decimal number with only the digits 0-9, up to maximo; -1 otherwise."""
    valor = 0
    if texto == "":
        return -1
    for cifra in texto:
        if cifra < "0" or cifra > "9":
            return -1
        valor = valor * 10 + (ord(cifra) - ord("0"))
        if valor > maximo:
            return -1
    return valor


def escribir_todo(fd, datos, longitud):
    """Write all longitud bytes: write() may write fewer than asked."""
    escritos = 0
    while escritos < longitud:
        n = write(fd, datos + escritos, longitud - escritos)
        if n == -1:
            if c.errno == EINTR:
                continue
            return -1
        escritos += n
    return 0


def main(argc, argv):
    servidor = new("struct sockaddr_in *")
    blockB = new("char[]", BLOQUE)

    if argc != 4 or (puerto := numero(argv[2], 65535)) == -1:
        sys.stderr.write("Uso: transfer_cliente HOST PUERTO FICHERO\n")
        sys.exit(1)

    if (he := gethostbyname(os.fsencode(argv[1]))) == NULL:
        herror(b"gethostbyname")
        sys.exit(1)

    if (fd := socket(AF_INET, SOCK_STREAM, 0)) == -1:
        perror(b"socket")
        sys.exit(1)

    memset(servidor, 0, sizeof(servidor[0]))
    servidor.sin_family = AF_INET
    servidor.sin_port = htons(puerto)
    servidor.sin_addr = cast("struct in_addr *", h_addr(he))[0]

    if connect(fd, cast("struct sockaddr *", servidor), sizeof("struct sockaddr")) == -1:
        perror(b"connect")
        sys.exit(1)

    # Create (or empty) the destination file.
    if (outcriptor := open(os.fsencode(argv[3]), O_WRONLY | O_CREAT | O_TRUNC, 0o644)) == -1:
        perror(b"open")
        sys.exit(1)

    # Write each block received until the server closes (recv() returns 0).
    while (sizebytes := recv(fd, blockB, sizeof(blockB), 0)) != 0:
        if sizebytes == -1:
            if c.errno == EINTR:
                continue
            perror(b"recv")
            sys.exit(1)
        if escribir_todo(outcriptor, blockB, sizebytes) == -1:
            perror(b"write")
            sys.exit(1)

    if close(outcriptor) == -1:
        perror(b"close")
        sys.exit(1)
    if close(fd) == -1:
        perror(b"close")
        sys.exit(1)
    return 0


if __name__ == "__main__":
    sys.exit(main(len(sys.argv), sys.argv))
