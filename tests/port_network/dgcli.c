/*
 * dgcli.c - Stevens' UDP echo client (UNP dg_cli, figure 8.8, with the
 * reply's sender checked as in figure 8.9): Fgets()/Fputs() wrappers,
 * sock_ntop() with a static buffer, recvfrom() into a malloc()ed address.
 *
 *   Usage: dgcli IPADDRESS PORT
 *
 * Each line of stdin goes out as a datagram; each reply is written to
 * stdout. Replies from anyone but the server are reported and ignored.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXLINE 4096
#define SA struct sockaddr

static void err_sys(const char *msg)
{
    perror(msg);
    exit(1);
}

static char *Fgets(char *ptr, int n, FILE *stream)
{
    char *rptr;

    if ((rptr = fgets(ptr, n, stream)) == NULL && ferror(stream))
        err_sys("fgets error");

    return (rptr);
}

static void Fputs(const char *ptr, FILE *stream)
{
    if (fputs(ptr, stream) == EOF)
        err_sys("fputs error");
}

static char *sock_ntop(const struct sockaddr *sa, socklen_t salen)
{
    char portstr[8];
    static char str[128]; /* Unix domain is largest */

    (void)salen;
    switch (sa->sa_family) {
    case AF_INET: {
        const struct sockaddr_in *sin = (const struct sockaddr_in *) sa;

        if (inet_ntop(AF_INET, &sin->sin_addr, str, sizeof(str)) == NULL)
            return (NULL);
        if (ntohs(sin->sin_port) != 0) {
            snprintf(portstr, sizeof(portstr), ":%d", ntohs(sin->sin_port));
            strcat(str, portstr);
        }
        return (str);
    }
    default:
        snprintf(str, sizeof(str), "sock_ntop: unknown AF_xxx: %d, len %d",
                 sa->sa_family, (int) salen);
        return (str);
    }
}

static void dg_cli(FILE *fp, int sockfd, const SA *pservaddr, socklen_t servlen)
{
    int n;
    char sendline[MAXLINE], recvline[MAXLINE + 1];
    socklen_t len;
    struct sockaddr *preply_addr;

    preply_addr = malloc(servlen);

    while (Fgets(sendline, MAXLINE, fp) != NULL) {

        if (sendto(sockfd, sendline, strlen(sendline), 0, pservaddr, servlen) < 0)
            err_sys("sendto error");

        len = servlen;
        if ((n = recvfrom(sockfd, recvline, MAXLINE, 0, preply_addr, &len)) < 0)
            err_sys("recvfrom error");
        if (len != servlen || memcmp(pservaddr, preply_addr, len) != 0) {
            printf("reply from %s (ignored)\n", sock_ntop(preply_addr, len));
            continue;
        }

        recvline[n] = 0; /* null terminate */
        Fputs(recvline, stdout);
    }
    free(preply_addr);
}

int main(int argc, char **argv)
{
    int sockfd;
    struct sockaddr_in servaddr;

    if (argc != 3) {
        fprintf(stderr, "usage: dgcli <IPaddress> <port>\n");
        exit(1);
    }

    bzero(&servaddr, sizeof(servaddr));
    servaddr.sin_family = AF_INET;
    servaddr.sin_port = htons(atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &servaddr.sin_addr);
    printf("server is %s\n", sock_ntop((SA *) &servaddr, sizeof(servaddr)));

    sockfd = socket(AF_INET, SOCK_DGRAM, 0);

    dg_cli(stdin, sockfd, (SA *) &servaddr, sizeof(servaddr));

    exit(0);
}
