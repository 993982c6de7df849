"""transfer_servidor.py - transfer_servidor.c line by line in Python, through csock.c.

    Usage: python transfer_servidor.py FILE PORT

FILE is opened before any socket exists, so a missing FILE fails early. Then
the server listens on PORT (0: the kernel picks one), prints "Escuchando en el
puerto N" on stderr, accepts one client, sends it FILE in blocks of 1024 bytes
and closes everything.
"""

import os
import sys

import csock.c as c
from csock.c import *

BACKLOG = 2  # connections waiting for accept()
BLOQUE = 1024  # bytes read from FILE and sent at a time


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
        # MSG_NOSIGNAL: a vanished client gives EPIPE (as in transfer_servidor.c).
        n = send(fd, datos + enviados, longitud - enviados, MSG_NOSIGNAL)
        if n == -1:
            if c.errno == EINTR:
                continue
            return -1
        enviados += n
    return 0


def main(argc, argv):
    servidor = new("struct sockaddr_in *")
    cliente = new("struct sockaddr_in *")
    lensckadd = new("socklen_t *")
    opcion = new("int *", 1)
    mensaje = new("char[]", BLOQUE)

    if argc != 3 or (puerto := numero(argv[2], 65535)) == -1:
        sys.stderr.write("Uso: transfer_servidor FICHERO PUERTO\n")
        sys.exit(1)

    # Open the file first: no socket is created if it cannot be read.
    if (descriptor := open(os.fsencode(argv[1]), O_RDONLY)) == -1:
        perror(b"open")
        sys.exit(1)

    if (recsocket := socket(AF_INET, SOCK_STREAM, 0)) == -1:
        perror(b"socket")
        sys.exit(1)

    if setsockopt(recsocket, SOL_SOCKET, SO_REUSEADDR, opcion, sizeof("int")) == -1:
        perror(b"setsockopt")
        sys.exit(1)

    memset(servidor, 0, sizeof(servidor[0]))
    servidor.sin_family = AF_INET
    servidor.sin_port = htons(puerto)
    servidor.sin_addr.s_addr = htonl(INADDR_ANY)

    if bind(recsocket, cast("struct sockaddr *", servidor), sizeof("struct sockaddr")) == -1:
        perror(b"bind")
        sys.exit(1)

    if listen(recsocket, BACKLOG) == -1:
        perror(b"listen")
        sys.exit(1)

    lensckadd[0] = sizeof(servidor[0])
    if getsockname(recsocket, cast("struct sockaddr *", servidor), lensckadd) == -1:
        perror(b"getsockname")
        sys.exit(1)
    sys.stderr.write(f"Escuchando en el puerto {ntohs(servidor.sin_port)}\n")
    sys.stderr.flush()

    lensckadd[0] = sizeof(cliente[0])
    if (recsock := accept(recsocket, cast("struct sockaddr *", cliente), lensckadd)) == -1:
        perror(b"accept")
        sys.exit(1)

    # Read the file in blocks of 1024 bytes (the last one may be shorter)
    # and send each block whole.
    while (bytesread := read(descriptor, mensaje, BLOQUE)) != 0:
        if bytesread == -1:
            if c.errno == EINTR:
                continue
            perror(b"read")
            sys.exit(1)
        if enviar_todo(recsock, mensaje, bytesread) == -1:
            perror(b"send")
            sys.exit(1)

    if close(recsock) == -1:
        perror(b"close")
        sys.exit(1)
    if close(recsocket) == -1:
        perror(b"close")
        sys.exit(1)
    if close(descriptor) == -1:
        perror(b"close")
        sys.exit(1)
    return 0


if __name__ == "__main__":
    sys.exit(main(len(sys.argv), sys.argv))
