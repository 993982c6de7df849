/*
 * selectserver.c - a chat server: one process, many clients, select().
 *
 *   Usage: selectserver HOST PORT MAXCLIENTS
 *
 * Listens like streamserver and prints "selectserver: waiting for
 * connections on port N" on stderr. Whatever a client sends goes to every
 * other client. New connections and hang-ups are printed on stdout. Exits 0
 * once MAXCLIENTS clients have hung up.
 *
 * selectserver.py is this program line by line in Python (csock.c).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/types.h>
#include <unistd.h>

#define BACKLOG 10      /* connections waiting for accept() */
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

/* A listening socket on host:port, or -1. */
static int get_listener(const char *host, const char *port)
{
    int listener = -1;
    int yes = 1;
    int rv;
    struct addrinfo hints, *ai, *p;

    memset(&hints, 0, sizeof hints);
    hints.ai_family = AF_UNSPEC;
    hints.ai_socktype = SOCK_STREAM;
    hints.ai_flags = AI_PASSIVE;
    if ((rv = getaddrinfo(host, port, &hints, &ai)) != 0) {
        fprintf(stderr, "selectserver: %s\n", gai_strerror(rv));
        return -1;
    }

    for (p = ai; p != NULL; p = p->ai_next) {
        listener = socket(p->ai_family, p->ai_socktype, p->ai_protocol);
        if (listener < 0)
            continue;

        /* No "address already in use" after a restart. */
        setsockopt(listener, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof(int));

        if (bind(listener, p->ai_addr, p->ai_addrlen) < 0) {
            close(listener);
            continue;
        }

        break;
    }

    if (p == NULL) { /* nothing bound */
        freeaddrinfo(ai);
        return -1;
    }
    freeaddrinfo(ai);

    if (listen(listener, BACKLOG) == -1) {
        close(listener);
        return -1;
    }
    return listener;
}

int main(int argc, char *argv[])
{
    fd_set master;   /* every descriptor we watch */
    fd_set read_fds; /* the copy select() overwrites */
    int fdmax;       /* the highest descriptor in master */

    int listener, newfd;
    struct sockaddr_storage remoteaddr;
    socklen_t addrlen;
    char buf[MAXDATASIZE];
    ssize_t nbytes;
    char remoteIP[INET6_ADDRSTRLEN];
    int i, j, gone = 0, maxclients;

    if (argc != 4 || (maxclients = atoi(argv[3])) <= 0) {
        fprintf(stderr, "usage: selectserver HOST PORT MAXCLIENTS\n");
        exit(1);
    }

    FD_ZERO(&master);
    FD_ZERO(&read_fds);

    if ((listener = get_listener(argv[1], argv[2])) == -1) {
        fprintf(stderr, "selectserver: cannot listen\n");
        exit(2);
    }

    addrlen = sizeof remoteaddr;
    if (getsockname(listener, (struct sockaddr *)&remoteaddr, &addrlen) == -1) {
        perror("getsockname");
        exit(2);
    }
    fprintf(stderr, "selectserver: waiting for connections on port %d\n",
            get_in_port((struct sockaddr *)&remoteaddr));

    FD_SET(listener, &master);
    fdmax = listener; /* the only one, so far */

    for (;;) {
        read_fds = master; /* select() keeps only the ready ones */
        if (select(fdmax + 1, &read_fds, NULL, NULL, NULL) == -1) {
            perror("select");
            exit(3);
        }

        for (i = 0; i <= fdmax; i++) {
            if (!FD_ISSET(i, &read_fds))
                continue;

            if (i == listener) {
                /* A new connection. */
                addrlen = sizeof remoteaddr;
                newfd = accept(listener, (struct sockaddr *)&remoteaddr, &addrlen);
                if (newfd == -1) {
                    perror("accept");
                    continue;
                }
                FD_SET(newfd, &master);
                if (newfd > fdmax)
                    fdmax = newfd;
                printf("selectserver: new connection from %s on socket %d\n",
                       inet_ntop(remoteaddr.ss_family,
                                 get_in_addr((struct sockaddr *)&remoteaddr),
                                 remoteIP, INET6_ADDRSTRLEN),
                       newfd);
                fflush(stdout);
                continue;
            }

            /* Data from a client, or its end. */
            if ((nbytes = recv(i, buf, sizeof buf, 0)) <= 0) {
                if (nbytes == 0)
                    printf("selectserver: socket %d hung up\n", i);
                else
                    perror("recv");
                fflush(stdout);
                close(i);
                FD_CLR(i, &master);
                if (++gone == maxclients) {
                    close(listener);
                    return 0;
                }
                continue;
            }

            /* Pass it on to everyone else. */
            for (j = 0; j <= fdmax; j++) {
                if (FD_ISSET(j, &master) && j != listener && j != i) {
                    if (send(j, buf, (size_t)nbytes, 0) == -1)
                        perror("send");
                }
            }
        }
    }
}
