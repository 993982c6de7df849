/* The floor for bench/socket_speed.py: the same work in C.
 *   bench_c pingpong-tcp N     N 1-byte round trips over TCP loopback (TCP_NODELAY)
 *   bench_c pingpong-unix N    N 1-byte round trips over an AF_UNIX socketpair
 *   bench_c bulk BYTES         BYTES one way over TCP loopback, in send()s and recv()s
 *                              of BENCH_CHUNK bytes (default 64 KiB)
 *   bench_c pingpong-tcp-timeout N, pingpong-unix-timeout N
 *                              the same with non-blocking fds and a poll() before
 *                              each call (what a socket timeout costs in C)
 *   bench_c udp N              N 64-byte datagrams over UDP loopback, in batches
 *                              of 64 sends then 64 recvfrom()s, one process
 *   bench_c udp-batch N        the same with one sendmmsg() and one recvmmsg()
 *                              (MSG_WAITFORONE) of 64 datagrams per batch
 * Prints the elapsed seconds of the measured part on stdout; with
 * BENCH_CLOCK=cpu in the environment, the CPU seconds (user + system) that
 * this process and its forked peer spent on it.
 */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <fcntl.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* Bytes per bulk send() and recv(): BENCH_CHUNK in the environment, else 64 KiB. */
static size_t chunk_size(void)
{
    const char *env = getenv("BENCH_CHUNK");
    long long v = env != NULL ? atoll(env) : 0;
    return v > 0 ? (size_t)v : 64 * 1024;
}

static void die(const char *what) { perror(what); exit(1); }

static int cpu_clock;

static double now(void) {
    struct timespec ts;
    clock_gettime(cpu_clock ? CLOCK_PROCESS_CPUTIME_ID : CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}

/* CPU seconds of the reaped children (the forked peer). */
static double children_cpu(void) {
    struct rusage ru;
    getrusage(RUSAGE_CHILDREN, &ru);
    return ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6
         + ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* A connected TCP pair over 127.0.0.1: fds[0] client, fds[1] server side. */
static void tcp_pair(int fds[2]) {
    struct sockaddr_in addr;
    socklen_t len = sizeof addr;
    int one = 1;
    int lst = socket(AF_INET, SOCK_STREAM, 0);
    if (lst == -1) die("socket");
    memset(&addr, 0, sizeof addr);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    if (bind(lst, (struct sockaddr *)&addr, sizeof addr) == -1) die("bind");
    if (listen(lst, 1) == -1) die("listen");
    if (getsockname(lst, (struct sockaddr *)&addr, &len) == -1) die("getsockname");
    fds[0] = socket(AF_INET, SOCK_STREAM, 0);
    if (connect(fds[0], (struct sockaddr *)&addr, sizeof addr) == -1) die("connect");
    fds[1] = accept(lst, NULL, NULL);
    if (fds[1] == -1) die("accept");
    close(lst);
    setsockopt(fds[0], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
    setsockopt(fds[1], IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

static int timed; /* poll() before each call, on non-blocking fds */

static void wait_for(int fd, short events) {
    struct pollfd p = { fd, events, 0 };
    if (timed && poll(&p, 1, 5000) != 1) die("poll");
}

#define SEND(fd, b) (wait_for(fd, POLLOUT), send(fd, b, 1, 0))
#define RECV(fd, b) (wait_for(fd, POLLIN), recv(fd, b, 1, 0))

static double pingpong(int fds[2], long n) {
    char b = 'x';
    if (timed) {
        fcntl(fds[0], F_SETFL, fcntl(fds[0], F_GETFL) | O_NONBLOCK);
        fcntl(fds[1], F_SETFL, fcntl(fds[1], F_GETFL) | O_NONBLOCK);
    }
    pid_t pid = fork();
    if (pid == -1) die("fork");
    if (pid == 0) { /* echo side */
        close(fds[0]);
        for (long i = 0; i < n; i++) {
            if (RECV(fds[1], &b) != 1) die("recv");
            if (SEND(fds[1], &b) != 1) die("send");
        }
        _exit(0);
    }
    close(fds[1]);
    double t0 = now();
    for (long i = 0; i < n; i++) {
        if (SEND(fds[0], &b) != 1) die("send");
        if (RECV(fds[0], &b) != 1) die("recv");
    }
    double t = now() - t0;
    waitpid(pid, NULL, 0);
    close(fds[0]);
    return t;
}

static double bulk(long long total) {
    int fds[2];
    size_t chunk = chunk_size();
    char *buf = malloc(chunk);
    if (buf == NULL) die("malloc");
    tcp_pair(fds);
    pid_t pid = fork();
    if (pid == -1) die("fork");
    if (pid == 0) { /* sender */
        close(fds[1]);
        long long sent = 0;
        memset(buf, 'b', chunk);
        while (sent < total) {
            size_t want = total - sent < (long long)chunk ? (size_t)(total - sent) : chunk;
            ssize_t k = send(fds[0], buf, want, 0);
            if (k <= 0) die("send");
            sent += k;
        }
        _exit(0);
    }
    close(fds[0]);
    long long got = 0;
    double t0 = now();
    while (got < total) {
        ssize_t k = recv(fds[1], buf, chunk, 0);
        if (k <= 0) die("recv");
        got += k;
    }
    double t = now() - t0;
    waitpid(pid, NULL, 0);
    close(fds[1]);
    free(buf);
    return t;
}

static double udp(long n) {
    struct sockaddr_in addr, from;
    socklen_t len = sizeof addr;
    char data[64], buf[64];
    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    int size = 1 << 20;
    memset(&addr, 0, sizeof addr);
    memset(data, 'u', sizeof data);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    if (bind(rx, (struct sockaddr *)&addr, sizeof addr) == -1) die("bind");
    if (getsockname(rx, (struct sockaddr *)&addr, &len) == -1) die("getsockname");
    if (connect(tx, (struct sockaddr *)&addr, sizeof addr) == -1) die("connect");
    double t0 = now();
    for (long done = 0; done < n; done += 64) {
        for (int i = 0; i < 64; i++)
            if (send(tx, data, sizeof data, 0) != sizeof data) die("send");
        for (int i = 0; i < 64; i++) {
            socklen_t flen = sizeof from;
            if (recvfrom(rx, buf, sizeof buf, 0, (struct sockaddr *)&from, &flen) != 64)
                die("recvfrom");
        }
    }
    double t = now() - t0;
    close(rx);
    close(tx);
    return t;
}

static double udp_batch(long n) {
    struct sockaddr_in addr, from[64];
    socklen_t len = sizeof addr;
    char data[64], buf[64][64];
    struct mmsghdr out[64], in[64];
    struct iovec out_iov[64], in_iov[64];
    int rx = socket(AF_INET, SOCK_DGRAM, 0), tx = socket(AF_INET, SOCK_DGRAM, 0);
    int size = 1 << 20;
    memset(&addr, 0, sizeof addr);
    memset(data, 'u', sizeof data);
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    setsockopt(rx, SOL_SOCKET, SO_RCVBUF, &size, sizeof size);
    if (bind(rx, (struct sockaddr *)&addr, sizeof addr) == -1) die("bind");
    if (getsockname(rx, (struct sockaddr *)&addr, &len) == -1) die("getsockname");
    if (connect(tx, (struct sockaddr *)&addr, sizeof addr) == -1) die("connect");
    memset(out, 0, sizeof out);
    for (int i = 0; i < 64; i++) {
        out_iov[i].iov_base = data;
        out_iov[i].iov_len = sizeof data;
        out[i].msg_hdr.msg_iov = &out_iov[i];
        out[i].msg_hdr.msg_iovlen = 1;
    }
    double t0 = now();
    for (long done = 0; done < n; done += 64) {
        if (sendmmsg(tx, out, 64, 0) != 64) die("sendmmsg");
        int got = 0;
        while (got < 64) {
            memset(in, 0, sizeof in);
            for (int i = 0; i < 64; i++) {
                in_iov[i].iov_base = buf[i];
                in_iov[i].iov_len = sizeof buf[i];
                in[i].msg_hdr.msg_iov = &in_iov[i];
                in[i].msg_hdr.msg_iovlen = 1;
                in[i].msg_hdr.msg_name = &from[i];
                in[i].msg_hdr.msg_namelen = sizeof from[i];
            }
            int k = recvmmsg(rx, in, 64 - got, MSG_WAITFORONE, NULL);
            if (k <= 0) die("recvmmsg");
            got += k;
        }
    }
    double t = now() - t0;
    close(rx);
    close(tx);
    return t;
}

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s pingpong-tcp|pingpong-unix|bulk N\n", argv[0]);
        return 2;
    }
    long long n = atoll(argv[2]);
    int fds[2];
    double t;
    const char *clock_env = getenv("BENCH_CLOCK");
    cpu_clock = clock_env != NULL && strcmp(clock_env, "cpu") == 0;
    timed = strstr(argv[1], "-timeout") != NULL;
    if (strncmp(argv[1], "pingpong-tcp", 12) == 0) {
        tcp_pair(fds);
        t = pingpong(fds, n);
    } else if (strncmp(argv[1], "pingpong-unix", 13) == 0) {
        if (socketpair(AF_UNIX, SOCK_STREAM, 0, fds) == -1) die("socketpair");
        t = pingpong(fds, n);
    } else if (strcmp(argv[1], "bulk") == 0) {
        t = bulk(n);
    } else if (strcmp(argv[1], "udp") == 0) {
        t = udp(n);
    } else if (strcmp(argv[1], "udp-batch") == 0) {
        t = udp_batch(n);
    } else {
        fprintf(stderr, "unknown test %s\n", argv[1]);
        return 2;
    }
    if (cpu_clock)
        t += children_cpu();
    printf("%.6f\n", t);
    return 0;
}
