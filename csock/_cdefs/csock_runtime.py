"""csock's own C, for the Pythonic layer (not part of csock.c).

A socket's descriptor lives in a ``csockrt_fd``: the number, and one atomic
word holding a closed flag, a detached flag and the count of calls running
on it (Go's internal/poll fdMutex, reduced to what csock needs). Every
system call on a csock.Socket goes through a function here that takes a
reference, makes the call and drops the reference, in one C call:

* a call on a closed socket fails with -EBADF before touching the number;
* close() marks the socket closed and close(2)s the number only when no
  call is running; otherwise the last call to return closes it. So no
  call ever acts on a number that was closed and given to someone else.

The I/O functions take ``deadline``, a time.monotonic() value (the same
CLOCK_MONOTONIC): negative makes the call at once (a blocking or
non-blocking socket); otherwise they poll() the descriptor until the
deadline, make the call, and poll again when it says EAGAIN (CPython's
sock_call_ex, in one crossing into C). They return the result, or -errno
(CSOCKRT_EXPIRED when the deadline passed), and leave errno as it was set by
the failing call, so ``ffi.errno`` agrees. EINTR always comes back to the
caller, so signal handlers run and their exceptions propagate (PEP 475); the
caller calls again with the same deadline (csock_hot's C functions do so
themselves, in C, for the calls that pin a caller's buffer).

csock_hot's C functions (Socket.recv, recv_into, send, sendall, recvmmsg)
and the ``*_fast`` functions here (recvfrom and sendto's hot paths) take no
deadline: the socket's timeout is kept in its csockrt_fd
(csockrt_fd_set_timeout), and the deadline is computed in C, so Python
computes nothing for a call. When EINTR cuts a ``*_fast`` call (or
csock_hot's recv) under a timeout, it returns CSOCKRT_INTR_AT minus the
deadline in nanoseconds, so that Python goes on with the same deadline.

The send functions OR in MSG_NOSIGNAL: a peer that went away gives EPIPE,
never a SIGPIPE that kills the process.
"""

INCLUDES = """
#include <stdatomic.h>
#include <errno.h>
#include <poll.h>
#include <fcntl.h>
#include <unistd.h>
#include <sys/socket.h>
#include <sys/sendfile.h>
#include <string.h>
#include <time.h>
#include <limits.h>
#include <stdlib.h>
"""

TYPES = """
typedef struct { ...; } csockrt_fd;

#define CSOCKRT_EXPIRED ...
#define CSOCKRT_BADARG ...
#define CSOCKRT_INTR_AT ...
#define CSOCKRT_NEW_SENDER ...
#define CSOCKRT_KEY_LIMIT ...

/* recvfrom()'s buffer and its last sender, kept between calls. */
typedef struct {
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int sender;
    char buf[4096];
} csockrt_from;
"""

FUNCTIONS = """
void csockrt_fd_init(csockrt_fd *f, int fd);
int csockrt_fd_get(csockrt_fd *f);
int csockrt_fd_close(csockrt_fd *f);
int csockrt_fd_detach(csockrt_fd *f);
int csockrt_fd_acquire(csockrt_fd *f);
void csockrt_fd_release(csockrt_fd *f);
int csockrt_fd_calls(csockrt_fd *f);

int csockrt_wait(csockrt_fd *f, int events, double deadline);
void csockrt_fd_set_timeout(csockrt_fd *f, double timeout);
long long csockrt_recvfrom_fast(csockrt_fd *f, csockrt_from *from, long long len,
                                long long flags);
long long csockrt_sendto_fast(csockrt_fd *f, const void *buf, size_t len,
                              const struct sockaddr *addr, socklen_t addrlen);
int csockrt_key_set(csockrt_fd *f, unsigned int key, uintptr_t owner);
unsigned int csockrt_key_clear(csockrt_fd *f);
ssize_t csockrt_recv(csockrt_fd *f, void *buf, size_t len, int flags, double deadline);
ssize_t csockrt_send(csockrt_fd *f, const void *buf, size_t len, int flags, double deadline);
ssize_t csockrt_recvfrom(csockrt_fd *f, void *buf, size_t len, int flags,
                         struct sockaddr *addr, socklen_t *addrlen, double deadline);
ssize_t csockrt_sendto(csockrt_fd *f, const void *buf, size_t len, int flags,
                       const struct sockaddr *addr, socklen_t addrlen, double deadline);
ssize_t csockrt_recvmsg(csockrt_fd *f, struct msghdr *msg, int flags, double deadline);
ssize_t csockrt_sendmsg(csockrt_fd *f, const struct msghdr *msg, int flags, double deadline);
int csockrt_sendmmsg(csockrt_fd *f, struct mmsghdr *msgvec, unsigned int vlen, int flags,
                     double deadline);
int csockrt_recvmmsg(csockrt_fd *f, struct mmsghdr *msgvec, unsigned int vlen, int flags,
                     double deadline);
void csockrt_mmsg_send_init(struct mmsghdr *vec, struct iovec *iov, unsigned int n,
                            void **bases, size_t *lens, void **names, socklen_t *namelens);
int csockrt_sendmmsg_packed(csockrt_fd *f, struct mmsghdr *vec, struct iovec *iov,
                            unsigned int n, const char *data, const size_t *lens, size_t size,
                            int flags, double deadline);
int csockrt_recvmmsg_batch(csockrt_fd *f, struct mmsghdr *vec, struct iovec *iov,
                           unsigned int n, char *buf, size_t size,
                           struct sockaddr_storage *names, int *out, int flags,
                           double deadline);
int csockrt_accept4(csockrt_fd *f, struct sockaddr *addr, socklen_t *addrlen, int flags,
                    double deadline);
ssize_t csockrt_sendfile(csockrt_fd *f, int in_fd, off_t *offset, size_t count,
                         double deadline);
int csockrt_connect(csockrt_fd *f, const struct sockaddr *addr, socklen_t addrlen);
int csockrt_bind(csockrt_fd *f, const struct sockaddr *addr, socklen_t addrlen);
int csockrt_listen(csockrt_fd *f, int backlog);
int csockrt_shutdown(csockrt_fd *f, int how);
int csockrt_getsockname(csockrt_fd *f, struct sockaddr *addr, socklen_t *addrlen);
int csockrt_getpeername(csockrt_fd *f, struct sockaddr *addr, socklen_t *addrlen);
int csockrt_getsockopt(csockrt_fd *f, int level, int name, void *value, socklen_t *len);
int csockrt_setsockopt(csockrt_fd *f, int level, int name, const void *value, socklen_t len);
int csockrt_fcntl(csockrt_fd *f, int cmd, int arg);
"""

CUSTOMIZATIONS = r"""
/* state: bit 0 closed, bit 1 detached, the rest counts running calls. */
#define CSOCKRT_CLOSED 1u
#define CSOCKRT_DETACHED 2u
#define CSOCKRT_CALL 4u
/* Outside errno's range: the poll before the call timed out. */
#define CSOCKRT_EXPIRED (-100000)
/* A hot path's arguments (a *_fast or csock_hot function's) are not the
   common case: nothing was done, the caller takes its general path (which
   raises what CPython raises). */
#define CSOCKRT_BADARG (-100001)
/* A hot call under a timeout cut by EINTR returns CSOCKRT_INTR_AT - the
   deadline in CLOCK_MONOTONIC nanoseconds (timeouts are kept below 2**61 ns,
   73 years, so the value stays above LLONG_MIN). */
#define CSOCKRT_INTR_AT (-(1LL << 62))
#define CSOCKRT_TIMEOUT_MAX_NS (1LL << 61)
/* Added to csockrt_recvfrom_fast's count when the sender is not the last
   one's (so Python reads from->sender only then). */
#define CSOCKRT_NEW_SENDER (1LL << 32)
/* Keys (see "Keys" below): 1 to 65,535. */
#define CSOCKRT_KEY_LIMIT (1 << 16)
#define CSOCKRT_CHUNK_BITS 8

/* The buffer of Socket.recvfrom's hot path, and the sender of the last
   datagram received into it: addr, addrlen (cut to addr). After a call,
   sender is addrlen, or -1 when the sender was the same as the last one
   (and the count returned has CSOCKRT_NEW_SENDER added when it was not),
   so that Python decodes an address only when it changes. */
typedef struct {
    struct sockaddr_storage addr;
    socklen_t addrlen;
    int sender;
    char buf[4096];
} csockrt_from;

typedef struct {
    int fd;
    _Atomic unsigned int state;
    /* The Socket's timeout for the hot paths: < 0 blocking, 0
       non-blocking, > 0 nanoseconds (rounded up, as CPython's). */
    _Atomic long long timeout_ns;
    /* The Socket's key (0: none; see the keys), and the address of the
       cdata that owns this struct (id() of it), which a hot call's tuple
       must hold. */
    unsigned int key;
    uintptr_t owner;
} csockrt_fd;

static void csockrt_fd_init(csockrt_fd *f, int fd)
{
    f->fd = fd;
    atomic_store(&f->state, 0u);
    atomic_store(&f->timeout_ns, -1LL);
    /* key and owner stay: set once, when f is made (ffi.new zeroes them). */
}

/* timeout in seconds, negative for none (blocking). */
static void csockrt_fd_set_timeout(csockrt_fd *f, double timeout)
{
    long long ns = -1;
    if (timeout >= 0) {
        double scaled = timeout * 1e9;
        if (scaled >= (double)CSOCKRT_TIMEOUT_MAX_NS) {
            ns = CSOCKRT_TIMEOUT_MAX_NS;
        } else {
            ns = (long long)scaled;
            if ((double)ns < scaled)
                ns++;  /* rounded up */
        }
    }
    atomic_store(&f->timeout_ns, ns);
}

/* The number, or -1 once closed or detached (it may still be open under a
   running call, but it is no longer this socket's to use). */
static int csockrt_fd_get(csockrt_fd *f)
{
    return (atomic_load(&f->state) & CSOCKRT_CLOSED) ? -1 : f->fd;
}

/* A reference for one call: the number, or -1 when closed. */
static int csockrt_fd_acquire(csockrt_fd *f)
{
    unsigned int s = atomic_load(&f->state);
    do {
        if (s & CSOCKRT_CLOSED)
            return -1;
    } while (!atomic_compare_exchange_weak(&f->state, &s, s + CSOCKRT_CALL));
    return f->fd;
}

/* Drop a reference; the last call out of a closed socket closes it. errno
   is kept, so the caller's errno is the failed call's. */
static void csockrt_fd_release(csockrt_fd *f)
{
    unsigned int s = atomic_fetch_sub(&f->state, CSOCKRT_CALL) - CSOCKRT_CALL;
    if (s == CSOCKRT_CLOSED) {
        int saved = errno;
        close(f->fd);
        errno = saved;
    }
}

/* 0: closed now; 1: closed, the number released when the running calls
   return; 2: it was closed already; -errno: close(2) failed (the number is
   gone all the same, as after any close(2) on Linux). */
static int csockrt_fd_close(csockrt_fd *f)
{
    unsigned int s = atomic_fetch_or(&f->state, CSOCKRT_CLOSED);
    if (s & CSOCKRT_CLOSED)
        return 2;
    if (s >= CSOCKRT_CALL)
        return 1;
    return close(f->fd) == -1 ? -errno : 0;
}

/* Give the number up without closing it: the number, or -1 if closed. */
static int csockrt_fd_detach(csockrt_fd *f)
{
    unsigned int s = atomic_fetch_or(&f->state, CSOCKRT_CLOSED | CSOCKRT_DETACHED);
    return (s & CSOCKRT_CLOSED) ? -1 : f->fd;
}

static int csockrt_fd_calls(csockrt_fd *f)
{
    return (int)(atomic_load(&f->state) / CSOCKRT_CALL);
}

/* Wait until fd is ready for events or the deadline (a CLOCK_MONOTONIC time
   in seconds) passes: 0 ready, CSOCKRT_EXPIRED, or -errno (-EINTR included,
   for Python's signal handlers). The remaining time is rounded up to whole
   milliseconds as CPython does; poll() takes at most INT_MAX of them (24.8
   days), so a longer wait is made of several. first: the call's first poll,
   made even when the deadline has passed (with no wait): CPython polls once
   with the whole timeout before it looks at the clock, so a socket that is
   ready never times out, however short the timeout. */
static int csockrt_poll_until(int fd, int events, double deadline, int first)
{
    struct pollfd p;
    struct timespec now;
    double remaining_ms;
    int ms, n;
    p.fd = fd;
    p.events = (short)events;
    for (;; first = 0) {
        clock_gettime(CLOCK_MONOTONIC, &now);
        remaining_ms = (deadline - ((double)now.tv_sec + (double)now.tv_nsec * 1e-9)) * 1e3;
        if (remaining_ms <= 0.0) {
            if (!first)
                return CSOCKRT_EXPIRED;
            ms = 0;
        } else if (remaining_ms >= (double)INT_MAX) {
            ms = INT_MAX;
        } else {
            ms = (int)remaining_ms;
            if ((double)ms < remaining_ms)
                ms++;  /* rounded up */
        }
        p.revents = 0;
        n = poll(&p, 1, ms);
        if (n > 0)
            return 0;
        if (n < 0)
            return -errno;
    }
}

#define CSOCKRT_ENTER(f) \
    int fd = csockrt_fd_acquire(f); \
    if (fd < 0) { errno = EBADF; return -EBADF; }

#define CSOCKRT_LEAVE(f, result) \
    do { \
        long long r_ = (long long)(result); \
        if (r_ == -1) r_ = -errno; \
        csockrt_fd_release(f); \
        return r_; \
    } while (0)

/* The call; with a deadline (>= 0), poll() for events first, and again while
   the call says EAGAIN (readiness can be spurious: another reader won). */
#define CSOCKRT_IO(f, events, deadline, call) \
    CSOCKRT_ENTER(f) \
    long long io_; \
    int first_ = 1; /* after a spurious EAGAIN, a passed deadline is final */ \
    for (;; first_ = 0) { \
        if ((deadline) >= 0) { \
            int w_ = csockrt_poll_until(fd, (events), (deadline), first_); \
            if (w_ != 0) { csockrt_fd_release(f); return w_; } \
        } \
        io_ = (long long)(call); \
        if (io_ != -1 || (deadline) < 0 || (errno != EAGAIN && errno != EWOULDBLOCK)) \
            break; \
    } \
    CSOCKRT_LEAVE(f, io_)

/* Wait for events until the deadline; a negative deadline waits as long as
   it takes. 0, CSOCKRT_EXPIRED or -errno. */
static int csockrt_wait(csockrt_fd *f, int events, double deadline)
{
    CSOCKRT_ENTER(f)
    int w;
    if (deadline >= 0) {
        w = csockrt_poll_until(fd, events, deadline, 1);
    } else {
        struct pollfd p;
        p.fd = fd;
        p.events = (short)events;
        p.revents = 0;
        w = poll(&p, 1, -1) < 0 ? -errno : 0;
    }
    csockrt_fd_release(f);
    return w;
}

static ssize_t csockrt_recv(csockrt_fd *f, void *buf, size_t len, int flags, double deadline)
{
    CSOCKRT_IO(f, POLLIN, deadline, recv(fd, buf, len, flags));
}

static ssize_t csockrt_send(csockrt_fd *f, const void *buf, size_t len, int flags,
                            double deadline)
{
    CSOCKRT_IO(f, POLLOUT, deadline, send(fd, buf, len, flags | MSG_NOSIGNAL));
}

static ssize_t csockrt_recvfrom(csockrt_fd *f, void *buf, size_t len, int flags,
                                struct sockaddr *addr, socklen_t *addrlen, double deadline)
{
    CSOCKRT_IO(f, POLLIN, deadline, recvfrom(fd, buf, len, flags, addr, addrlen));
}

static ssize_t csockrt_sendto(csockrt_fd *f, const void *buf, size_t len, int flags,
                              const struct sockaddr *addr, socklen_t addrlen, double deadline)
{
    CSOCKRT_IO(f, POLLOUT, deadline, sendto(fd, buf, len, flags | MSG_NOSIGNAL, addr, addrlen));
}

static ssize_t csockrt_recvmsg(csockrt_fd *f, struct msghdr *msg, int flags, double deadline)
{
    CSOCKRT_IO(f, POLLIN, deadline, recvmsg(fd, msg, flags));
}

static ssize_t csockrt_sendmsg(csockrt_fd *f, const struct msghdr *msg, int flags,
                               double deadline)
{
    CSOCKRT_IO(f, POLLOUT, deadline, sendmsg(fd, msg, flags | MSG_NOSIGNAL));
}

static int csockrt_sendmmsg(csockrt_fd *f, struct mmsghdr *msgvec, unsigned int vlen,
                            int flags, double deadline)
{
    CSOCKRT_IO(f, POLLOUT, deadline, sendmmsg(fd, msgvec, vlen, flags | MSG_NOSIGNAL));
}

/* No timeout argument: recvmmsg's is checked only after a datagram arrives
   (BUGS in recvmmsg(2)); the poll before the call is the timeout. */
static int csockrt_recvmmsg(csockrt_fd *f, struct mmsghdr *msgvec, unsigned int vlen,
                            int flags, double deadline)
{
    CSOCKRT_IO(f, POLLIN, deadline, recvmmsg(fd, msgvec, vlen, flags, NULL));
}

/* The hot paths (the *_fast functions below, csock_hot's C): the range
   checks of CPython's argument parsing done in C, where they cost nothing
   (a C int of flags, 0 < len <= the buffer's size; recv and recvfrom also
   leave MSG_TRUNC, whose result can pass len, to the general path).
   Arguments outside them give CSOCKRT_BADARG, before the descriptor is
   touched. The deadline comes from the socket's timeout. */
#define CSOCKRT_C_INT(v) ((v) >= INT_MIN && (v) <= INT_MAX)

/* CLOCK_MONOTONIC in nanoseconds (time.monotonic()'s clock). */
static long long csockrt_now_ns(void)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (long long)now.tv_sec * 1000000000LL + now.tv_nsec;
}

/* -1 (no poll) for a blocking or non-blocking socket, else now + timeout. */
static long long csockrt_deadline_ns(csockrt_fd *f)
{
    long long timeout = atomic_load_explicit(&f->timeout_ns, memory_order_relaxed);
    if (timeout <= 0)
        return -1;
    return csockrt_now_ns() + timeout;
}

static double csockrt_seconds(long long deadline_ns)
{
    return deadline_ns < 0 ? -1.0 : (double)deadline_ns / 1e9;
}

/* EINTR under a deadline: the deadline goes back to Python with it. long
   long, not ssize_t: CSOCKRT_INTR_AT - deadline and CSOCKRT_NEW_SENDER need
   64 bits, which ssize_t has not on a 32-bit build. */
static long long csockrt_timed(long long result, long long deadline_ns)
{
    if (result == -EINTR && deadline_ns >= 0)
        return CSOCKRT_INTR_AT - deadline_ns;
    return result;
}

/* recv() under the socket's timeout, once the arguments are checked (by
   csock_hot's recv, which returns its EINTR to Python: it pins no caller's
   buffer). */
static long long csockrt_recv_timed(csockrt_fd *f, void *buf, long long len, long long flags)
{
    long long d = csockrt_deadline_ns(f);
    return csockrt_timed(csockrt_recv(f, buf, (size_t)len, (int)flags, csockrt_seconds(d)), d);
}

static long long csockrt_recvfrom_fast(csockrt_fd *f, csockrt_from *from, long long len,
                                       long long flags)
{
    struct sockaddr_storage addr;
    socklen_t addrlen = sizeof(addr);
    long long n;
    long long d;
    if (len <= 0 || len > (long long)sizeof(from->buf) || !CSOCKRT_C_INT(flags)
            || (flags & MSG_TRUNC))
        return CSOCKRT_BADARG;
    d = csockrt_deadline_ns(f);
    n = csockrt_timed(csockrt_recvfrom(f, from->buf, (size_t)len, (int)flags,
                                       (struct sockaddr *)&addr, &addrlen, csockrt_seconds(d)),
                      d);
    if (n >= 0) {
        if (addrlen > sizeof(addr))
            addrlen = sizeof(addr);  /* the kernel's full length: cut to what we have */
        if (addrlen == from->addrlen && memcmp(&addr, &from->addr, addrlen) == 0) {
            from->sender = -1;
        } else {
            memcpy(&from->addr, &addr, addrlen);
            from->addrlen = addrlen;
            from->sender = (int)addrlen;
            n += CSOCKRT_NEW_SENDER;
        }
    }
    return n;
}

/* sendto(data, address) to the last address, encoded already. */
static long long csockrt_sendto_fast(csockrt_fd *f, const void *buf, size_t len,
                                     const struct sockaddr *addr, socklen_t addrlen)
{
    long long d = csockrt_deadline_ns(f);
    return csockrt_timed(csockrt_sendto(f, buf, len, 0, addr, addrlen, csockrt_seconds(d)), d);
}

/* Keys: how csock_hot's C functions find a Socket's csockrt_fd.

Each Socket's csockrt_fd has a key, a number from 1 that Python hands out
(under the GIL: fork needs no lock here). The key finds the csockrt_fd in
this table: chunks of 256 pointers, each made once and never freed, so a
lookup takes no lock. A key is set when its Socket is made and cleared just
before its csockrt_fd is freed (by a weak reference callback, when the
owning cdata is deallocated: never by a finalizer, which a collected cycle
runs even if a __del__ resurrects it): no call can name a freed csockrt_fd,
since a hot call's argument, the Socket's (key, cdata) tuple, holds the
cdata for the call. The tuple must hold the very cdata (its address is the
csockrt_fd's owner): a forged one with a live key and another object would
let the csockrt_fd be freed under the call. Key 0 and keys not set find
NULL: the call returns CSOCKRT_BADARG, and Python takes the general path
(so do Sockets past 65,535 alive at once, which get no key). */
static _Atomic(csockrt_fd **) csockrt_keys[CSOCKRT_KEY_LIMIT >> CSOCKRT_CHUNK_BITS];
#define CSOCKRT_CHUNK_MASK ((1 << CSOCKRT_CHUNK_BITS) - 1)

/* 0, or -1 when the key is out of range or no memory (the Socket has no key). */
static int csockrt_key_set(csockrt_fd *f, unsigned int key, uintptr_t owner)
{
    _Atomic(csockrt_fd **) *slot;
    csockrt_fd **chunk, **fresh;
    if (key == 0 || key >= CSOCKRT_KEY_LIMIT)
        return -1;
    slot = &csockrt_keys[key >> CSOCKRT_CHUNK_BITS];
    chunk = atomic_load(slot);
    if (chunk == NULL) {
        fresh = calloc((size_t)1 << CSOCKRT_CHUNK_BITS, sizeof(*fresh));
        if (fresh == NULL)
            return -1;
        /* Another thread may have made it meanwhile (the GIL is released). */
        if (atomic_compare_exchange_strong(slot, &chunk, fresh))
            chunk = fresh;
        else
            free(fresh);
    }
    f->key = key;
    f->owner = owner;
    chunk[key & CSOCKRT_CHUNK_MASK] = f;
    return 0;
}

/* Forget f's key, before f is freed: the key, for reuse (0 if it had none). */
static unsigned int csockrt_key_clear(csockrt_fd *f)
{
    unsigned int key = f->key;
    if (key != 0)
        atomic_load(&csockrt_keys[key >> CSOCKRT_CHUNK_BITS])[key & CSOCKRT_CHUNK_MASK] = NULL;
    f->key = 0;
    f->owner = 0;
    return key;
}

/* The csockrt_fd of a key (below CSOCKRT_KEY_LIMIT), or NULL. */
static csockrt_fd *csockrt_key_get(unsigned int key)
{
    csockrt_fd **chunk = atomic_load_explicit(&csockrt_keys[key >> CSOCKRT_CHUNK_BITS],
                                              memory_order_acquire);
    return chunk == NULL ? NULL : chunk[key & CSOCKRT_CHUNK_MASK];
}

/* The mmsghdr vectors are filled here: from Python, field by field, filling
   them cost more than the system calls a batch saves. */

/* For sendmmsg: datagram i is lens[i] bytes at bases[i], sent to names[i]
   (NULL: the connected peer) of namelens[i] bytes. */
static void csockrt_mmsg_send_init(struct mmsghdr *vec, struct iovec *iov, unsigned int n,
                                   void **bases, size_t *lens, void **names,
                                   socklen_t *namelens)
{
    unsigned int i;
    memset(vec, 0, n * sizeof(*vec));
    for (i = 0; i < n; i++) {
        iov[i].iov_base = bases[i];
        iov[i].iov_len = lens[i];
        vec[i].msg_hdr.msg_iov = &iov[i];
        vec[i].msg_hdr.msg_iovlen = 1;
        vec[i].msg_hdr.msg_name = names[i];
        vec[i].msg_hdr.msg_namelen = names[i] ? namelens[i] : 0;
    }
}

/* For recvmmsg: datagram i goes to the size bytes at buf + i * size, its
   sender to names[i]. */
static void csockrt_mmsg_recv_init(struct mmsghdr *vec, struct iovec *iov, unsigned int n,
                                   char *buf, size_t size, struct sockaddr_storage *names)
{
    unsigned int i;
    memset(vec, 0, n * sizeof(*vec));
    for (i = 0; i < n; i++) {
        iov[i].iov_base = buf + (size_t)i * size;
        iov[i].iov_len = size;
        vec[i].msg_hdr.msg_iov = &iov[i];
        vec[i].msg_hdr.msg_iovlen = 1;
        vec[i].msg_hdr.msg_name = &names[i];
        vec[i].msg_hdr.msg_namelen = sizeof(names[i]);
    }
}

/* sendmmsg of n datagrams packed end to end in data, lens[i] bytes each, to
   the connected peer: the vector built and the call made in one crossing. */
static int csockrt_sendmmsg_packed(csockrt_fd *f, struct mmsghdr *vec, struct iovec *iov,
                                   unsigned int n, const char *data, const size_t *lens,
                                   size_t size, int flags, double deadline)
{
    unsigned int i;
    size_t offset = 0;
    memset(vec, 0, n * sizeof(*vec));
    for (i = 0; i < n; i++) {
        size_t len = lens ? lens[i] : size;  /* NULL lens: every datagram is size bytes */
        iov[i].iov_base = (void *)(data + offset);
        iov[i].iov_len = len;
        offset += len;
        vec[i].msg_hdr.msg_iov = &iov[i];
        vec[i].msg_hdr.msg_iovlen = 1;
    }
    return csockrt_sendmmsg(f, vec, n, flags, deadline);
}

/* recvmmsg into n buffers of size bytes, in one crossing: the vector set up,
   the call made, and for the k datagrams received: out[i] where datagram
   i's data ends in buf (i * size + its length cut to size: Python slices
   buf[i * size:out[i]]); out[n + i] its sender's length (cut to the
   storage), or -1 when the sender is the previous datagram's (so Python
   decodes it once); out[2n + i] its msg_flags; and out[3n] 1 when the batch
   is uniform (one sender, every msg_flags 0), else 0. Returns k, or -errno /
   CSOCKRT_EXPIRED. */
static int csockrt_recvmmsg_batch(csockrt_fd *f, struct mmsghdr *vec, struct iovec *iov,
                                  unsigned int n, char *buf, size_t size,
                                  struct sockaddr_storage *names, int *out, int flags,
                                  double deadline)
{
    unsigned int i, got;
    socklen_t previous = 0;
    int k, uniform = 1;
    out[3 * n] = 0;  /* nothing received: not uniform */
    csockrt_mmsg_recv_init(vec, iov, n, buf, size, names);
    k = csockrt_recvmmsg(f, vec, n, flags, deadline);
    if (k <= 0)
        return k;
    got = (unsigned int)k < n ? (unsigned int)k : n;
    for (i = 0; i < got; i++) {
        socklen_t namelen = vec[i].msg_hdr.msg_namelen;
        if (namelen > sizeof(names[i]))
            namelen = sizeof(names[i]);
        /* total <= 256 MiB (Socket.recvmmsg's limit): an int */
        out[i] = (int)((size_t)i * size + (vec[i].msg_len < size ? vec[i].msg_len : size));
        if (i > 0 && namelen == previous && memcmp(&names[i], &names[i - 1], namelen) == 0) {
            out[n + i] = -1;
        } else {
            out[n + i] = (int)namelen;
            if (i > 0)
                uniform = 0;
        }
        previous = namelen;
        out[2 * n + i] = vec[i].msg_hdr.msg_flags;
        if (vec[i].msg_hdr.msg_flags != 0)
            uniform = 0;
    }
    out[3 * n] = uniform;
    return (int)got;
}

static int csockrt_accept4(csockrt_fd *f, struct sockaddr *addr, socklen_t *addrlen,
                           int flags, double deadline)
{
    CSOCKRT_IO(f, POLLIN, deadline, accept4(fd, addr, addrlen, flags));
}

static ssize_t csockrt_sendfile(csockrt_fd *f, int in_fd, off_t *offset, size_t count,
                                double deadline)
{
    CSOCKRT_IO(f, POLLOUT, deadline, sendfile(fd, in_fd, offset, count));
}

static int csockrt_connect(csockrt_fd *f, const struct sockaddr *addr, socklen_t addrlen)
{
    CSOCKRT_ENTER(f)
    CSOCKRT_LEAVE(f, connect(fd, addr, addrlen));
}

static int csockrt_bind(csockrt_fd *f, const struct sockaddr *addr, socklen_t addrlen)
{
    CSOCKRT_ENTER(f)
    CSOCKRT_LEAVE(f, bind(fd, addr, addrlen));
}

static int csockrt_listen(csockrt_fd *f, int backlog)
{
    CSOCKRT_ENTER(f)
    CSOCKRT_LEAVE(f, listen(fd, backlog));
}

static int csockrt_shutdown(csockrt_fd *f, int how)
{
    CSOCKRT_ENTER(f)
    CSOCKRT_LEAVE(f, shutdown(fd, how));
}

static int csockrt_getsockname(csockrt_fd *f, struct sockaddr *addr, socklen_t *addrlen)
{
    CSOCKRT_ENTER(f)
    CSOCKRT_LEAVE(f, getsockname(fd, addr, addrlen));
}

static int csockrt_getpeername(csockrt_fd *f, struct sockaddr *addr, socklen_t *addrlen)
{
    CSOCKRT_ENTER(f)
    CSOCKRT_LEAVE(f, getpeername(fd, addr, addrlen));
}

static int csockrt_getsockopt(csockrt_fd *f, int level, int name, void *value,
                              socklen_t *len)
{
    CSOCKRT_ENTER(f)
    CSOCKRT_LEAVE(f, getsockopt(fd, level, name, value, len));
}

static int csockrt_setsockopt(csockrt_fd *f, int level, int name, const void *value,
                              socklen_t len)
{
    CSOCKRT_ENTER(f)
    CSOCKRT_LEAVE(f, setsockopt(fd, level, name, value, len));
}

static int csockrt_fcntl(csockrt_fd *f, int cmd, int arg)
{
    CSOCKRT_ENTER(f)
    CSOCKRT_LEAVE(f, fcntl(fd, cmd, arg));
}
"""
