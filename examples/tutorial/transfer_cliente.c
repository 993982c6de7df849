/*
 * transfer_cliente.c - TransferFile's client: saves what the server sends.
 *
 *   Usage: transfer_cliente HOST PORT OUTFILE
 *
 * HOST is resolved with gethostbyname(). After connecting, OUTFILE is created
 * (or truncated, mode 0644) and every block recv() returns is written to it
 * until the server closes the connection.
 *
 * transfer_cliente.py is this program line by line in Python (csock.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define BLOQUE 1024 /* size of the receive buffer */

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

/* Write all longitud bytes: write() may write fewer than asked. */
static int escribir_todo(int fd, const char *datos, size_t longitud)
{
    size_t escritos = 0;
    while (escritos < longitud) {
        ssize_t n = write(fd, datos + escritos, longitud - escritos);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        escritos += (size_t)n;
    }
    return 0;
}

int main(int argc, char *argv[])
{
    int fd, outcriptor;
    struct hostent *he;
    struct sockaddr_in servidor;
    char blockB[BLOQUE];
    ssize_t sizebytes;
    long puerto;

    if (argc != 4 || (puerto = numero(argv[2], 65535)) == -1) {
        fprintf(stderr, "Uso: transfer_cliente HOST PUERTO FICHERO\n");
        exit(1);
    }

    if ((he = gethostbyname(argv[1])) == NULL) {
        herror("gethostbyname");
        exit(1);
    }

    if ((fd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
        perror("socket");
        exit(1);
    }

    memset(&servidor, 0, sizeof(servidor));
    servidor.sin_family = AF_INET;
    servidor.sin_port = htons((unsigned short)puerto);
    servidor.sin_addr = *((struct in_addr *)he->h_addr);

    if (connect(fd, (struct sockaddr *)&servidor, sizeof(struct sockaddr)) == -1) {
        perror("connect");
        exit(1);
    }

    /* Create (or empty) the destination file. */
    if ((outcriptor = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644)) == -1) {
        perror("open");
        exit(1);
    }

    /* Write each block received until the server closes (recv() returns 0). */
    while ((sizebytes = recv(fd, blockB, sizeof(blockB), 0)) != 0) {
        if (sizebytes == -1) {
            if (errno == EINTR)
                continue;
            perror("recv");
            exit(1);
        }
        if (escribir_todo(outcriptor, blockB, (size_t)sizebytes) == -1) {
            perror("write");
            exit(1);
        }
    }

    if (close(outcriptor) == -1) {
        perror("close");
        exit(1);
    }
    if (close(fd) == -1) {
        perror("close");
        exit(1);
    }
    return 0;
}
