/*
 * servidor.c - the tutorial's server: greets each client and prints what it
 * sends.
 *
 *   Usage: servidor PORT [MAXCLIENTS]
 *
 * Listens on TCP PORT on every interface (PORT 0: the kernel picks one).
 * When ready it prints "Escuchando en el puerto N" on stderr. Clients are
 * served one after another: each one is greeted with "Bienvenido al
 * Eagle14!\n" (23 bytes, no NUL) and each block recv() returns is printed on
 * stdout as "> [IP]: DATA". Exits 0 after MAXCLIENTS clients, or on Ctrl-C.
 *
 * servidor.py is this program line by line in Python (csock.c).
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BACKLOG 2 /* connections waiting for accept() */
#define BIENVENIDA "Bienvenido al Eagle14!\n"

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

/* Ctrl-C (SIGINT) ends the server quietly with status 0; stdout is flushed
   after every line, so nothing is lost. The Python port catches
   KeyboardInterrupt instead (Python installs that handler itself). */
static void salir(int senal)
{
    (void)senal;
    _exit(0);
}

int main(int argc, char *argv[])
{
    int recsocket, recsock;
    struct sockaddr_in servidor, cliente;
    socklen_t lensckadd;
    int opcion = 1;
    char mensaje[1024];
    ssize_t recvresp;
    long puerto, maxclientes = -1, atendidos = 0;

    if (argc < 2 || argc > 3) {
        fprintf(stderr, "Uso: servidor PUERTO [MAXCLIENTES]\n");
        exit(1);
    }
    puerto = numero(argv[1], 65535);
    if (argc == 3)
        maxclientes = numero(argv[2], 2147483647);
    if (puerto == -1 || maxclientes == 0 || (argc == 3 && maxclientes == -1)) {
        fprintf(stderr, "Uso: servidor PUERTO [MAXCLIENTES]\n");
        exit(1);
    }

    /* Like Python, leave SIGINT ignored if we were started ignoring it
       (a background job of a non-interactive shell). */
    if (signal(SIGINT, SIG_IGN) != SIG_IGN)
        signal(SIGINT, salir);

    /* Create the socket: Internet (AF_INET), stream (TCP), default protocol. */
    if ((recsocket = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
        perror("socket");
        exit(1);
    }

    /* Let a restarted server bind the port again at once. */
    if (setsockopt(recsocket, SOL_SOCKET, SO_REUSEADDR, &opcion, sizeof(int)) == -1) {
        perror("setsockopt");
        exit(1);
    }

    /* Fill in the server's address: every interface, port in network order. */
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

    /* Which port did we get? (the kernel chose it if PORT was 0) */
    lensckadd = sizeof(servidor);
    if (getsockname(recsocket, (struct sockaddr *)&servidor, &lensckadd) == -1) {
        perror("getsockname");
        exit(1);
    }
    fprintf(stderr, "Escuchando en el puerto %d\n", ntohs(servidor.sin_port));
    fflush(stderr);

    /* Serve the clients one after another. */
    while (maxclientes == -1 || atendidos < maxclientes) {
        lensckadd = sizeof(cliente);
        if ((recsock = accept(recsocket, (struct sockaddr *)&cliente, &lensckadd)) == -1) {
            perror("accept");
            exit(1);
        }

        /* Greet it: the 23 bytes of the text, without the final NUL. */
        if (enviar_todo(recsock, BIENVENIDA, sizeof(BIENVENIDA) - 1) == -1) {
            perror("send");
            exit(1);
        }

        /* Print what it sends until it hangs up (recv() returns 0). */
        while ((recvresp = recv(recsock, mensaje, sizeof(mensaje), 0)) != 0) {
            if (recvresp == -1) {
                perror("recv");
                exit(1);
            }
            printf("> [%s]: ", inet_ntoa(cliente.sin_addr));
            fwrite(mensaje, 1, (size_t)recvresp, stdout);
            fflush(stdout);
        }

        if (close(recsock) == -1) {
            perror("close");
            exit(1);
        }
        atendidos++;
    }

    if (close(recsocket) == -1) {
        perror("close");
        exit(1);
    }
    return 0;
}
