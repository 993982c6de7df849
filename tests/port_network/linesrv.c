/*
 * linesrv.c - an iterative line-counting server in Kerrisk's style (TLPI):
 * getaddrinfo() with AI_PASSIVE, SO_REUSEADDR, readLine() a byte at a time,
 * getnameinfo() for the peer's address.
 *
 *   Usage: linesrv HOST PORT MAXCLIENTS
 *
 * Prints "linesrv: waiting for connections on port N" on stderr. For each
 * client: "connection from HOST" and each line it sends (as "line N: TEXT")
 * on stdout; at the client's end of stream it answers one line, "LINES
 * lines, BYTES bytes, sum SUM\n" (SUM: the bytes' values added as unsigned
 * char, modulo 65536). Exits 0 after MAXCLIENTS clients.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <netdb.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define BACKLOG 50
#define LINE_MAX_LEN 64
#define ADDRSTRLEN (NI_MAXHOST + NI_MAXSERV + 10)

static void errExit(const char *msg)
{
    perror(msg);
    exit(EXIT_FAILURE);
}

/* Read characters from 'fd' until a newline is encountered. If a newline
   character is not encountered in the first (n - 1) bytes, then the excess
   characters are discarded. The returned string placed in 'buf' is
   null-terminated and includes the newline character if it was read in the
   first (n - 1) bytes. The function return value is the number of bytes
   placed in buffer (which includes the newline character if encountered,
   but excludes the terminating null byte). */
static ssize_t readLine(int fd, void *buffer, size_t n)
{
    ssize_t numRead; /* # of bytes fetched by last read() */
    size_t totRead;  /* Total bytes read so far */
    char *buf;
    char ch;

    if (n <= 0 || buffer == NULL) {
        errno = EINVAL;
        return -1;
    }

    buf = buffer; /* No pointer arithmetic on "void *" */

    totRead = 0;
    for (;;) {
        numRead = read(fd, &ch, 1);

        if (numRead == -1) {
            if (errno == EINTR) /* Interrupted --> restart read() */
                continue;
            else
                return -1; /* Some other error */

        } else if (numRead == 0) { /* EOF */
            if (totRead == 0)      /* No bytes read; return 0 */
                return 0;
            else /* Some bytes read; add '\0' */
                break;

        } else { /* 'numRead' must be 1 if we get here */
            if (totRead < n - 1) { /* Discard > (n - 1) bytes */
                totRead++;
                *buf++ = ch;
            }

            if (ch == '\n')
                break;
        }
    }

    *buf = '\0';
    return totRead;
}

static char *inetAddressStr(const struct sockaddr *addr, socklen_t addrlen,
                            char *addrStr, int addrStrLen)
{
    char host[NI_MAXHOST], service[NI_MAXSERV];

    if (getnameinfo(addr, addrlen, host, NI_MAXHOST, service, NI_MAXSERV,
                    NI_NUMERICHOST | NI_NUMERICSERV) == 0)
        snprintf(addrStr, addrStrLen, "%s", host);
    else
        snprintf(addrStr, addrStrLen, "?UNKNOWN?");

    return addrStr;
}

int main(int argc, char *argv[])
{
    struct addrinfo hints;
    struct addrinfo *result, *rp;
    struct sockaddr_storage claddr;
    socklen_t addrlen;
    int lfd, cfd, optval, s, served, maxclients;
    unsigned int lines, sum;
    size_t bytes, k;
    ssize_t numRead;
    char line[LINE_MAX_LEN], reply[100];
    char addrStr[ADDRSTRLEN];

    if (argc != 4 || strcmp(argv[1], "--help") == 0) {
        fprintf(stderr, "Usage: %s host port maxclients\n", "linesrv");
        exit(EXIT_FAILURE);
    }
    maxclients = atoi(argv[3]);

    memset(&hints, 0, sizeof(struct addrinfo));
    hints.ai_canonname = NULL;
    hints.ai_addr = NULL;
    hints.ai_next = NULL;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_family = AF_UNSPEC; /* Allows IPv4 or IPv6 */
    hints.ai_flags = AI_PASSIVE | AI_NUMERICSERV | AI_NUMERICHOST;

    s = getaddrinfo(argv[1], argv[2], &hints, &result);
    if (s != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(s));
        exit(EXIT_FAILURE);
    }

    optval = 1;
    for (rp = result; rp != NULL; rp = rp->ai_next) {
        lfd = socket(rp->ai_family, rp->ai_socktype, rp->ai_protocol);
        if (lfd == -1)
            continue; /* On error, try next address */

        if (setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &optval, sizeof(optval)) == -1)
            errExit("setsockopt");

        if (bind(lfd, rp->ai_addr, rp->ai_addrlen) == 0)
            break; /* Success */

        /* bind() failed: close this socket and try next address */
        close(lfd);
    }

    if (rp == NULL) {
        fprintf(stderr, "Could not bind socket to any address\n");
        exit(EXIT_FAILURE);
    }

    if (listen(lfd, BACKLOG) == -1)
        errExit("listen");

    freeaddrinfo(result);

    addrlen = sizeof(struct sockaddr_storage);
    if (getsockname(lfd, (struct sockaddr *) &claddr, &addrlen) == -1)
        errExit("getsockname");
    if (getnameinfo((struct sockaddr *) &claddr, addrlen, NULL, 0, addrStr,
                    sizeof(addrStr), NI_NUMERICSERV) != 0)
        errExit("getnameinfo");
    fprintf(stderr, "linesrv: waiting for connections on port %s\n", addrStr);

    for (served = 0; served < maxclients; served++) {
        addrlen = sizeof(struct sockaddr_storage);
        cfd = accept(lfd, (struct sockaddr *) &claddr, &addrlen);
        if (cfd == -1) {
            perror("accept");
            continue;
        }
        printf("connection from %s\n",
               inetAddressStr((struct sockaddr *) &claddr, addrlen, addrStr, ADDRSTRLEN));

        lines = sum = 0;
        bytes = 0;
        while ((numRead = readLine(cfd, line, LINE_MAX_LEN)) > 0) {
            lines++;
            bytes += numRead;
            for (k = 0; k < (size_t) numRead; k++)
                sum = (sum + (unsigned char) line[k]) % 65536;
            if (line[numRead - 1] == '\n')
                line[numRead - 1] = '\0';
            printf("line %u: %s\n", lines, line);
        }
        if (numRead == -1)
            perror("readLine");

        snprintf(reply, sizeof(reply), "%u lines, %zu bytes, sum %u\n", lines, bytes, sum);
        if (write(cfd, reply, strlen(reply)) != (ssize_t) strlen(reply))
            fprintf(stderr, "Error on write");

        if (close(cfd) == -1) /* Close connection */
            errExit("close");
        fflush(stdout);
    }
    exit(EXIT_SUCCESS);
}
