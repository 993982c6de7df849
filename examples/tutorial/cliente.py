"""cliente.py - cliente.c line by line in Python, through csock.c.

    Usage: python cliente.py HOST PORT

HOST is resolved with gethostbyname(). The greeting is the first 23 bytes the
server sends. Each line read from stdin is sent with its newline; at the end
of input the connection is closed and cliente exits 0.
"""

import os
import sys

import csock.c as c
from csock.c import *

LARGO_BIENVENIDA = 23  # strlen("Bienvenido al Eagle14!\n")


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


def enviar_todo(fd, datos, longitud):
    """Send all longitud bytes: send() may send fewer than asked."""
    enviados = 0
    while enviados < longitud:
        # MSG_NOSIGNAL: a vanished server gives EPIPE (as in cliente.c).
        n = send(fd, datos + enviados, longitud - enviados, MSG_NOSIGNAL)
        if n == -1:
            if c.errno == EINTR:
                continue
            return -1
        enviados += n
    return 0


def main(argc, argv):
    servidor = new("struct sockaddr_in *")
    bienvenida = new("char[]", LARGO_BIENVENIDA)
    recibidos = 0

    if argc != 3 or (puerto := numero(argv[2], 65535)) == -1:
        sys.stderr.write("Uso: cliente HOST PUERTO\n")
        sys.exit(1)

    # Resolve the host name to an address (127.0.0.1 needs no lookup).
    if (he := gethostbyname(os.fsencode(argv[1]))) == NULL:
        herror(b"gethostbyname")
        sys.exit(1)

    if (fd := socket(AF_INET, SOCK_STREAM, 0)) == -1:
        perror(b"socket")
        sys.exit(1)

    # Fill in the server's address.
    memset(servidor, 0, sizeof(servidor[0]))
    servidor.sin_family = AF_INET
    servidor.sin_port = htons(puerto)
    servidor.sin_addr = cast("struct in_addr *", h_addr(he))[0]

    # Connect to the server.
    if connect(fd, cast("struct sockaddr *", servidor), sizeof("struct sockaddr")) == -1:
        perror(b"connect")
        sys.exit(1)

    # Receive the greeting: 23 bytes, maybe in several pieces.
    while recibidos < LARGO_BIENVENIDA:
        n = recv(fd, bienvenida + recibidos, LARGO_BIENVENIDA - recibidos, 0)
        if n == -1:
            perror(b"recv")
            sys.exit(1)
        if n == 0:
            break
        recibidos += n
    sys.stdout.buffer.write(buffer(bienvenida, recibidos))
    sys.stdout.buffer.flush()

    # Send each line of standard input, newline included.
    while (linea := sys.stdin.buffer.readline()) != b"":
        if enviar_todo(fd, from_buffer(linea), len(linea)) == -1:
            perror(b"send")
            sys.exit(1)

    if close(fd) == -1:
        perror(b"close")
        sys.exit(1)
    return 0


if __name__ == "__main__":
    sys.exit(main(len(sys.argv), sys.argv))
