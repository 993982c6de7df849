"""The raw C namespace: the Berkeley sockets API under its C names.

Every function here is the C function, called through cffi, with the man
page's argument order and C's return value: -1 (or NULL) on failure, with the
reason in ``errno``. Nothing raises for a C failure and nothing is retried.

Porting idiom (C on the left, csock.c on the right)::

    struct sockaddr_in servidor;         servidor = new("struct sockaddr_in *")
    &servidor                            servidor
    (struct sockaddr *)&servidor         cast("struct sockaddr *", servidor)
    sizeof(struct sockaddr)              sizeof("struct sockaddr")
    sizeof(servidor)                     sizeof(servidor[0])   # not sizeof(servidor)
    int opcion = 1;                      opcion = new("int *", 1)
    sizeof(opcion)                       sizeof("int")         # opcion[0] is a Python int
    errno                                c.errno               # live, per thread
    errno = EINTR;                       c.errno = EINTR       # sets C's errno
    printf("%s:%d\\n", host, port);       printf(b"%s:%d\\n", host, port)
    char buf[1024];                      buf = new("char[]", 1024)
    "texto"  (a char * argument)         b"texto"              # bytes, not str

Notes:

* ``errno`` and ``h_errno`` are the calling thread's, like C's: ``c.errno``
  reads it live and ``c.errno = EINVAL`` (or ``c.errno = saved``) sets it, for
  the next C call and for perror(). ``from csock.c import *`` copies names
  once, so it does not export them: write ``import csock.c as c`` and use
  ``c.errno``. (A bare ``errno = 0`` after the star import makes a Python
  variable that C never sees.) getopt()'s variables are C's too, read live
  and left out of the star import the same way: ``c.optarg`` (a ``char *``,
  NULL when the option has no argument), ``c.optind``, ``c.opterr`` and
  ``c.optopt`` (ints; ``c.optind = 1`` starts a new scan, as in C).
* Names that shadow Python builtins on ``from csock.c import *``: ``open``
  (C's open(2)) and ``exit`` (C's exit(3)). ``read``/``write``/``close``/
  ``select``/``poll``/``stat``/``fork`` shadow the functions of the os, select
  and stat modules if those were star-imported.
* The printf family (printf, fprintf, sprintf, snprintf) takes Python values:
  each is cast to the C type its conversion expects (``%d`` int, ``%ld``
  long, ``%zu`` size_t, ``%f`` double, ``%s`` bytes or a ``char *`` cdata,
  ``%p`` a pointer) and glibc formats them, so the bytes are C's. An argument
  that does not fit raises TypeError (OverflowError when out of range) before
  C is called; ``%n`` is refused. sprintf into a ``char[]`` too small raises
  OverflowError instead of writing past it.
* C's ``stdout`` and Python's ``sys.stdout`` share fd 1 in program order:
  every csock.c function that writes to C's stdout (printf, puts, putchar,
  and fputs/fwrite/fprintf to ``stdout``) flushes ``sys.stdout`` first and
  C's stdout after, so print() and printf() may be mixed freely; output
  reaches fd 1 at each call, as after ``fflush(stdout)``. Writes to
  ``stderr`` flush ``sys.stderr`` first. At Python's exit every C stream is
  flushed (``fflush(NULL)``) before Python's own streams close.
* exit(status) runs Python's atexit handlers, flushes ``sys.stdout`` and
  ``sys.stderr``, then calls C's exit(), which flushes and closes C's streams:
  the process ends at once, from any thread, and no ``finally`` block runs.
  ``_exit`` flushes nothing, as in C. ``sys.exit()`` is still the Python way.
* fork() is ``os.fork()`` (Python's at-fork hooks run, the kernel sees the same
  clone as C's fork), returning -1 with errno on failure; waitpid and the
  W* macros (WIFEXITED, WEXITSTATUS...) are C's.
* The ctype functions (isdigit, isspace, isalpha, isprint, toupper, tolower)
  and putchar take an int or the 1-byte bytes ``buf[i]`` gives; toupper and
  tolower return the kind they were given, so ``buf[i] = toupper(buf[i])``
  ports as written.
* malloc/calloc/realloc/free are C's heap: what the port allocates, it frees
  (``cast("struct sockaddr_in *", malloc(n))`` works wherever ``new()`` does).
* gethostbyname, gethostbyaddr, getservbyname, getservbyport and inet_ntoa
  return pointers into static buffers shared by every thread: copy what you
  need (``string(...)``) before the next call, and do not call them from two
  threads at once. csock's Pythonic layer never uses them unguarded
  (getservbyname/getservbyport run under its own lock; the others not at all).
* A bytes argument to a ``void *`` parameter is passed as a pointer to the
  bytes object's own storage: never receive into bytes (``recv(fd, b"...", n,
  0)`` would overwrite an immutable object); use ``new("char[]", n)`` or
  ``from_buffer(bytearray(n))``.
* Lengths are not checked against buffers, as in C: ``recv(fd, buf, 100, 0)``
  into ``buf = new("char[]", 10)`` writes past its end and may crash the
  interpreter. Pass ``sizeof(buf)`` (or ``len(buf)``), not a number typed twice.
* C macros are small C functions here: h_addr(hostent), FD_ZERO/FD_SET/
  FD_CLR/FD_ISSET (out-of-range fds are ignored rather than overflowing the
  set), CMSG_FIRSTHDR/CMSG_NXTHDR/CMSG_DATA/CMSG_SPACE/CMSG_LEN (a NULL
  argument gives NULL rather than a crash).
* Memory from new() lives as long as its Python object; cast() owns nothing.
  Keep the owner in a variable for the whole call: never write
  ``cast("struct sockaddr *", new("struct sockaddr_in *"))`` in one expression.
* The variadic open() and fcntl() take fixed arguments: open(path, flags,
  mode=0), fcntl(fd, cmd, arg=0).
* signal() and sigaction() take Python handlers (``sa.sa_handler =
  sighandler(f)``; signal() also takes f itself). They run in the main thread
  once the interrupted call returns; SA_RESTART then calls it again, as C's
  kernel would (csock/_signals.py). raise(3) is ``raise_``; ``signal`` hides
  Python's signal module on ``from csock.c import *``.

Your own types (a C compiler is needed, as for the C program)::

    cdef('''
    #define NAMELEN 32
    struct request { uint32_t seqNum; char name[NAMELEN]; struct sockaddr_in to; };
    ''')
    req = new("struct request *")             # struct request req;
    sizeof("struct request"); offsetof("struct request", "name"); c.NAMELEN
    bind(fd, cast("struct sockaddr *", addressof(req, "to")), sizeof("struct sockaddr_in"))
    u = new("union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr align; } *")

* cdef() compiles the declarations as C (the platform's layout; array sizes
  may be any constant expression) into a small module that shares csock's
  types, cached under $XDG_CACHE_HOME/csock/cdef ($CSOCK_CDEF_CACHE). new(),
  cast(), sizeof() and offsetof() know every type declared so far, even as
  names copied by ``from csock.c import *``; a #define'd constant is set as
  ``c.NAME`` (not in a star-import made before) and returned by cdef().

Seeing what C sees:

* ``show(ptr)`` returns a struct in strace's notation:
  ``{sin_family=AF_INET, sin_port=htons(10000), sin_addr=inet_addr("127.0.0.1")}``;
  ``explain(ptr)`` returns its bytes, member by member, and what they mean.
  Both return a str whose repr is the text, so ``>>> show(p)`` at the REPL
  prints it as it reads; neither prints anything itself.
* ``CSOCK_TRACE=1`` in the environment when csock.c is first imported makes
  every function that is a system call print one line on stderr, as strace
  prints that system call (``send`` is ``sendto(4, "hola\\n", 5, 0, NULL, 0)
  = 5``); ``CSOCK_TRACE=all`` adds the library functions (``htons(10000) =
  4135``); ``CSOCK_TRACE_STRSIZE=N`` is strace's ``-s N`` (default 32).
  ``from csock.c import *`` then imports the traced functions.
* ``with tracing():`` traces the calls made inside the block through
  ``c.NAME`` and through the names the calling module took with ``from
  csock.c import *`` (it swaps both modules' globals and restores them
  after). Copies kept elsewhere (another module's star import, a function
  saved in a variable) stay untraced: set CSOCK_TRACE for those. While the
  block runs, calls from every thread through those names are traced; do
  not enter ``tracing()`` from two threads at once.
* ``CSOCK_TRACE=hints`` (or ``tracing(hints=True)``) adds one short line
  under a failed or suspicious call: what probably went wrong (a port below
  1024, a port in use and who holds it, htons() forgotten, sizeof of a
  pointer...). A beginner's type mistakes (a str for ``char *``) get a hint
  where the exception is reported, at no cost to any call.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import IO, Any

from csock import _hints, _libc, _signals, _usercdef
from csock._constants import optional_constants
from csock._csock import ffi, lib
from csock._show import explain as explain
from csock._show import show as show

# ffi helpers a port needs at top level. new, cast, sizeof and offsetof also
# know the types cdef() declares (csock/_usercdef.py).
new = _usercdef.new
cast = _usercdef.cast
sizeof = _usercdef.sizeof
offsetof = _usercdef.offsetof
CdefError = _usercdef.CdefError
addressof = ffi.addressof
string = ffi.string
buffer = ffi.buffer
from_buffer = ffi.from_buffer
NULL = ffi.NULL
# The type of every cdata object (for annotations and isinstance); c.pyi types it.
CData = ffi.CData

# Prefix of the C helper functions that stand in for macros and variadics.
_HELPER_PREFIX = "csock_"
# csock's own C for the Pythonic layer (csock/_cdefs/csock_runtime.py): not C.
_RUNTIME_PREFIX = "csockrt_"
# Helpers given a Python signature below (default arguments) or read live.
_SPECIAL = {"csock_open", "csock_fcntl", "csock_h_errno", "csock_set_h_errno"}
# C's global variables that change under the program (getopt's): read and
# assigned live through the module's class, never copied (c.optarg, c.optind).
_LIVE = _libc.LIVE_GLOBALS


def _export_lib() -> list[str]:
    names = []
    for name in dir(lib):
        if name in _SPECIAL or name in _LIVE or name.lower().startswith(_RUNTIME_PREFIX):
            continue
        public = name[len(_HELPER_PREFIX):] if name.startswith(_HELPER_PREFIX) else name
        globals()[public] = getattr(lib, name)
        names.append(public)
    # The optional constants this system's headers define, under their C names
    # (build_ffi.py; the CSOCKRT_HAS_/CSOCKRT_VAL_ pairs behind them are skipped above).
    for name, value in optional_constants().items():
        globals()[name] = value
        names.append(name)
    return names


_LIB_NAMES = _export_lib()
# printf and its family, the ctype functions, fork and exit: Python wrappers
# around C's (csock/_libc.py says why each needs one).
globals().update(_libc.WRAPPERS)


def open(pathname: bytes, flags: int, mode: int = 0) -> int:  # noqa: A001
    """open(2): returns a descriptor, or -1 with errno set."""
    return lib.csock_open(pathname, flags, mode)


def fcntl(fd: int, cmd: int, arg: int = 0) -> int:
    """fcntl(2) with an integer argument: returns -1 with errno set on failure."""
    return lib.csock_fcntl(fd, cmd, arg)


def cdef(source: str) -> dict[str, Any]:
    """Declare the program's own structs, unions, typedefs and #defines.

    *source* is C, as in the program's header: csock's types can be used in
    it (a ``struct sockaddr_in`` member), array sizes may be constant
    expressions (``CMSG_SPACE(sizeof(int))``). The C compiler lays it out
    (compiled once, cached on disk); new(), sizeof(), cast() and offsetof()
    then know the types. Returns the #define'd constants (integers, floats,
    and strings as bytes), also set here as ``c.NAME``. Raises CdefError for
    a bad declaration or when no C compiler is found.
    """
    constants = _usercdef.cdef(source)
    globals().update(constants)
    return constants


# signal(), sigaction(): a Python function is the handler (csock/_signals.py).
signal = _signals.signal
sigaction = _signals.sigaction
sighandler = _signals.sighandler
kill = _signals.kill
raise_ = _signals.raise_

# The untraced functions, by exported name: what tracing() wraps and restores.
_RAW: dict[str, Any] = {name: globals()[name] for name in [*_LIB_NAMES, "open", "fcntl",
                                                           "signal", "sigaction"]}
_signals.bind(globals(), _RAW)


@contextlib.contextmanager
def tracing(file: IO[str] | None = None, all: bool = False,  # noqa: A002
            strsize: int = 32, hints: bool = False) -> Iterator[None]:
    """Trace calls made through ``c.NAME`` inside the block, in strace's format.

    One line per system call on *file* (default: sys.stderr at each line);
    *all* adds the library functions that make no system call; *strsize*
    is strace's ``-s``; *hints* adds a line under a failed or suspicious call
    (as ``CSOCK_TRACE=hints``). See the module's notes on threads and
    star-imports.
    """
    from csock import _trace

    cfg = _trace.Config(file=file, all=all, strsize=strsize, hints=hints)
    # The caller's own copies from ``from csock.c import *``: the names there
    # still bound to the untraced functions are swapped too.
    caller = _caller_globals()
    star = {} if caller is None else {
        name: func for name, func in _RAW.items() if caller.get(name) is func}
    with _trace.swapped(globals(), _RAW, cfg):
        if star and caller is not None:
            with _trace.swapped(caller, star, cfg):
                yield
        else:
            yield


def _caller_globals() -> dict[str, Any] | None:
    """The globals of the module whose code entered tracing()."""
    frame = sys._getframe(1)
    while frame is not None and frame.f_globals.get("__name__") in (__name__, "contextlib"):
        frame = frame.f_back  # type: ignore[assignment]
    return None if frame is None or frame.f_globals is globals() else frame.f_globals


def _trace_from_env() -> None:
    from csock import _trace

    cfg = _trace.config_from_env()
    if cfg is not None:
        _trace.install(globals(), _RAW, cfg)


# errno and h_errno are per-thread lvalues in C: the module's class reads
# and assigns them at each access (c.errno = 0 sets the thread's C errno).
sys.modules[__name__].__class__ = _libc.CModule


def __dir__() -> list[str]:
    return sorted(set(globals()) | {"errno", "h_errno"} | _LIVE)


# C names a star import leaves out: Python's time module is imported by too
# many programs to be hidden by C's time(2) (c.time, or an explicit import).
NOT_STARRED = frozenset({"time"})

__all__ = sorted(
    (set(_LIB_NAMES)
     | {"open", "fcntl", "signal", "sigaction", "sighandler", "cdef", "ffi", "lib", "new",
        "cast", "sizeof", "offsetof", "addressof", "string", "buffer", "from_buffer", "NULL",
        "show", "explain"})
    - NOT_STARRED
)

_trace_from_env()
# A beginner's type mistakes (a str for char *, an int for a pointer...) get a
# hint where the exception is reported: nothing runs until one reaches the top.
_hints.install_excepthook()
