/*
 * cliente.c - the tutorial's client: prints the server's greeting, then sends
 * it each line of standard input.
 *
 *   Usage: cliente HOST PORT
 *
 * HOST is resolved with gethostbyname(). The greeting is the first 23 bytes
 * the server sends. Each line read from stdin is sent with its newline; at
 * the end of input the connection is closed and cliente exits 0.
 *
 * cliente.py is this program line by line in Python (csock.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define LARGO_BIENVENIDA 23 /* strlen("Bienvenido al Eagle14!\n") */

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
        /* MSG_NOSIGNAL: a vanished server gives EPIPE, not a SIGPIPE death
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
    int fd;
    struct hostent *he;
    struct sockaddr_in servidor;
    char bienvenida[LARGO_BIENVENIDA];
    size_t recibidos = 0;
    ssize_t n;
    char *linea = NULL;
    size_t tam = 0;
    ssize_t largo;
    long puerto;

    if (argc != 3 || (puerto = numero(argv[2], 65535)) == -1) {
        fprintf(stderr, "Uso: cliente HOST PUERTO\n");
        exit(1);
    }

    /* Resolve the host name to an address (127.0.0.1 needs no lookup). */
    if ((he = gethostbyname(argv[1])) == NULL) {
        herror("gethostbyname");
        exit(1);
    }

    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
        perror("socket");
        exit(1);
    }

    /* Fill in the server's address. */
    memset(&servidor, 0, sizeof(servidor));
    servidor.sin_family = AF_INET;
    servidor.sin_port = htons((unsigned short)puerto);
    servidor.sin_addr = *((struct in_addr *)he->h_addr);

    /* Connect to the server. */
    if (connect(fd, (struct sockaddr *)&servidor, sizeof(struct sockaddr)) == -1) {
        perror("connect");
        exit(1);
    }

    /* Receive the greeting: 23 bytes, maybe in several pieces. */
    while (recibidos < LARGO_BIENVENIDA) {
        n = recv(fd, bienvenida + recibidos, LARGO_BIENVENIDA - recibidos, 0);
        if (n == -1) {
            perror("recv");
            exit(1);
        }
        if (n == 0)
            break;
        recibidos += (size_t)n;
    }
    fwrite(bienvenida, 1, recibidos, stdout);
    fflush(stdout);

    /* Send each line of standard input, newline included. */
    while ((largo = getline(&linea, &tam, stdin)) != -1) {
        if (enviar_todo(fd, linea, (size_t)largo) == -1) {
            perror("send");
            exit(1);
        }
    }
    free(linea);

    if (close(fd) == -1) {
        perror("close");
        exit(1);
    }
    return 0;
}
