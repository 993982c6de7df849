/*
 * streamclient.c - sends a message to an echo server and prints the answer.
 *
 *   Usage: streamclient HOST PORT MESSAGE
 *
 * Tries each address getaddrinfo() gives for HOST and PORT until one
 * connects, prints "streamclient: connecting to ADDRESS", sends MESSAGE,
 * shuts down its sending side and prints everything the server sends back
 * as "streamclient: received 'TEXT'". Works with streamserver and forkserver.
 *
 * streamclient.py is this program line by line in Python (csock.c).
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

#define MAXDATASIZE 256 /* the longest answer we keep */

/* The address inside a sockaddr, IPv4 or IPv6. */
static void *get_in_addr(struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return &(((struct sockaddr_in *)sa)->sin_addr);
    return &(((struct sockaddr_in6 *)sa)->sin6_addr);
}

/* Send all *len bytes; on return *len is how many went out. */
static int sendall(int s, const char *buf, size_t *len)
{
    size_t total = 0;        /* bytes sent so far */
    size_t bytesleft = *len; /* bytes still to send */
    ssize_t n = 0;

    while (total < *len) {
        n = send(s, buf + total, bytesleft, 0);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            break;
        }
        total += (size_t)n;
        bytesleft -= (size_t)n;
    }
    *len = total;
    return n == -1 ? -1 : 0;
}

int main(int argc, char *argv[])
{
    int sockfd = -1;
    struct addrinfo hints, *servinfo, *p;
    char s[INET6_ADDRSTRLEN];
    char buf[MAXDATASIZE];
    size_t got = 0, len;
    ssize_t numbytes;
    int rv;

    if (argc != 4) {
        fprintf(stderr, "usage: streamclient HOST PORT MESSAGE\n");
        exit(1);
    }

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;

    if ((rv = getaddrinfo(argv[1], argv[2], &hints, &servinfo)) != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
        return 1;
    }

    /* Connect to the first address that answers. */
    for (p = servinfo; p != NULL; p = p->ai_next) {
        if ((sockfd = socket(p->ai_family, p->ai_socktype, p->ai_protocol)) == -1) {
            perror("streamclient: socket");
            continue;
        }

        if (connect(sockfd, p->ai_addr, p->ai_addrlen) == -1) {
            int saved_errno = errno; /* close() may change errno */
            close(sockfd);
            errno = saved_errno;
            perror("streamclient: connect");
            continue;
        }

        break;
    }

    if (p == NULL) {
        fprintf(stderr, "streamclient: failed to connect\n");
        return 2;
    }

    inet_ntop(p->ai_family, get_in_addr((struct sockaddr *)p->ai_addr), s, sizeof s);
    printf("streamclient: connecting to %s\n", s);
    fflush(stdout);

    freeaddrinfo(servinfo); /* done with the list */

    len = strlen(argv[3]);
    if (sendall(sockfd, argv[3], &len) == -1) {
        perror("sendall");
        exit(1);
    }
    /* No more to send: the server sees the end and finishes its echo. */
    if (shutdown(sockfd, SHUT_WR) == -1) {
        perror("shutdown");
        exit(1);
    }

    /* Keep what fits, leaving room for the final '\0'. */
    while (got < MAXDATASIZE - 1
           && (numbytes = recv(sockfd, buf + got, MAXDATASIZE - 1 - got, 0)) != 0) {
        if (numbytes == -1) {
            perror("recv");
            exit(1);
        }
        got += (size_t)numbytes;
    }
    buf[got] = '\0';

    printf("streamclient: received '%s'\n", buf);

    close(sockfd);
    return 0;
}
