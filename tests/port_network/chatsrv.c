/*
 * chatsrv.c - a select() chat server on an AF_UNIX stream socket (Beej's
 * selectserver over a path): unlink() before bind(), a client table
 * (struct client clients[FD_SETSIZE]), the FD_ISSET loop up to maxfd, a
 * struct timeval timeout, commands parsed with strtok()/strncmp() and a
 * switch with fallthrough, a static counter, an enum and a union.
 *
 *   Usage: chatsrv PATH MAXCLIENTS
 *
 * Prints "chatsrv: port 0" on stderr when listening (for the test harness),
 * the log of what happened on stdout; exits 0 once MAXCLIENTS clients have
 * come and gone. Lines: "/nick NAME", "/who", "/quit", "/me TEXT", or text
 * that is broadcast as "NAME: TEXT" to the other clients.
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/select.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#define NAMELEN 32
#define LINELEN 256
#define MAX(a, b) ((a) > (b) ? (a) : (b))
#define CHECK(x) do { if ((x) == -1) { perror(#x); exit(EXIT_FAILURE); } } while (0)

enum kind { TEXT, COMMAND, ACTION };

struct client {
    int fd;
    char name[NAMELEN];
    char line[LINELEN];
    size_t len;
};

static struct client clients[FD_SETSIZE];

static int next_id(void)
{
    static int id = 0;
    return ++id;
}

static void say(int fd, const char *text)
{
    size_t n = strlen(text);
    if (write(fd, text, n) != (ssize_t)n)
        perror("write");
}

static void broadcast(int from, int maxfd, const char *text)
{
    int i;
    for (i = 0; i <= maxfd; i++)
        if (clients[i].fd != -1 && i != from)
            say(clients[i].fd, text);
}

/* One complete line from client fd: 1 when the client is done. */
static int handle(int fd, int maxfd, char *line)
{
    char out[LINELEN + NAMELEN + 16];
    char *cmd, *arg;
    enum kind k;
    int i, done = 0;

    k = line[0] == '/' ? (strncmp(line, "/me ", 4) == 0 ? ACTION : COMMAND) : TEXT;
    switch (k) {
    case ACTION:
        sprintf(out, "* %s %s\n", clients[fd].name, line + 4);
        broadcast(-1, maxfd, out);
        break;
    case COMMAND:
        cmd = strtok(line, " ");
        arg = strtok(NULL, " ");
        switch (cmd[1]) {
        case 'n':
            if (arg != NULL && strncmp(cmd, "/nick", 5) == 0) {
                printf("%s is now %s\n", clients[fd].name, arg);
                strncpy(clients[fd].name, arg, NAMELEN - 1);
                sprintf(out, "you are %s\n", clients[fd].name);
                say(fd, out);
                break;
            }
            /* a bad /nick */
            /* fall through */
        default:
            sprintf(out, "unknown command %s\n", cmd);
            say(fd, out);
            break;
        case 'w':
            for (i = 0; i <= maxfd; i++)
                if (clients[i].fd != -1) {
                    sprintf(out, "here: %s%s\n", clients[i].name, i == fd ? " (you)" : "");
                    say(fd, out);
                }
            break;
        case 'q':
            say(fd, "bye\n");
            done = 1;
            break;
        }
        break;
    case TEXT:
        sprintf(out, "%s: %s\n", clients[fd].name, line);
        printf("%s", out);
        broadcast(fd, maxfd, out);
        break;
    }
    return done;
}

int main(int argc, char *argv[])
{
    int lfd, cfd, fd, maxfd, maxclients, gone = 0, i;
    ssize_t n;
    char *nl;
    fd_set all, readfds;
    struct timeval tv;
    union {
        struct sockaddr sa;
        struct sockaddr_un un;
    } addr;

    if (argc != 3 || strlen(argv[1]) >= sizeof addr.un.sun_path) {
        fprintf(stderr, "usage: chatsrv PATH MAXCLIENTS\n");
        exit(EXIT_FAILURE);
    }
    maxclients = atoi(argv[2]);
    for (i = 0; i < FD_SETSIZE; i++)
        clients[i].fd = -1;

    CHECK(lfd = socket(AF_UNIX, SOCK_STREAM, 0));
    memset(&addr, 0, sizeof addr);
    addr.un.sun_family = AF_UNIX;
    strncpy(addr.un.sun_path, argv[1], sizeof addr.un.sun_path - 1);
    if (unlink(argv[1]) == -1 && errno != ENOENT) {
        perror("unlink");
        exit(EXIT_FAILURE);
    }
    CHECK(bind(lfd, &addr.sa, sizeof addr.un));
    CHECK(listen(lfd, 8));
    fprintf(stderr, "chatsrv: port 0\n");

    FD_ZERO(&all);
    FD_SET(lfd, &all);
    maxfd = lfd;
    while (gone < maxclients) {
        readfds = all;
        tv.tv_sec = 5;
        tv.tv_usec = 0;
        n = select(maxfd + 1, &readfds, NULL, NULL, &tv);
        if (n == -1) {
            if (errno == EINTR)
                continue;
            perror("select");
            exit(EXIT_FAILURE);
        }
        if (n == 0) {
            printf("idle\n");
            continue;
        }
        for (fd = 0; fd <= maxfd; fd++) {
            if (!FD_ISSET(fd, &readfds))
                continue;
            if (fd == lfd) {
                CHECK(cfd = accept(lfd, NULL, NULL));
                if (cfd >= FD_SETSIZE) {
                    close(cfd);
                    continue;
                }
                clients[cfd].fd = cfd;
                clients[cfd].len = 0;
                sprintf(clients[cfd].name, "guest%d", next_id());
                FD_SET(cfd, &all);
                maxfd = MAX(maxfd, cfd);
                printf("%s joined\n", clients[cfd].name);
                continue;
            }
            struct client *c = &clients[fd];
            n = read(fd, c->line + c->len, sizeof c->line - 1 - c->len);
            if (n > 0) {
                c->len += n;
                c->line[c->len] = '\0';
                while ((nl = strchr(c->line, '\n')) != NULL) {
                    *nl = '\0';
                    if (handle(fd, maxfd, c->line)) {
                        n = 0;
                        break;
                    }
                    c->len -= nl + 1 - c->line;
                    memmove(c->line, nl + 1, c->len + 1);
                }
                if (c->len == sizeof c->line - 1) /* a line too long: dropped */
                    c->len = 0;
            }
            if (n <= 0) {
                printf("%s left\n", c->name);
                close(fd);
                FD_CLR(fd, &all);
                c->fd = -1;
                gone++;
            }
        }
    }
    close(lfd);
    unlink(argv[1]);
    return 0;
}
