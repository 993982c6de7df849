/*
 * pollserver.c - a chat server with poll(), its descriptor array grown with
 * realloc() as clients come.
 *
 *   Usage: pollserver HOST PORT MAXCLIENTS
 *
 * Behaves as selectserver: listens, prints "pollserver: waiting for
 * connections on port N" on stderr, passes what each client sends to every
 * other one, prints connections and hang-ups on stdout, and exits 0 once
 * MAXCLIENTS clients have hung up. The array starts with room for two.
 *
 * pollserver.py is this program line by line in Python (csock.c).
 */
#include <arpa/inet.h>
#include <netdb.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
        fprintf(stderr, "pollserver: %s\n", gai_strerror(rv));
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

/* Append newfd to the array, doubling it when full; returns the array. */
static struct pollfd *add_to_pfds(struct pollfd *pfds, int newfd, int *fd_count,
                                  int *fd_size)
{
    if (*fd_count == *fd_size) {
        struct pollfd *bigger;

        *fd_size *= 2;
        bigger = realloc(pfds, sizeof(*pfds) * (size_t)(*fd_size));
        if (bigger == NULL) {
            perror("realloc");
            exit(1);
        }
        pfds = bigger;
    }

    pfds[*fd_count].fd = newfd;
    pfds[*fd_count].events = POLLIN; /* tell us when there is data */
    pfds[*fd_count].revents = 0;
    (*fd_count)++;
    return pfds;
}

/* Remove entry i: the last entry takes its place. */
static void del_from_pfds(struct pollfd pfds[], int i, int *fd_count)
{
    pfds[i] = pfds[*fd_count - 1];
    (*fd_count)--;
}

int main(int argc, char *argv[])
{
    int listener, newfd;
    struct sockaddr_storage remoteaddr;
    socklen_t addrlen;
    char buf[MAXDATASIZE];
    ssize_t nbytes;
    char remoteIP[INET6_ADDRSTRLEN];
    int i, j, gone = 0, maxclients;

    int fd_count = 0;
    int fd_size = 2; /* room for the listener and one client, to begin */
    struct pollfd *pfds = malloc(sizeof *pfds * (size_t)fd_size);

    if (argc != 4 || (maxclients = atoi(argv[3])) <= 0) {
        fprintf(stderr, "usage: pollserver HOST PORT MAXCLIENTS\n");
        exit(1);
    }
    if (pfds == NULL) {
        perror("malloc");
        exit(1);
    }

    if ((listener = get_listener(argv[1], argv[2])) == -1) {
        fprintf(stderr, "pollserver: cannot listen\n");
        exit(2);
    }

    addrlen = sizeof remoteaddr;
    if (getsockname(listener, (struct sockaddr *)&remoteaddr, &addrlen) == -1) {
        perror("getsockname");
        exit(2);
    }
    fprintf(stderr, "pollserver: waiting for connections on port %d\n",
            get_in_port((struct sockaddr *)&remoteaddr));

    pfds = add_to_pfds(pfds, listener, &fd_count, &fd_size);

    for (;;) {
        if (poll(pfds, (nfds_t)fd_count, -1) == -1) {
            perror("poll");
            exit(3);
        }

        for (i = 0; i < fd_count; i++) {
            if (!(pfds[i].revents & (POLLIN | POLLHUP)))
                continue;

            if (pfds[i].fd == listener) {
                /* A new connection. */
                addrlen = sizeof remoteaddr;
                newfd = accept(listener, (struct sockaddr *)&remoteaddr, &addrlen);
                if (newfd == -1) {
                    perror("accept");
                    continue;
                }
                pfds = add_to_pfds(pfds, newfd, &fd_count, &fd_size);
                printf("pollserver: new connection from %s on socket %d\n",
                       inet_ntop(remoteaddr.ss_family,
                                 get_in_addr((struct sockaddr *)&remoteaddr),
                                 remoteIP, INET6_ADDRSTRLEN),
                       newfd);
                fflush(stdout);
                continue;
            }

            /* Data from a client, or its end. */
            int sender_fd = pfds[i].fd;
            if ((nbytes = recv(sender_fd, buf, sizeof buf, 0)) <= 0) {
                if (nbytes == 0)
                    printf("pollserver: socket %d hung up\n", sender_fd);
                else
                    perror("recv");
                fflush(stdout);
                close(sender_fd);
                del_from_pfds(pfds, i, &fd_count);
                i--; /* look at the entry that moved into place i */
                if (++gone == maxclients) {
                    close(listener);
                    free(pfds);
                    return 0;
                }
                continue;
            }

            /* Pass it on to everyone else. */
            for (j = 0; j < fd_count; j++) {
                int dest_fd = pfds[j].fd;
                if (dest_fd != listener && dest_fd != sender_fd) {
                    if (send(dest_fd, buf, (size_t)nbytes, 0) == -1)
                        perror("send");
                }
            }
        }
    }
}
