/*
 * transfer_servidor.c - TransferFile's server: sends one file to the first
 * client that connects.
 *
 *   Usage: transfer_servidor FILE PORT
 *
 * FILE is opened before any socket exists, so a missing FILE fails early.
 * Then the server listens on PORT (0: the kernel picks one), prints
 * "Escuchando en el puerto N" on stderr, accepts one client, sends it FILE
 * in blocks of 1024 bytes and closes everything.
 *
 * transfer_servidor.py is this program line by line in Python (csock.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define BACKLOG 2  /* connections waiting for accept() */
#define BLOQUE 1024 /* bytes read from FILE and sent at a time */

/* A decimal number with only the digits 0-9, up to maximo; -1 otherwise. */
static long numero(const char *texto, long maximo)
{
    long valor = 0;
    if (*texto == '\0')
        return -1;
    for (; *texto != '\0'; texto++) {
        if (*texto < '0' || *texto > '9')
            return -1;
        valor = valor * 10 + (*texto - '0');
        if (valor > maximo)
            return -1;
    }
    return valor;
}

/* Send all longitud bytes: send() may send fewer than asked. */
static int enviar_todo(int fd, const char *datos, size_t longitud)
{
    size_t enviados = 0;
    while (enviados < longitud) {
        /* MSG_NOSIGNAL: a vanished client gives EPIPE, not a SIGPIPE death
           (Python ignores SIGPIPE, so the port behaves the same). */
        ssize_t n = send(fd, datos + enviados, longitud - enviados, MSG_NOSIGNAL);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        enviados += (size_t)n;
    }
    return 0;
}

int main(int argc, char *argv[])
{
    int descriptor, recsocket, recsock;
    struct sockaddr_in servidor, cliente;
    socklen_t lensckadd;
    int opcion = 1;
    char mensaje[BLOQUE];
    ssize_t bytesread;
    long puerto;

    if (argc != 3 || (puerto = numero(argv[2], 65535)) == -1) {
        fprintf(stderr, "Uso: transfer_servidor FICHERO PUERTO\n");
        exit(1);
    }

    /* Open the file first: no socket is created if it cannot be read. */
    if ((descriptor = open(argv[1], O_RDONLY)) == -1) {
        perror("open");
        exit(1);
    }

    if ((recsocket = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
        perror("socket");
        exit(1);
    }

    if (setsockopt(recsocket, SOL_SOCKET, SO_REUSEADDR, &opcion, sizeof(int)) == -1) {
        perror("setsockopt");
        exit(1);
    }

    memset(&servidor, 0, sizeof(servidor));
    servidor.sin_family = AF_INET;
    servidor.sin_port = htons((unsigned short)puerto);
    servidor.sin_addr.s_addr = htonl(INADDR_ANY);

    if (bind(recsocket, (struct sockaddr *)&servidor, sizeof(struct sockaddr)) == -1) {
        perror("bind");
        exit(1);
    }

    if (listen(recsocket, BACKLOG) == -1) {
        perror("listen");
        exit(1);
    }

    lensckadd = sizeof(servidor);
    if (getsockname(recsocket, (struct sockaddr *)&servidor, &lensckadd) == -1) {
        perror("getsockname");
        exit(1);
    }
    fprintf(stderr, "Escuchando en el puerto %d\n", ntohs(servidor.sin_port));
    fflush(stderr);

    lensckadd = sizeof(cliente);
    if ((recsock = accept(recsocket, (struct sockaddr *)&cliente, &lensckadd)) == -1) {
        perror("accept");
        exit(1);
    }

    /* Read the file in blocks of 1024 bytes (the last one may be shorter)
       and send each block whole. */
    while ((bytesread = read(descriptor, mensaje, BLOQUE)) != 0) {
        if (bytesread == -1) {
            if (errno == EINTR)
                continue;
            perror("read");
            exit(1);
        }
        if (enviar_todo(recsock, mensaje, (size_t)bytesread) == -1) {
            perror("send");
            exit(1);
        }
    }

    if (close(recsock) == -1) {
        perror("close");
        exit(1);
    }
    if (close(recsocket) == -1) {
        perror("close");
        exit(1);
    }
    if (close(descriptor) == -1) {
        perror("close");
        exit(1);
    }
    return 0;
}
