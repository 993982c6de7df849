/*
 * streamserver.c - a TCP echo server found with getaddrinfo(), IPv4 or IPv6.
 *
 *   Usage: streamserver HOST PORT MAXCLIENTS
 *
 * Binds the first address getaddrinfo() gives for HOST and PORT (PORT 0: the
 * kernel picks one) and prints "streamserver: waiting for connections on
 * port N" on stderr. Clients are served one after another: each one's
 * address is printed on stdout, and everything it sends is sent back until it
 * shuts down its side. Exits 0 after MAXCLIENTS clients.
 *
 * streamserver.py is this program line by line in Python (csock.c).
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

#define BACKLOG 10     /* connections waiting for accept() */
#define MAXDATASIZE 256 /* bytes per recv() */

/* The address inside a sockaddr, IPv4 or IPv6. */
static void *get_in_addr(struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return &(((struct sockaddr_in *)sa)->sin_addr);
    return &(((struct sockaddr_in6 *)sa)->sin6_addr);
}

/* The port inside a sockaddr, in host order. */
static unsigned short get_in_port(struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return ntohs(((struct sockaddr_in *)sa)->sin_port);
    return ntohs(((struct sockaddr_in6 *)sa)->sin6_port);
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
    int sockfd, new_fd;
    struct addrinfo hints, *servinfo, *p;
    struct sockaddr_storage their_addr; /* big enough for any address */
    socklen_t sin_size;
    int yes = 1;
    char s[INET6_ADDRSTRLEN];
    char buf[MAXDATASIZE];
    ssize_t numbytes;
    size_t len;
    int rv, served, maxclients;

    if (argc != 4 || (maxclients = atoi(argv[3])) <= 0) {
        fprintf(stderr, "usage: streamserver HOST PORT MAXCLIENTS\n");
        exit(1);
    }

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE; /* an address to bind, when HOST is NULL */

    if ((rv = getaddrinfo(argv[1], argv[2], &hints, &servinfo)) != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
        exit(1);
    }

    /* Bind to the first address that works. */
    for (p = servinfo; p != NULL; p = p->ai_next) {
        if ((sockfd = socket(p->ai_family, p->ai_socktype, p->ai_protocol)) == -1) {
            perror("streamserver: socket");
            continue;
        }

        if (setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(int)) == -1) {
            perror("setsockopt");
            exit(1);
        }

        if (bind(sockfd, p->ai_addr, p->ai_addrlen) == -1) {
            close(sockfd);
            perror("streamserver: bind");
            continue;
        }

        break;
    }

    if (p == NULL) {
        fprintf(stderr, "streamserver: failed to bind\n");
        exit(1);
    }
    freeaddrinfo(servinfo); /* done with the list */

    if (listen(sockfd, BACKLOG) == -1) {
        perror("listen");
        exit(1);
    }

    /* Which port? (the kernel's choice if PORT was 0) */
    sin_size = sizeof their_addr;
    if (getsockname(sockfd, (struct sockaddr *)&their_addr, &sin_size) == -1) {
        perror("getsockname");
        exit(1);
    }
    fprintf(stderr, "streamserver: waiting for connections on port %d\n",
            get_in_port((struct sockaddr *)&their_addr));

    for (served = 0; served < maxclients; served++) {
        sin_size = sizeof their_addr;
        new_fd = accept(sockfd, (struct sockaddr *)&their_addr, &sin_size);
        if (new_fd == -1) {
            perror("accept");
            exit(1);
        }

        inet_ntop(their_addr.ss_family, get_in_addr((struct sockaddr *)&their_addr),
                  s, sizeof s);
        printf("streamserver: got connection from %s\n", s);
        fflush(stdout);

        /* Echo until the client shuts down its side (recv() returns 0). */
        while ((numbytes = recv(new_fd, buf, sizeof buf, 0)) > 0) {
            len = (size_t)numbytes;
            if (sendall(new_fd, buf, &len) == -1) {
                perror("sendall");
                break;
            }
        }
        if (numbytes == -1)
            perror("recv");

        close(new_fd);
    }

    close(sockfd);
    return 0;
}
