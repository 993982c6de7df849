/*
 * nbconnect.c - a connect() with a time limit, in Kerrisk's style: the
 * socket made nonblocking with fcntl(O_NONBLOCK), connect() answering
 * EINPROGRESS, poll() for POLLOUT, getsockopt(SO_ERROR) for the outcome,
 * then blocking again for an ordinary exchange.
 *
 *   Usage: nbconnect IPV4ADDRESS PORT MESSAGE
 *
 * Sends MESSAGE and a newline, shuts down its side and prints what comes
 * back. A refused or timed-out connect prints "connect: REASON" on stderr
 * and exits 2.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#define TIMEOUT_MS 3000

static int connectTimed(int sfd, const struct sockaddr *addr, socklen_t len, int ms)
{
    int flags, err, n;
    socklen_t errlen;
    struct pollfd pfd;

    flags = fcntl(sfd, F_GETFL);
    if (flags == -1)
        return -1;
    if (fcntl(sfd, F_SETFL, flags | O_NONBLOCK) == -1)
        return -1;

    if (connect(sfd, addr, len) == -1) {
        if (errno != EINPROGRESS)
            return -1;

        pfd.fd = sfd;
        pfd.events = POLLOUT;
        n = poll(&pfd, 1, ms);
        if (n == -1)
            return -1;
        if (n == 0) {
            errno = ETIMEDOUT;
            return -1;
        }

        errlen = sizeof(err);
        if (getsockopt(sfd, SOL_SOCKET, SO_ERROR, &err, &errlen) == -1)
            return -1;
        if (err != 0) {
            errno = err;
            return -1;
        }
    }
    if (fcntl(sfd, F_SETFL, flags) == -1) /* blocking again */
        return -1;
    return 0;
}

int main(int argc, char *argv[])
{
    int sfd;
    struct sockaddr_in addr;
    char buf[256];
    ssize_t numRead;
    size_t msgLen;

    if (argc != 4) {
        fprintf(stderr, "Usage: nbconnect address port message\n");
        exit(EXIT_FAILURE);
    }

    memset(&addr, 0, sizeof(struct sockaddr_in));
    addr.sin_family = AF_INET;
    addr.sin_port = htons((unsigned short) strtol(argv[2], NULL, 10));
    if (inet_pton(AF_INET, argv[1], &addr.sin_addr) != 1) {
        fprintf(stderr, "bad address %s\n", argv[1]);
        exit(EXIT_FAILURE);
    }

    sfd = socket(AF_INET, SOCK_STREAM, 0);
    if (sfd == -1) {
        perror("socket");
        exit(EXIT_FAILURE);
    }

    if (connectTimed(sfd, (struct sockaddr *) &addr, sizeof(addr), TIMEOUT_MS) == -1) {
        fprintf(stderr, "connect: %s\n", strerror(errno));
        exit(2);
    }

    msgLen = strlen(argv[3]);
    if (write(sfd, argv[3], msgLen) != (ssize_t) msgLen || write(sfd, "\n", 1) != 1) {
        perror("write");
        exit(EXIT_FAILURE);
    }
    if (shutdown(sfd, SHUT_WR) == -1) {
        perror("shutdown");
        exit(EXIT_FAILURE);
    }

    while ((numRead = read(sfd, buf, sizeof(buf))) > 0)
        if (fwrite(buf, 1, numRead, stdout) != (size_t) numRead) {
            perror("fwrite");
            exit(EXIT_FAILURE);
        }
    if (numRead == -1) {
        perror("read");
        exit(EXIT_FAILURE);
    }

    exit(EXIT_SUCCESS);
}
