/*
 * listener.c - receives UDP datagrams and prints them.
 *
 *   Usage: listener HOST PORT COUNT
 *
 * Binds a datagram socket to the first address getaddrinfo() gives for HOST
 * and PORT (PORT 0: the kernel picks one), prints "listener: waiting for
 * datagrams on port N" on stderr, then prints the sender, length and text of
 * each of COUNT datagrams on stdout, and exits 0.
 *
 * listener.py is this program line by line in Python (csock.c).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define MAXBUFLEN 100 /* the longest datagram we keep, with its '\0' */

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

int main(int argc, char *argv[])
{
    int sockfd;
    struct addrinfo hints, *servinfo, *p;
    int rv, count, i;
    ssize_t numbytes;
    struct sockaddr_storage their_addr;
    char buf[MAXBUFLEN];
    socklen_t addr_len;
    char s[INET6_ADDRSTRLEN];

    if (argc != 4 || (count = atoi(argv[3])) <= 0) {
        fprintf(stderr, "usage: listener HOST PORT COUNT\n");
        exit(1);
    }

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE;

    if ((rv = getaddrinfo(argv[1], argv[2], &hints, &servinfo)) != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
        return 1;
    }

    /* Bind to the first address that works. */
    for (p = servinfo; p != NULL; p = p->ai_next) {
        if ((sockfd = socket(p->ai_family, p->ai_socktype, p->ai_protocol)) == -1) {
            perror("listener: socket");
            continue;
        }

        if (bind(sockfd, p->ai_addr, p->ai_addrlen) == -1) {
            close(sockfd);
            perror("listener: bind");
            continue;
        }

        break;
    }

    if (p == NULL) {
        fprintf(stderr, "listener: failed to bind socket\n");
        return 2;
    }
    freeaddrinfo(servinfo);

    addr_len = sizeof their_addr;
    if (getsockname(sockfd, (struct sockaddr *)&their_addr, &addr_len) == -1) {
        perror("getsockname");
        exit(1);
    }
    fprintf(stderr, "listener: waiting for datagrams on port %d\n",
            get_in_port((struct sockaddr *)&their_addr));

    for (i = 0; i < count; i++) {
        addr_len = sizeof their_addr;
        if ((numbytes = recvfrom(sockfd, buf, MAXBUFLEN - 1, 0,
                                 (struct sockaddr *)&their_addr, &addr_len)) == -1) {
            perror("recvfrom");
            exit(1);
        }

        printf("listener: got packet from %s\n",
               inet_ntop(their_addr.ss_family,
                         get_in_addr((struct sockaddr *)&their_addr), s, sizeof s));
        printf("listener: packet is %zd bytes long\n", numbytes);
        buf[numbytes] = '\0'; /* a datagram is bytes: make it a string */
        printf("listener: packet contains \"%s\"\n", buf);
        fflush(stdout);
    }

    close(sockfd);
    return 0;
}
