/*
 * udpechosrv.c - Beej's UDP listener turned echo server: getaddrinfo() with
 * AI_PASSIVE, recvfrom() into a struct sockaddr_storage, inet_ntop() with
 * get_in_addr(), sendto() back.
 *
 *   Usage: udpechosrv HOST PORT COUNT
 *
 * Prints "udpechosrv: waiting for datagrams on port N" on stderr, then for
 * each datagram "got N bytes from FAMILY: PACKET" on stdout. Exits 0 after
 * COUNT datagrams.
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

#define MAXBUFLEN 100

/* get sockaddr, IPv4 or IPv6: */
void *get_in_addr(struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        return &(((struct sockaddr_in *)sa)->sin_addr);
    }

    return &(((struct sockaddr_in6 *)sa)->sin6_addr);
}

unsigned short get_in_port(struct sockaddr *sa)
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

    if (argc != 4) {
        fprintf(stderr, "usage: udpechosrv host port count\n");
        exit(1);
    }
    count = atoi(argv[3]);

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC; /* set to AF_INET to use IPv4 */
    hints.ai_socktype = SOCK_DGRAM;
    hints.ai_flags = AI_PASSIVE | AI_NUMERICHOST; /* no name service */

    if ((rv = getaddrinfo(argv[1], argv[2], &hints, &servinfo)) != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
        return 1;
    }

    /* loop through all the results and bind to the first we can */
    for (p = servinfo; p != NULL; p = p->ai_next) {
        if ((sockfd = socket(p->ai_family, p->ai_socktype,
                             p->ai_protocol)) == -1) {
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
    getsockname(sockfd, (struct sockaddr *)&their_addr, &addr_len);
    fprintf(stderr, "udpechosrv: waiting for datagrams on port %hu\n",
            get_in_port((struct sockaddr *)&their_addr));

    for (i = 0; i < count; i++) {
        addr_len = sizeof their_addr;
        if ((numbytes = recvfrom(sockfd, buf, MAXBUFLEN - 1, 0,
                                 (struct sockaddr *)&their_addr, &addr_len)) == -1) {
            perror("recvfrom");
            exit(1);
        }

        buf[numbytes] = '\0';
        printf("got %zd bytes from %s %s: \"%s\"\n", numbytes,
               their_addr.ss_family == AF_INET6 ? "IPv6" : "IPv4",
               inet_ntop(their_addr.ss_family,
                         get_in_addr((struct sockaddr *)&their_addr),
                         s, sizeof s),
               buf);
        fflush(stdout);

        if (sendto(sockfd, buf, numbytes, 0,
                   (struct sockaddr *)&their_addr, addr_len) == -1) {
            perror("sendto");
            exit(1);
        }
    }

    close(sockfd);

    return 0;
}
