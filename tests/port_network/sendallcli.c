/*
 * sendallcli.c - Beej's client with sendall(): getaddrinfo() over
 * res->ai_next, inet_ntop() with get_in_addr(), the whole of stdin sent
 * with a loop over partial send()s, shutdown(SHUT_WR), and the server's
 * answer printed.
 *
 *   Usage: sendallcli HOST PORT
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

#define MAXDATASIZE 100 /* max number of bytes we can get at once */
#define CHUNK 4096

/* get sockaddr, IPv4 or IPv6: */
void *get_in_addr(struct sockaddr *sa)
{
    if (sa->sa_family == AF_INET) {
        return &(((struct sockaddr_in *)sa)->sin_addr);
    }
    return &(((struct sockaddr_in6 *)sa)->sin6_addr);
}

int sendall(int s, char *buf, int *len)
{
    int total = 0;        /* how many bytes we've sent */
    int bytesleft = *len; /* how many we have left to send */
    int n = 0;

    while (total < *len) {
        n = send(s, buf + total, bytesleft, 0);
        if (n == -1) {
            break;
        }
        total += n;
        bytesleft -= n;
    }

    *len = total; /* return number actually sent here */

    return n == -1 ? -1 : 0; /* return -1 on failure, 0 on success */
}

int main(int argc, char *argv[])
{
    int sockfd, numbytes;
    char buf[MAXDATASIZE];
    struct addrinfo hints, *servinfo, *p;
    int rv, len;
    char s[INET6_ADDRSTRLEN];
    char *data = NULL;
    size_t size = 0, got;

    if (argc != 3) {
        fprintf(stderr, "usage: client hostname port\n");
        exit(1);
    }

    /* all of stdin, in a buffer that grows */
    for (;;) {
        data = realloc(data, size + CHUNK);
        if (data == NULL) {
            perror("realloc");
            exit(1);
        }
        got = fread(data + size, 1, CHUNK, stdin);
        size += got;
        if (got < CHUNK)
            break;
    }

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;

    if ((rv = getaddrinfo(argv[1], argv[2], &hints, &servinfo)) != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
        return 1;
    }

    /* loop through all the results and connect to the first we can */
    for (p = servinfo; p != NULL; p = p->ai_next) {
        if ((sockfd = socket(p->ai_family, p->ai_socktype,
                             p->ai_protocol)) == -1) {
            perror("client: socket");
            continue;
        }

        if (connect(sockfd, p->ai_addr, p->ai_addrlen) == -1) {
            perror("client: connect");
            close(sockfd);
            continue;
        }

        break;
    }

    if (p == NULL) {
        fprintf(stderr, "client: failed to connect\n");
        return 2;
    }

    inet_ntop(p->ai_family, get_in_addr((struct sockaddr *)p->ai_addr),
              s, sizeof s);
    printf("client: connecting to %s\n", s);

    freeaddrinfo(servinfo); /* all done with this structure */

    len = (int)size;
    if (sendall(sockfd, data, &len) == -1) {
        perror("sendall");
        printf("We only sent %d bytes because of the error!\n", len);
    }
    printf("client: sent %d bytes\n", len);
    free(data);
    shutdown(sockfd, SHUT_WR);

    while ((numbytes = recv(sockfd, buf, MAXDATASIZE - 1, 0)) > 0) {
        buf[numbytes] = '\0';
        printf("client: received '%s'\n", buf);
    }
    if (numbytes == -1) {
        perror("recv");
        exit(1);
    }

    close(sockfd);

    return 0;
}
