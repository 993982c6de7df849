/*
 * daytimesrv.c - Stevens' daytime server (UNP 1.5), with wrapper functions.
 *
 *   Usage: daytimesrv PORT MAXCLIENTS
 *
 * Listens on 127.0.0.1:PORT (0: the kernel picks; the port is printed on
 * stderr), writes ctime()'s line with "\r\n" to each client, and exits 0
 * after MAXCLIENTS clients.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define MAXLINE 4096
#define LISTENQ 1024
#define SA struct sockaddr

static void err_sys(const char *msg)
{
    perror(msg);
    exit(1);
}

static int Socket(int family, int type, int protocol)
{
    int n;

    if ((n = socket(family, type, protocol)) < 0)
        err_sys("socket error");
    return n;
}

static void Bind(int fd, const struct sockaddr *sa, socklen_t salen)
{
    if (bind(fd, sa, salen) < 0)
        err_sys("bind error");
}

static void Listen(int fd, int backlog)
{
    char *ptr;

    /* can override 2nd argument with environment variable */
    if ((ptr = getenv("LISTENQ")) != NULL)
        backlog = atoi(ptr);
    if (listen(fd, backlog) < 0)
        err_sys("listen error");
}

static int Accept(int fd, struct sockaddr *sa, socklen_t *salenptr)
{
    int n;

    while ((n = accept(fd, sa, salenptr)) < 0) {
        if (errno == EINTR || errno == ECONNABORTED)
            continue;
        err_sys("accept error");
    }
    return n;
}

static void Write(int fd, void *ptr, size_t nbytes)
{
    if (write(fd, ptr, nbytes) != (ssize_t)nbytes)
        err_sys("write error");
}

static void Close(int fd)
{
    if (close(fd) == -1)
        err_sys("close error");
}

int main(int argc, char **argv)
{
    int listenfd, connfd, i, maxclients;
    struct sockaddr_in servaddr, bound;
    socklen_t len;
    char buff[MAXLINE];
    time_t ticks;

    if (argc != 3) {
        fprintf(stderr, "usage: daytimesrv <port> <maxclients>\n");
        exit(1);
    }
    maxclients = atoi(argv[2]);

    listenfd = Socket(AF_INET, SOCK_STREAM, 0);

    bzero(&servaddr, sizeof(servaddr));
    servaddr.sin_family = AF_INET;
    servaddr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    servaddr.sin_port = htons(atoi(argv[1]));

    Bind(listenfd, (SA *) &servaddr, sizeof(servaddr));

    Listen(listenfd, LISTENQ);

    len = sizeof(bound);
    if (getsockname(listenfd, (SA *) &bound, &len) < 0)
        err_sys("getsockname error");
    fprintf(stderr, "daytimesrv: waiting for connections on port %d\n",
            ntohs(bound.sin_port));

    for (i = 0; i < maxclients; i++) {
        connfd = Accept(listenfd, (SA *) NULL, NULL);

        ticks = time(NULL);
        snprintf(buff, sizeof(buff), "%.24s\r\n", ctime(&ticks));
        Write(connfd, buff, strlen(buff));

        Close(connfd);
    }
    Close(listenfd);
    return 0;
}
