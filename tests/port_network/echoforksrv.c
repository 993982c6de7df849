/*
 * echoforksrv.c - Stevens' concurrent echo server (UNP tcpserv04): a child
 * per client, str_echo() with Readline()/Writen(), SIGCHLD reaped with
 * waitpid(-1, &stat, WNOHANG) in a loop.
 *
 *   Usage: echoforksrv PORT MAXCLIENTS
 *
 * Prints "echoforksrv: waiting for connections on port N" on stderr, and
 * "child terminated" on stdout for each child reaped. Exits 0 after
 * MAXCLIENTS clients have been served and reaped.
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
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define MAXLINE 4096
#define LISTENQ 1024
#define SA struct sockaddr

typedef void Sigfunc(int);

static volatile sig_atomic_t reaped = 0;

static void err_sys(const char *msg)
{
    perror(msg);
    exit(1);
}

/* Write "n" bytes to a descriptor. */
static ssize_t writen(int fd, const void *vptr, size_t n)
{
    size_t nleft;
    ssize_t nwritten;
    const char *ptr;

    ptr = vptr;
    nleft = n;
    while (nleft > 0) {
        if ((nwritten = write(fd, ptr, nleft)) <= 0) {
            if (nwritten < 0 && errno == EINTR)
                nwritten = 0; /* and call write() again */
            else
                return (-1); /* error */
        }
        nleft -= nwritten;
        ptr += nwritten;
    }
    return (n);
}

static void Writen(int fd, void *ptr, size_t nbytes)
{
    if (writen(fd, ptr, nbytes) != (ssize_t)nbytes)
        err_sys("writen error");
}

/* Read a line, one byte at a time (UNP figure 3.17, the retry as a loop). */
static ssize_t readline(int fd, void *vptr, size_t maxlen)
{
    ssize_t n, rc;
    char c, *ptr;

    ptr = vptr;
    for (n = 1; n < (ssize_t)maxlen; n++) {
        while ((rc = read(fd, &c, 1)) < 0 && errno == EINTR)
            ; /* interrupted by SIGCHLD: read again */
        if (rc == 1) {
            *ptr++ = c;
            if (c == '\n')
                break; /* newline is stored, like fgets() */
        } else if (rc == 0) {
            *ptr = 0;
            return (n - 1); /* EOF, n - 1 bytes were read */
        } else
            return (-1); /* error, errno set by read() */
    }

    *ptr = 0; /* null terminate like fgets() */
    return (n);
}

static Sigfunc *Signal(int signo, Sigfunc *func)
{
    struct sigaction act, oact;

    act.sa_handler = func;
    sigemptyset(&act.sa_mask);
    act.sa_flags = 0;
    if (signo == SIGALRM)
        act.sa_flags |= 0; /* SA_INTERRUPT on SunOS */
    else
        act.sa_flags |= SA_RESTART;
    if (sigaction(signo, &act, &oact) < 0)
        return (SIG_ERR);
    return (oact.sa_handler);
}

static void sig_chld(int signo)
{
    pid_t pid;
    int stat;

    (void)signo;
    while ((pid = waitpid(-1, &stat, WNOHANG)) > 0)
        reaped++;
    return;
}

static void str_echo(int sockfd)
{
    ssize_t n;
    char line[MAXLINE];

    for (;;) {
        if ((n = readline(sockfd, line, MAXLINE)) == 0)
            return; /* connection closed by other end */
        if (n < 0)
            err_sys("readline error");
        Writen(sockfd, line, n);
    }
}

int main(int argc, char **argv)
{
    int listenfd, connfd, served, maxclients, reported;
    pid_t childpid;
    socklen_t clilen, len;
    struct sockaddr_in cliaddr, servaddr;
    const int on = 1;

    if (argc != 3) {
        fprintf(stderr, "usage: echoforksrv <port> <maxclients>\n");
        exit(1);
    }
    maxclients = atoi(argv[2]);

    if ((listenfd = socket(AF_INET, SOCK_STREAM, 0)) < 0)
        err_sys("socket error");
    if (setsockopt(listenfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof(on)) < 0)
        err_sys("setsockopt error");

    bzero(&servaddr, sizeof(servaddr));
    servaddr.sin_family = AF_INET;
    inet_pton(AF_INET, "127.0.0.1", &servaddr.sin_addr);
    servaddr.sin_port = htons(atoi(argv[1]));

    if (bind(listenfd, (SA *) &servaddr, sizeof(servaddr)) < 0)
        err_sys("bind error");
    if (listen(listenfd, LISTENQ) < 0)
        err_sys("listen error");
    len = sizeof(servaddr);
    getsockname(listenfd, (SA *) &servaddr, &len);
    fprintf(stderr, "echoforksrv: waiting for connections on port %d\n",
            ntohs(servaddr.sin_port));

    if (Signal(SIGCHLD, sig_chld) == SIG_ERR) /* must call waitpid() */
        err_sys("signal error");

    reported = 0;
    for (served = 0; served < maxclients; served++) {
        clilen = sizeof(cliaddr);
        if ((connfd = accept(listenfd, (SA *) &cliaddr, &clilen)) < 0) {
            if (errno == EINTR) {
                served--;
                continue; /* back to for() */
            } else
                err_sys("accept error");
        }

        if ((childpid = fork()) == 0) { /* child process */
            close(listenfd);              /* close listening socket */
            str_echo(connfd);             /* process the request */
            exit(0);
        }
        close(connfd); /* parent closes connected socket */
    }
    close(listenfd);
    while (reaped < maxclients)
        sleep(1); /* the last children: SIGCHLD cuts the sleep short */
    for (; reported < reaped; reported++)
        printf("child terminated\n");
    return 0;
}
