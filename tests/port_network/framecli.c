/*
 * framecli.c - a client for framesrv: getopt() with a usage message, the
 * host by gethostbyname("localhost") or inet_aton(), inet_addr() checked
 * against INADDR_NONE, SIGPIPE ignored, stdin read in chunks
 * (while ((n = read(...)) > 0)), each chunk sent as a frame with a writen()
 * of pointer arithmetic, the answers collected in a buffer that memmove()
 * shifts past each whole frame.
 *
 *   Usage: framecli [-c CHUNK] [-h HOST] -p PORT
 *
 * HOST is "localhost" (looked up) or a dotted address (default 127.0.0.1).
 * Prints each answer as "reply N: TEXT" and "sent N frames, B bytes".
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netdb.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define BUFSZ 8192
#define CHECK(x)                \
    do {                        \
        if ((x) < 0) {          \
            perror(#x);         \
            exit(1);            \
        }                       \
    } while (0)

static char inbuf[BUFSZ];
static size_t inlen = 0;

static ssize_t writen(int fd, const void *vptr, size_t n)
{
    const char *p = vptr;
    size_t left = n;
    ssize_t w;

    while (left > 0) {
        if ((w = write(fd, p, left)) <= 0) {
            if (w < 0 && errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        left -= w;
    }
    return n;
}

/* Print every whole frame in inbuf, keep the partial one at its start. */
static int drain(void)
{
    static int replies = 0;
    uint32_t len, net;
    int shown = 0;

    while (inlen >= sizeof net) {
        memcpy(&net, inbuf, sizeof net);
        len = ntohl(net);
        if (inlen < sizeof net + len)
            break;
        printf("reply %d: %.*s\n", ++replies, (int)len, inbuf + sizeof net);
        memmove(inbuf, inbuf + sizeof net + len, inlen - sizeof net - len);
        inlen -= sizeof net + len;
        shown++;
    }
    return shown;
}

static void usage(void)
{
    fprintf(stderr, "usage: framecli [-c chunk] [-h host] -p port\n");
    exit(2);
}

int main(int argc, char *argv[])
{
    int fd, opt, frames, port = 0, got = 0;
    size_t chunk = 512;
    long total;
    const char *host = "127.0.0.1";
    char *end;
    char buf[BUFSZ + 4];
    ssize_t n, r;
    uint32_t net;
    struct sockaddr_in sa;
    struct hostent *he;

    while ((opt = getopt(argc, argv, "c:h:p:")) != -1) {
        switch (opt) {
        case 'c':
            chunk = strtoul(optarg, &end, 0);
            if (*end != '\0' || chunk == 0 || chunk > BUFSZ) {
                fprintf(stderr, "bad chunk size: %s\n", optarg);
                exit(2);
            }
            break;
        case 'h':
            host = optarg;
            break;
        case 'p':
            port = atoi(optarg);
            break;
        case '?':
        default:
            usage();
        }
    }
    if (port <= 0 || optind < argc)
        usage();

    signal(SIGPIPE, SIG_IGN);
    memset(&sa, 0, sizeof sa);
    sa.sin_family = AF_INET;
    sa.sin_port = htons(port);
    if (strcmp(host, "localhost") == 0) {
        if ((he = gethostbyname(host)) == NULL) {
            fprintf(stderr, "gethostbyname: %s\n", hstrerror(h_errno));
            exit(1);
        }
        memcpy(&sa.sin_addr, he->h_addr_list[0], he->h_length);
    } else if (inet_addr(host) == INADDR_NONE) {
        fprintf(stderr, "bad address: %s\n", host);
        exit(1);
    } else if (inet_aton(host, &sa.sin_addr) == 0) {
        fprintf(stderr, "inet_aton failed: %s\n", host);
        exit(1);
    }

    CHECK(fd = socket(AF_INET, SOCK_STREAM, 0));
    CHECK(connect(fd, (struct sockaddr *)&sa, sizeof sa));

    for (frames = 0, total = 0; (n = read(STDIN_FILENO, buf + 4, chunk)) > 0; frames++, total += n) {
        net = htonl((uint32_t)n);
        memcpy(buf, &net, 4);
        if (writen(fd, buf, n + 4) < 0) {
            if (errno == EPIPE)
                fprintf(stderr, "server went away (EPIPE)\n");
            else
                perror("write");
            exit(1);
        }
        do {
            r = recv(fd, inbuf + inlen, sizeof inbuf - inlen, 0);
            if (r <= 0) {
                fprintf(stderr, "server closed\n");
                exit(1);
            }
            inlen += r;
        } while (drain() == 0);
        got++;
    }
    net = 0;
    CHECK(writen(fd, &net, sizeof net));
    printf("sent %d frames, %ld bytes; %d replies\n", frames, total, got);
    close(fd);
    return 0;
}
