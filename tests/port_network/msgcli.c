/*
 * msgcli.c - a TCP client in the style of UNP's library: err_quit() and
 * err_sys() with a format and variable arguments (stdarg.h), the port
 * checked with strtol() and its end pointer, a table of messages ending in
 * NULL, struct initializers, SO_LINGER, getpeername() with inet_ntoa(), and
 * strchr() with a pointer difference.
 *
 *   Usage: msgcli IPADDRESS PORT [EXTRA]
 *
 * Sends each message of its table (and EXTRA) as a line, shuts down its
 * side, and prints the server's answer with the part before the first
 * comma underlined.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXLINE 256

static const char *msgs[] = {"first line", "second, with a comma", "", "last", NULL};

static void err_doit(int errnoflag, int error, const char *fmt, va_list ap)
{
    char buf[MAXLINE];

    vsnprintf(buf, MAXLINE - 1, fmt, ap);
    if (errnoflag)
        snprintf(buf + strlen(buf), MAXLINE - strlen(buf) - 1, ": %s", strerror(error));
    strcat(buf, "\n");
    fflush(stdout); /* in case stdout and stderr are the same */
    fputs(buf, stderr);
    fflush(NULL); /* flushes all stdio output streams */
}

static void err_quit(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_doit(0, 0, fmt, ap);
    va_end(ap);
    exit(1);
}

static void err_sys(const char *fmt, ...)
{
    va_list ap;

    va_start(ap, fmt);
    err_doit(1, errno, fmt, ap);
    va_end(ap);
    exit(1);
}

int main(int argc, char **argv)
{
    int sockfd, i;
    long port;
    char *end, *comma;
    const char **mp;
    char line[MAXLINE], answer[MAXLINE + 1];
    struct sockaddr_in servaddr = {0}, peer;
    socklen_t peerlen = sizeof(peer);
    struct linger lg = {1, 5};
    ssize_t n;
    size_t total = 0;

    if (argc != 3 && argc != 4)
        err_quit("usage: %s <IPaddress> <port> [extra]", "msgcli");

    errno = 0;
    port = strtol(argv[2], &end, 10);
    if (errno != 0 || *end != '\0' || end == argv[2] || port < 0 || port > 65535)
        err_quit("bad port: %s", argv[2]);

    servaddr.sin_family = AF_INET;
    servaddr.sin_port = htons((unsigned short) port);
    if (inet_pton(AF_INET, argv[1], &servaddr.sin_addr) != 1)
        err_quit("inet_pton error for %s", argv[1]);

    if ((sockfd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        err_sys("socket error");
    if (setsockopt(sockfd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)) < 0)
        err_sys("setsockopt SO_LINGER");
    if (connect(sockfd, (struct sockaddr *) &servaddr, sizeof(servaddr)) < 0)
        err_sys("connect error to port %ld", port);
    if (getpeername(sockfd, (struct sockaddr *) &peer, &peerlen) < 0)
        err_sys("getpeername error");
    printf("connected to %s\n", inet_ntoa(peer.sin_addr));

    for (mp = msgs, i = 0; *mp != NULL; mp++, i++) {
        snprintf(line, sizeof line, "%d %s\n", i, *mp);
        if (write(sockfd, line, strlen(line)) < 0)
            err_sys("write error");
    }
    if (argc == 4) {
        snprintf(line, sizeof line, "extra %s\n", argv[3]);
        write(sockfd, line, strlen(line));
    }
    shutdown(sockfd, SHUT_WR);

    while ((n = read(sockfd, answer + total, MAXLINE - total)) > 0)
        total += n;
    if (n < 0)
        err_sys("read error");
    answer[total] = '\0';

    comma = strchr(answer, ',');
    if (comma != NULL) {
        printf("%.*s\n", (int) (comma - answer), answer);
        for (i = 0; i < comma - answer; i++)
            putchar('^');
        printf("%s", comma);
    } else
        fputs(answer, stdout);
    close(sockfd);
    return 0;
}
