/*
 * framesrv.c - an iterative server for length-prefixed frames: getopt()
 * options, a uint32_t length in network byte order read with MSG_PEEK then
 * MSG_WAITALL, an unsigned char checksum, SO_RCVBUF/getsockopt(),
 * SO_KEEPALIVE and TCP_NODELAY on each connection.
 *
 *   Usage: framesrv [-v] [-b RCVBUF] -p PORT -n MAXCLIENTS
 *
 * Prints "framesrv: port N" on stderr. For each frame: "frame N: LEN bytes,
 * sum S" on stdout (-v adds the first bytes), and answers a frame holding
 * "ok LEN S". A frame of length 0 ends the connection. Exits 0 after
 * MAXCLIENTS clients.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define MAXFRAME 65536
#define MIN(a, b) ((a) < (b) ? (a) : (b))

enum state { WANT_HEADER, WANT_BODY, DONE };

static int verbose = 0;

static void usage(const char *prog)
{
    fprintf(stderr, "usage: %s [-v] [-b rcvbuf] -p port -n maxclients\n", prog);
    exit(2);
}

static unsigned int checksum(const unsigned char *p, size_t len)
{
    unsigned char a = 0, b = 0;

    while (len-- > 0) {
        a += *p++;
        b += a;
        b ^= (unsigned char)(a << 1);
    }
    return (unsigned int)b << 8 | a;
}

static int send_frame(int fd, const char *text)
{
    uint32_t len = strlen(text);
    uint32_t net = htonl(len);
    char out[128];

    memcpy(out, &net, sizeof net);
    memcpy(out + sizeof net, text, len);
    return send(fd, out, sizeof net + len, 0) == (ssize_t)(sizeof net + len) ? 0 : -1;
}

static void serve(int fd)
{
    static int frames = 0; /* counts across clients */
    static char body[MAXFRAME];
    enum state st = WANT_HEADER;
    uint32_t net, len = 0;
    ssize_t n;
    char reply[64];
    unsigned int sum;

    while (st != DONE) {
        switch (st) {
        case WANT_HEADER:
            n = recv(fd, &net, sizeof net, MSG_PEEK);
            if (n <= 0) {
                st = DONE;
                break;
            }
            if ((size_t)n < sizeof net) /* wait for the whole header */
                n = recv(fd, &net, sizeof net, MSG_WAITALL);
            else
                n = recv(fd, &net, sizeof net, 0);
            len = ntohl(net);
            if (len == 0 || len > MAXFRAME) {
                st = DONE;
                break;
            }
            st = WANT_BODY;
            /* fall through */
        case WANT_BODY:
            n = recv(fd, body, len, MSG_WAITALL);
            if (n != (ssize_t)len) {
                fprintf(stderr, "short frame: %zd of %u\n", n, len);
                st = DONE;
                break;
            }
            sum = checksum((unsigned char *)body, len);
            frames++;
            printf("frame %d: %u bytes, sum %u", frames, len, sum);
            if (verbose)
                printf(" [%.*s]", (int)MIN(len, 8u), body);
            printf("\n");
            sprintf(reply, "ok %u %u", len, sum);
            if (send_frame(fd, reply) < 0) {
                perror("send");
                st = DONE;
                break;
            }
            st = WANT_HEADER;
            break;
        case DONE:
            break;
        }
    }
}

int main(int argc, char *argv[])
{
    int lfd, cfd, opt, on = 1, port = -1, maxclients = -1, served;
    int rcvbuf = 0, got;
    socklen_t optlen;
    struct sockaddr_in addr;
    socklen_t alen;

    while ((opt = getopt(argc, argv, "vb:p:n:")) != -1) {
        switch (opt) {
        case 'v':
            verbose = 1;
            break;
        case 'b':
            rcvbuf = atoi(optarg);
            break;
        case 'p':
            port = (int)strtoul(optarg, NULL, 10);
            break;
        case 'n':
            maxclients = atoi(optarg);
            break;
        default:
            usage(argv[0]);
        }
    }
    if (port < 0 || maxclients < 0 || optind != argc)
        usage(argv[0]);

    if ((lfd = socket(AF_INET, SOCK_STREAM, 0)) == -1) {
        perror("socket");
        exit(1);
    }
    setsockopt(lfd, SOL_SOCKET, SO_REUSEADDR, &on, sizeof on);
    if (rcvbuf > 0) {
        if (setsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof rcvbuf) == -1)
            perror("setsockopt SO_RCVBUF");
        optlen = sizeof got;
        if (getsockopt(lfd, SOL_SOCKET, SO_RCVBUF, &got, &optlen) == -1)
            perror("getsockopt");
        else
            printf("rcvbuf %s (optlen %u)\n", got >= rcvbuf ? "at least asked" : "smaller",
                   (unsigned)optlen);
    }
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = htons(port);
    if (bind(lfd, (struct sockaddr *)&addr, sizeof addr) == -1 || listen(lfd, 5) == -1) {
        perror("bind/listen");
        exit(1);
    }
    alen = sizeof addr;
    getsockname(lfd, (struct sockaddr *)&addr, &alen);
    fprintf(stderr, "framesrv: port %d\n", ntohs(addr.sin_port));

    for (served = 0; served < maxclients; served++) {
        if ((cfd = accept(lfd, NULL, NULL)) == -1) {
            perror("accept");
            exit(1);
        }
        setsockopt(cfd, SOL_SOCKET, SO_KEEPALIVE, &on, sizeof on);
        setsockopt(cfd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        serve(cfd);
        close(cfd);
    }
    close(lfd);
    return 0;
}
