"""csock.Socket's hottest calls, as C functions on CPython's stable C API.

Through cffi's call protocol a crossing cost 750 (one argument) to 1,900
(four) instructions, and a recv_into had to pin its buffer with
ffi.from_buffer first: csock.Socket's data calls stayed 1.6 times socket's
in user-space instructions, 10 % slower in bulk transfers. These functions
take CPython's own vectorcall convention (METH_FASTCALL: no tuple, no
conversion objects) and do what socket's C does: the buffer protocol for
the data, PyBytes for the result, the GIL released around the system call.
They live in the cffi-built module (compiled from this text by cffi, like
the rest of csock's C) and are added, by csockrt_hot_install, to the Python
module that calls it (csock._hot).

What they do not do stays in Python, so that csock has one place for each
behaviour: they take only exact ints, and bytes, bytearray or memoryview
data (no user code can run during their checks, or between the pin and the
call); they raise nothing for a failed call. They return the result, or an
int that _socket._failed reads (CSOCKRT_BADARG: not the common case, the
general path parses the arguments as CPython does and raises what it
raises; -errno; CSOCKRT_EXPIRED; recv's EINTR as csockrt_recvfrom_fast
returns it, CSOCKRT_INTR_AT minus the deadline under a timeout). The calls
that pin a caller's buffer (recv_into, send, sendall) handle EINTR here, as
CPython does: the signal handlers run (and may raise) while the buffer is
still pinned, so none can resize or release it in the middle of the call.
recvmmsg does too, with buffers of its own, and makes its list of tuples
here.

Each takes ``hot``, the Socket's (key, csockrt_fd cdata) tuple: the key
finds the csockrt_fd in the runtime's table (a key stays set until its
cdata is freed), and the tuple, an argument for the whole call, keeps the
cdata alive even if another thread replaces the Socket's tuple meanwhile.
A key that finds nothing (a Socket past 65,535 alive, or a forged tuple),
or a tuple whose second item is not that csockrt_fd's own cdata, gives
CSOCKRT_BADARG. The descriptor's lifetime stays with csockrt_fd's
reference count: a call on a socket closed by another thread fails with
EBADF and never reaches the number.
"""

INCLUDES = ""

TYPES = ""

FUNCTIONS = """
int csockrt_hot_install(const char *module);
"""

CUSTOMIZATIONS = r"""
/* recv() sizes up to this are received into the C stack, then copied into
   their bytes; larger ones straight into a bytes object of the size asked. */
#define CSOCKRT_HOT_STACK 4096

/* The csockrt_fd that hot names, or NULL. */
static csockrt_fd *csockrt_hot_fd(PyObject *hot)
{
    PyObject *key;
    long value;
    csockrt_fd *f;
    if (!PyTuple_Check(hot) || PyTuple_Size(hot) != 2)
        return NULL;
    key = PyTuple_GetItem(hot, 0);
    if (key == NULL || !PyLong_CheckExact(key)) {
        PyErr_Clear();
        return NULL;
    }
    value = PyLong_AsLong(key);
    if (value <= 0 || value >= CSOCKRT_KEY_LIMIT) {
        PyErr_Clear();
        return NULL;
    }
    f = csockrt_key_get((unsigned int)value);
    /* Only the tuple's holding f's own cdata keeps f alive for the call (a
       live object at the owner's address, under the GIL, is that cdata). */
    if (f == NULL || (uintptr_t)PyTuple_GetItem(hot, 1) != f->owner)
        return NULL;
    return f;
}

/* An exact int's value in *v: 0, or -1 for anything else (nothing raised). */
static int csockrt_hot_int(PyObject *o, long long *v)
{
    int overflow;
    if (!PyLong_CheckExact(o))
        return -1;
    *v = PyLong_AsLongLongAndOverflow(o, &overflow);
    return overflow ? -1 : 0;
}

/* Pins data the hot paths take (exact bytes, bytearray or memoryview: their
   buffer protocol runs no user code): 0, or -1 with nothing raised. */
static int csockrt_hot_pin(PyObject *o, Py_buffer *view, int writable)
{
    PyTypeObject *t = Py_TYPE(o);
    if (t == &PyByteArray_Type || t == &PyMemoryView_Type || (!writable && t == &PyBytes_Type)) {
        if (PyObject_GetBuffer(o, view, writable ? PyBUF_WRITABLE : PyBUF_SIMPLE) == 0)
            return 0;
        PyErr_Clear();  /* a read-only or non-contiguous memoryview: the general path */
    }
    return -1;
}

static PyObject *csockrt_hot_badarg(void)
{
    return PyLong_FromLongLong(CSOCKRT_BADARG);
}

/* recv(hot, bufsize, flags) -> bytes, or an int. */
static PyObject *csockrt_hot_recv(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    csockrt_fd *f;
    long long len, flags, n;
    PyThreadState *saved;
    PyObject *big, *result;
    char *p;
    (void)module;
    if (nargs != 3 || (f = csockrt_hot_fd(args[0])) == NULL || csockrt_hot_int(args[1], &len)
            || csockrt_hot_int(args[2], &flags) || len <= 0 || len > PY_SSIZE_T_MAX
            || !CSOCKRT_C_INT(flags) || (flags & MSG_TRUNC))
        return csockrt_hot_badarg();  /* MSG_TRUNC: the result can pass len */
    if (len <= CSOCKRT_HOT_STACK) {
        char stack[CSOCKRT_HOT_STACK];
        saved = PyEval_SaveThread();
        n = csockrt_recv_timed(f, stack, len, flags);
        PyEval_RestoreThread(saved);
        return n < 0 ? PyLong_FromLongLong(n) : PyBytes_FromStringAndSize(stack, (Py_ssize_t)n);
    }
    /* As CPython: the buffer before the descriptor is touched. */
    big = PyBytes_FromStringAndSize(NULL, (Py_ssize_t)len);
    if (big == NULL) {
        PyErr_Clear();  /* the general path raises socket's MemoryError */
        return csockrt_hot_badarg();
    }
    p = PyBytes_AsString(big);
    saved = PyEval_SaveThread();
    n = csockrt_recv_timed(f, p, len, flags);
    PyEval_RestoreThread(saved);
    if (n == len)
        return big;
    result = n < 0 ? PyLong_FromLongLong(n) : PyBytes_FromStringAndSize(p, (Py_ssize_t)n);
    Py_DECREF(big);
    return result;
}

/* After a call's result *n under deadline d (a CLOCK_MONOTONIC time in ns,
   < 0 for none), with the caller's buffer still pinned: 1 to make the call
   again, 0 to return *n, -1 when a signal handler raised. As CPython's
   sock_call (PEP 475), the handlers run after EINTR while the buffer stays
   pinned: returned to Python, EINTR let a handler resize or release the
   buffer in the middle of the call. A deadline passed by then makes *n
   CSOCKRT_EXPIRED, as _check_deadline. */
static int csockrt_hot_again(long long *n, long long d)
{
    if (*n != -EINTR)
        return 0;
    if (PyErr_CheckSignals() < 0)
        return -1;
    if (d >= 0 && csockrt_now_ns() > d) {
        *n = CSOCKRT_EXPIRED;
        return 0;
    }
    return 1;
}

/* recv_into(hot, buffer, nbytes, flags) -> int (never EINTR). */
static PyObject *csockrt_hot_recv_into(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    csockrt_fd *f;
    long long len, flags, n, d;
    int again;
    PyThreadState *saved;
    Py_buffer view;
    (void)module;
    if (nargs != 4 || (f = csockrt_hot_fd(args[0])) == NULL || csockrt_hot_int(args[2], &len)
            || csockrt_hot_int(args[3], &flags) || !CSOCKRT_C_INT(flags)
            || csockrt_hot_pin(args[1], &view, 1))
        return csockrt_hot_badarg();
    if (len == 0)
        len = view.len;
    if (len <= 0 || len > view.len) {
        PyBuffer_Release(&view);  /* 0 bytes, a negative count, or past the buffer */
        return csockrt_hot_badarg();
    }
    d = csockrt_deadline_ns(f);
    do {
        saved = PyEval_SaveThread();
        n = csockrt_recv(f, view.buf, (size_t)len, (int)flags, csockrt_seconds(d));
        PyEval_RestoreThread(saved);
    } while ((again = csockrt_hot_again(&n, d)) > 0);
    PyBuffer_Release(&view);
    return again < 0 ? NULL : PyLong_FromLongLong(n);
}

/* Sends of data under the socket's timeout, the data pinned throughout:
   one (send), or until all of it is sent (sendall, as CPython's: the
   signal handlers run after each short send too). The result (a count, or
   -errno but EINTR), CSOCKRT_BADARG, or NULL when a handler raised. */
static PyObject *csockrt_hot_send_data(PyObject *const *args, Py_ssize_t nargs, int all)
{
    csockrt_fd *f;
    long long flags, d, n;
    Py_ssize_t sent = 0;
    int again = 0;
    PyThreadState *saved;
    Py_buffer view;
    if (nargs != 3 || (f = csockrt_hot_fd(args[0])) == NULL || csockrt_hot_int(args[2], &flags)
            || !CSOCKRT_C_INT(flags) || csockrt_hot_pin(args[1], &view, 0))
        return csockrt_hot_badarg();
    d = csockrt_deadline_ns(f);
    for (;;) {
        saved = PyEval_SaveThread();
        n = csockrt_send(f, (char *)view.buf + sent, (size_t)(view.len - sent), (int)flags,
                         csockrt_seconds(d));
        PyEval_RestoreThread(saved);
        if (n >= 0 && all) {
            sent += (Py_ssize_t)n;
            if (sent >= view.len)
                break;
            n = -EINTR;  /* a short send: the handlers, the deadline, then on */
        }
        if ((again = csockrt_hot_again(&n, d)) <= 0)
            break;
    }
    PyBuffer_Release(&view);
    if (n >= 0 && all)
        Py_RETURN_NONE;
    return again < 0 ? NULL : PyLong_FromLongLong(n);
}

/* send(hot, data, flags) -> int (never EINTR). */
static PyObject *csockrt_hot_send(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    return csockrt_hot_send_data(args, nargs, 0);
}

/* sendall(hot, data, flags) -> None when all of data was sent, else an int
   (-errno but EINTR, CSOCKRT_EXPIRED or CSOCKRT_BADARG). */
static PyObject *csockrt_hot_sendall(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    (void)module;
    return csockrt_hot_send_data(args, nargs, 1);
}

/* recvmmsg(hot, count, bufsize, flags, decode) -> [(data, address, msg_flags)],
   or an int: Socket.recvmmsg's whole batch in one crossing, its list made
   here (from Python, a slice and a tuple per datagram cost more than the
   system call saved). count (1 to 1024) and bufsize (count * bufsize at most
   256 MiB) are checked by Python first, and again here. decode(raw) is the
   address of a sender's sockaddr bytes, called only when a datagram's
   sender is not the previous one's (None for an empty sockaddr). The
   buffers are C's own: EINTR runs the signal handlers and goes round again
   as for recv_into. */
static PyObject *csockrt_hot_recvmmsg(PyObject *module, PyObject *const *args, Py_ssize_t nargs)
{
    csockrt_fd *f;
    long long count, size, flags, n, d, i, j;
    int again;
    PyThreadState *saved;
    struct mmsghdr *vec;
    struct iovec *iov;
    struct sockaddr_storage *names;
    char *buf;
    PyObject **items = NULL, *out = NULL, *address = Py_None;
    socklen_t previous = 0;
    (void)module;
    if (nargs != 5 || (f = csockrt_hot_fd(args[0])) == NULL || csockrt_hot_int(args[1], &count)
            || csockrt_hot_int(args[2], &size) || csockrt_hot_int(args[3], &flags)
            || count < 1 || count > 1024 || size < 0 || size > (1LL << 28) / count
            || !CSOCKRT_C_INT(flags) || !PyCallable_Check(args[4]))
        return csockrt_hot_badarg();
    vec = malloc((size_t)count * sizeof(*vec));
    iov = malloc((size_t)count * sizeof(*iov));
    names = malloc((size_t)count * sizeof(*names));
    buf = malloc(count * size > 0 ? (size_t)(count * size) : 1);
    if (vec == NULL || iov == NULL || names == NULL || buf == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    d = csockrt_deadline_ns(f);
    do {
        csockrt_mmsg_recv_init(vec, iov, (unsigned int)count, buf, (size_t)size, names);
        saved = PyEval_SaveThread();
        n = csockrt_recvmmsg(f, vec, (unsigned int)count, (int)flags, csockrt_seconds(d));
        PyEval_RestoreThread(saved);
    } while ((again = csockrt_hot_again(&n, d)) > 0);
    if (again < 0)
        goto done;
    if (n < 0) {
        out = PyLong_FromLongLong(n);
        goto done;
    }
    if (n > count)
        n = count;
    /* The tuples go to a C array, the list is made after: decode runs
       Python code (a gc callback, another thread), which could find a list
       made first through gc.get_objects() with its slots still NULL. */
    items = malloc((size_t)(n > 0 ? n : 1) * sizeof(*items));
    if (items == NULL) {
        PyErr_NoMemory();
        goto done;
    }
    Py_INCREF(address);
    for (i = 0; i < n; i++) {
        struct msghdr *h = &vec[i].msg_hdr;
        socklen_t namelen = h->msg_namelen < sizeof(names[i]) ? h->msg_namelen : sizeof(names[i]);
        long long length = vec[i].msg_len < (unsigned int)size ? vec[i].msg_len : size;
        PyObject *data, *msg_flags, *item;
        if (i == 0 || namelen != previous || memcmp(&names[i], &names[i - 1], namelen) != 0) {
            Py_DECREF(address);
            if (namelen == 0) {
                address = Py_None;
                Py_INCREF(address);
            } else {
                PyObject *raw = PyBytes_FromStringAndSize((const char *)&names[i], namelen);
                address = raw == NULL ? NULL : PyObject_CallFunctionObjArgs(args[4], raw, NULL);
                Py_XDECREF(raw);
            }
        }
        previous = namelen;
        data = PyBytes_FromStringAndSize(buf + i * size, (Py_ssize_t)length);
        msg_flags = PyLong_FromLong(h->msg_flags);
        item = (address == NULL || data == NULL || msg_flags == NULL)
            ? NULL : PyTuple_Pack(3, data, address, msg_flags);
        Py_XDECREF(data);
        Py_XDECREF(msg_flags);
        if (item == NULL)
            break;
        items[i] = item;
    }
    Py_XDECREF(address);
    if (i == n)
        out = PyList_New((Py_ssize_t)n);
    for (j = 0; j < i; j++) {
        if (out != NULL)
            PyList_SetItem(out, (Py_ssize_t)j, items[j]);  /* steals it */
        else
            Py_DECREF(items[j]);
    }
done:
    free(items);
    free(vec);
    free(iov);
    free(names);
    free(buf);
    return out;
}

static PyMethodDef csockrt_hot_methods[] = {
    {"recv", (PyCFunction)(void (*)(void))csockrt_hot_recv, METH_FASTCALL,
     "recv(hot, bufsize, flags) -> bytes, or an int for the general path"},
    {"recv_into", (PyCFunction)(void (*)(void))csockrt_hot_recv_into, METH_FASTCALL,
     "recv_into(hot, buffer, nbytes, flags) -> int"},
    {"send", (PyCFunction)(void (*)(void))csockrt_hot_send, METH_FASTCALL,
     "send(hot, data, flags) -> int"},
    {"sendall", (PyCFunction)(void (*)(void))csockrt_hot_sendall, METH_FASTCALL,
     "sendall(hot, data, flags) -> None when all was sent, else send's int"},
    {"recvmmsg", (PyCFunction)(void (*)(void))csockrt_hot_recvmmsg, METH_FASTCALL,
     "recvmmsg(hot, count, bufsize, flags, decode) -> [(data, address, msg_flags)], or an int"},
    {NULL, NULL, 0, NULL}
};

/* Adds the functions to sys.modules[module] (called from that module's own
   import, so it exists): 0, or -1. cffi calls this with the GIL released. */
static int csockrt_hot_install(const char *module)
{
    PyGILState_STATE state = PyGILState_Ensure();
    PyObject *m = PyImport_AddModule(module);  /* borrowed */
    int result = (m != NULL && PyModule_AddFunctions(m, csockrt_hot_methods) == 0) ? 0 : -1;
    if (result != 0)
        PyErr_Clear();
    PyGILState_Release(state);
    return result;
}
"""
