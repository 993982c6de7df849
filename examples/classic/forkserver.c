/*
 * forkserver.c - a TCP server that forks a child for each client.
 *
 *   Usage: forkserver HOST PORT MAXCLIENTS
 *
 * Binds like streamserver and prints "forkserver: waiting for connections on
 * port N" on stderr. For each client it prints the client's address and
 * forks: the child sends back, in upper case, everything the client sends,
 * until the client shuts down its side. A SIGCHLD handler reaps the children
 * so none is left a zombie. The parent exits 0 after MAXCLIENTS clients; the
 * children finish their own clients.
 *
 * forkserver.py is this program line by line in Python (csock.c).
 */
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>

#define BACKLOG 10      /* connections waiting for accept() */
#define MAXDATASIZE 256 /* bytes per recv() */

/* Reap every child that has ended; keep errno for the interrupted code. */
static void sigchld_handler(int sig)
{
    int saved_errno = errno; /* waitpid() may overwrite it */

    (void)sig;
    while (waitpid(-1, NULL, WNOHANG) > 0)
        ;

    errno = saved_errno;
}

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

/* The child's work: echo in upper case until the client is done. */
static void serve(int fd)
{
    char buf[MAXDATASIZE];
    ssize_t numbytes, sent, i;

    while ((numbytes = recv(fd, buf, sizeof buf, 0)) > 0) {
        for (i = 0; i < numbytes; i++)
            buf[i] = (char)toupper((unsigned char)buf[i]);
        for (i = 0; i < numbytes; i += sent) {
            if ((sent = send(fd, buf + i, (size_t)(numbytes - i), 0)) == -1) {
                perror("send");
                return;
            }
        }
    }
    if (numbytes == -1)
        perror("recv");
}

int main(int argc, char *argv[])
{
    int sockfd, new_fd;
    struct addrinfo hints, *servinfo, *p;
    struct sockaddr_storage their_addr;
    socklen_t sin_size;
    struct sigaction sa;
    int yes = 1;
    char s[INET6_ADDRSTRLEN];
    int rv, served, maxclients;
    pid_t pid;

    if (argc != 4 || (maxclients = atoi(argv[3])) <= 0) {
        fprintf(stderr, "usage: forkserver HOST PORT MAXCLIENTS\n");
        exit(1);
    }

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;

    if ((rv = getaddrinfo(argv[1], argv[2], &hints, &servinfo)) != 0) {
        fprintf(stderr, "getaddrinfo: %s\n", gai_strerror(rv));
        exit(1);
    }

    /* Bind to the first address that works. */
    for (p = servinfo; p != NULL; p = p->ai_next) {
        if ((sockfd = socket(p->ai_family, p->ai_socktype, p->ai_protocol)) == -1) {
            perror("forkserver: socket");
            continue;
        }

        if (setsockopt(sockfd, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(int)) == -1) {
            perror("setsockopt");
            exit(1);
        }

        if (bind(sockfd, p->ai_addr, p->ai_addrlen) == -1) {
            close(sockfd);
            perror("forkserver: bind");
            continue;
        }

        break;
    }

    if (p == NULL) {
        fprintf(stderr, "forkserver: failed to bind\n");
        exit(1);
    }
    freeaddrinfo(servinfo);

    if (listen(sockfd, BACKLOG) == -1) {
        perror("listen");
        exit(1);
    }

    /* Reap dead children; SA_RESTART: accept() goes on after the handler. */
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = sigchld_handler;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = SA_RESTART;
    if (sigaction(SIGCHLD, &sa, NULL) == -1) {
        perror("sigaction");
        exit(1);
    }

    sin_size = sizeof their_addr;
    if (getsockname(sockfd, (struct sockaddr *)&their_addr, &sin_size) == -1) {
        perror("getsockname");
        exit(1);
    }
    fprintf(stderr, "forkserver: waiting for connections on port %d\n",
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
        printf("forkserver: got connection from %s\n", s);
        fflush(stdout); /* or the child would print it again at exit */

        if ((pid = fork()) == -1) {
            perror("fork");
            exit(1);
        }
        if (pid == 0) {
            /* The child: it does not need the listener. */
            close(sockfd);
            serve(new_fd);
            close(new_fd);
            exit(0);
        }
        close(new_fd); /* the parent does not need this one */
    }

    close(sockfd);
    return 0;
}
