/*
 * dgalarm.c - Stevens' UDP client with a timeout from SIGALRM (UNP figure
 * 14.1): the handler is installed without SA_RESTART, so alarm() interrupts
 * a recvfrom() that waits too long, and it returns -1 with errno EINTR.
 *
 *   Usage: dgalarm IPADDRESS PORT
 *
 * Each line of stdin goes out as a datagram; the reply is written to
 * stdout, or "socket timeout" to stderr when none comes within a second.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXLINE 4096
#define SA struct sockaddr

static int timeouts;

static void sig_alrm(int signo)
{
    (void)signo;
    timeouts++;
    return; /* just interrupt the recvfrom() */
}

static void dg_cli(FILE *fp, int sockfd, const SA *pservaddr, socklen_t servlen)
{
    int n;
    char sendline[MAXLINE], recvline[MAXLINE + 1];
    struct sigaction act;

    memset(&act, 0, sizeof(act));
    act.sa_handler = sig_alrm;
    sigemptyset(&act.sa_mask);
    act.sa_flags = 0; /* no SA_RESTART: the recvfrom() is interrupted */
    if (sigaction(SIGALRM, &act, NULL) < 0) {
        perror("sigaction");
        exit(1);
    }

    while (fgets(sendline, MAXLINE, fp) != NULL) {

        sendto(sockfd, sendline, strlen(sendline), 0, pservaddr, servlen);

        alarm(1);
        if ((n = recvfrom(sockfd, recvline, MAXLINE, 0, NULL, NULL)) < 0) {
            if (errno == EINTR)
                fprintf(stderr, "socket timeout\n");
            else {
                perror("recvfrom error");
                exit(1);
            }
        } else {
            alarm(0);
            recvline[n] = 0; /* null terminate */
            fputs(recvline, stdout);
        }
    }
    printf("%d timeout(s)\n", timeouts);
}

int main(int argc, char **argv)
{
    int sockfd;
    struct sockaddr_in servaddr;

    if (argc != 3) {
        fprintf(stderr, "usage: dgalarm <IPaddress> <port>\n");
        exit(1);
    }

    bzero(&servaddr, sizeof(servaddr));
    servaddr.sin_family = AF_INET;
    servaddr.sin_port = htons(atoi(argv[2]));
    inet_pton(AF_INET, argv[1], &servaddr.sin_addr);

    sockfd = socket(AF_INET, SOCK_DGRAM, 0);

    dg_cli(stdin, sockfd, (SA *) &servaddr, sizeof(servaddr));

    exit(0);
}
