"""servidor.py - servidor.c line by line in Python, through csock.c.

    Usage: python servidor.py PORT [MAXCLIENTS]

Listens on TCP PORT on every interface (PORT 0: the kernel picks one). When
ready it prints "Escuchando en el puerto N" on stderr. Clients are served one
after another: each one is greeted with "Bienvenido al Eagle14!\\n" (23 bytes,
no NUL) and each block recv() returns is printed on stdout as "> [IP]: DATA".
Exits 0 after MAXCLIENTS clients, or on Ctrl-C.
"""

import sys

import csock.c as c
from csock.c import *

BACKLOG = 2  # connections waiting for accept()
BIENVENIDA = new("char[]", b"Bienvenido al Eagle14!\n")


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
        # MSG_NOSIGNAL: a vanished client gives EPIPE (as in servidor.c).
        n = send(fd, datos + enviados, longitud - enviados, MSG_NOSIGNAL)
        if n == -1:
            if c.errno == EINTR:
                continue
            return -1
        enviados += n
    return 0


# Ctrl-C (SIGINT): servidor.c installs a handler that calls _exit(0); here
# Python turns it into KeyboardInterrupt, caught at the bottom of the file.


def main(argc, argv):
    maxclientes = -1
    atendidos = 0

    if argc < 2 or argc > 3:
        sys.stderr.write("Uso: servidor PUERTO [MAXCLIENTES]\n")
        sys.exit(1)
    puerto = numero(argv[1], 65535)
    if argc == 3:
        maxclientes = numero(argv[2], 2147483647)
    if puerto == -1 or maxclientes == 0 or (argc == 3 and maxclientes == -1):
        sys.stderr.write("Uso: servidor PUERTO [MAXCLIENTES]\n")
        sys.exit(1)

    servidor = new("struct sockaddr_in *")
    cliente = new("struct sockaddr_in *")
    lensckadd = new("socklen_t *")
    opcion = new("int *", 1)
    mensaje = new("char[]", 1024)

    # Create the socket: Internet (AF_INET), stream (TCP), default protocol.
    if (recsocket := socket(AF_INET, SOCK_STREAM, 0)) == -1:
        perror(b"socket")
        sys.exit(1)

    # Let a restarted server bind the port again at once.
    if setsockopt(recsocket, SOL_SOCKET, SO_REUSEADDR, opcion, sizeof("int")) == -1:
        perror(b"setsockopt")
        sys.exit(1)

    # Fill in the server's address: every interface, port in network order.
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

    # Which port did we get? (the kernel chose it if PORT was 0)
    lensckadd[0] = sizeof(servidor[0])
    if getsockname(recsocket, cast("struct sockaddr *", servidor), lensckadd) == -1:
        perror(b"getsockname")
        sys.exit(1)
    sys.stderr.write(f"Escuchando en el puerto {ntohs(servidor.sin_port)}\n")
    sys.stderr.flush()

    # Serve the clients one after another.
    while maxclientes == -1 or atendidos < maxclientes:
        lensckadd[0] = sizeof(cliente[0])
        if (recsock := accept(recsocket, cast("struct sockaddr *", cliente), lensckadd)) == -1:
            perror(b"accept")
            sys.exit(1)

        # Greet it: the 23 bytes of the text, without the final NUL.
        if enviar_todo(recsock, BIENVENIDA, sizeof(BIENVENIDA) - 1) == -1:
            perror(b"send")
            sys.exit(1)

        # Print what it sends until it hangs up (recv() returns 0).
        while (recvresp := recv(recsock, mensaje, sizeof(mensaje), 0)) != 0:
            if recvresp == -1:
                perror(b"recv")
                sys.exit(1)
            # printf + fwrite + fflush in C: one write(2) of the whole record.
            sys.stdout.buffer.write(
                b"> [%s]: %s" % (string(inet_ntoa(cliente.sin_addr)), buffer(mensaje, recvresp))
            )
            sys.stdout.buffer.flush()

        if close(recsock) == -1:
            perror(b"close")
            sys.exit(1)
        atendidos += 1

    if close(recsocket) == -1:
        perror(b"close")
        sys.exit(1)
    return 0


if __name__ == "__main__":
    try:
        sys.exit(main(len(sys.argv), sys.argv))
    except KeyboardInterrupt:
        sys.exit(0)
