/*
 * talker.c - sends one UDP datagram.
 *
 *   Usage: talker HOST PORT MESSAGE
 *
 * Sends MESSAGE (without a '\0') from a socket of the first family
 * getaddrinfo() gives for HOST and PORT, and prints "talker: sent N bytes to
 * ADDRESS".
 *
 * talker.py is this program line by line in Python (csock.c).
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

/* The address inside a sockaddr, IPv4 or IPv6. */
static void *get_in_addr(struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET)
        return &(((struct sockaddr_in *)sa)->sin_addr);
    return &(((struct sockaddr_in6 *)sa)->sin6_addr);
}

int main(int argc, char *argv[])
{
    int sockfd;
    struct addrinfo hints, *servinfo, *p;
    int rv;
    ssize_t numbytes;
    char s[INET6_ADDRSTRLEN];

    if (argc != 4) {
        fprintf(stderr, "usage: talker HOST PORT MESSAGE\n");
        exit(1);
    }

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_DGRAM;

    if ((rv = getaddrinfo(argv[1], argv[2], &hints, &servinfo)) != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
        return 1;
    }

    /* The first family we can make a socket for. */
    for (p = servinfo; p != NULL; p = p->ai_next) {
        if ((sockfd = socket(p->ai_family, p->ai_socktype, p->ai_protocol)) == -1) {
            perror("talker: socket");
            continue;
        }

        break;
    }

    if (p == NULL) {
        fprintf(stderr, "talker: failed to create socket\n");
        return 2;
    }

    if ((numbytes = sendto(sockfd, argv[3], strlen(argv[3]), 0,
                           p->ai_addr, p->ai_addrlen)) == -1) {
        perror("talker: sendto");
        exit(1);
    }

    printf("talker: sent %zd bytes to %s\n", numbytes,
           inet_ntop(p->ai_family, get_in_addr(p->ai_addr), s, sizeof s));
    freeaddrinfo(servinfo); /* p pointed into the list: free it only now */

    close(sockfd);
    return 0;
}
