"""What each csock.c function returns on failure, and its man page section.

Read by tools/gen_c_stub.py (csock/c.pyi's docstrings). A function declared
in csock/_cdefs without an entry here fails tests/test_c_stub.py.
"""

from __future__ import annotations

ERRNO = "-1, with errno set"
NULL_ERRNO = "NULL, with errno set"
H_ERRNO = "NULL, with h_errno set (hstrerror(h_errno) says why)"
NULL = "NULL"
EAI = ("a nonzero EAI_* code (gai_strerror(code) says why; for EAI_SYSTEM the "
       "reason is in errno)")
NEVER = "cannot fail"

# name (as csock.c exports it) -> (man page section, what failure returns)
DOCS: dict[str, tuple[str, str]] = {
    # <sys/socket.h>
    "socket": ("2", ERRNO),
    "socketpair": ("2", ERRNO),
    "bind": ("2", ERRNO),
    "listen": ("2", ERRNO),
    "accept": ("2", ERRNO),
    "accept4": ("2", ERRNO),
    "connect": ("2", ERRNO),
    "send": ("2", ERRNO),
    "recv": ("2", ERRNO + "; 0 means the peer closed the connection"),
    "sendto": ("2", ERRNO),
    "recvfrom": ("2", ERRNO),
    "sendmsg": ("2", ERRNO),
    "recvmsg": ("2", ERRNO),
    "sendmmsg": ("2", ERRNO + ", when no message was sent; a failure after the first "
                              "message returns the number sent, and its errno is lost"),
    "recvmmsg": ("2", ERRNO + ", when no message was received; a failure after the first "
                              "message returns the number received, and the next call "
                              "reports it"),
    "shutdown": ("2", ERRNO),
    "setsockopt": ("2", ERRNO),
    "getsockopt": ("2", ERRNO),
    "getsockname": ("2", ERRNO),
    "getpeername": ("2", ERRNO),
    "CMSG_FIRSTHDR": ("3", "NULL when there is no control message (or msgh is NULL)"),
    "CMSG_NXTHDR": ("3", "NULL after the last control message (or for a NULL argument)"),
    "CMSG_DATA": ("3", "NULL for a NULL cmsg (C would crash)"),
    "CMSG_SPACE": ("3", NEVER),
    "CMSG_LEN": ("3", NEVER),
    # <netinet/in.h>, <arpa/inet.h>
    "htons": ("3", NEVER),
    "ntohs": ("3", NEVER),
    "htonl": ("3", NEVER),
    "ntohl": ("3", NEVER),
    "inet_addr": ("3", "INADDR_NONE (0xffffffff), which is also 255.255.255.255"),
    "inet_aton": ("3", "0 when cp is not a valid address"),
    "inet_ntoa": ("3", NEVER + " (the result is a static buffer, overwritten by the next call)"),
    "inet_pton": ("3", "0 when src is not a valid address of af; -1 with errno "
                       "EAFNOSUPPORT for an unknown af"),
    "inet_ntop": ("3", NULL_ERRNO),
    # <netdb.h>
    "gethostbyname": ("3", H_ERRNO + "; the result is a static buffer"),
    "gethostbyaddr": ("3", H_ERRNO + "; the result is a static buffer"),
    "getservbyname": ("3", NULL + " when the service is unknown; the result is a static buffer"),
    "getservbyport": ("3", NULL + " when the port is unknown; the result is a static buffer"),
    "getprotobyname": ("3", NULL + " when the protocol is unknown; the result is a static "
                               "buffer"),
    "getaddrinfo": ("3", EAI + "; 0 on success, and *res must be freed with freeaddrinfo"),
    "freeaddrinfo": ("3", NEVER),
    "gai_strerror": ("3", NEVER),
    "getnameinfo": ("3", EAI),
    "herror": ("3", NEVER + " (prints s and hstrerror(h_errno) on stderr)"),
    "hstrerror": ("3", NEVER),
    "h_addr": ("3", "NULL for a NULL hostent or an empty address list (a macro in C)"),
    # <net/if.h>
    "if_nametoindex": ("3", "0, with errno set"),
    "if_indextoname": ("3", NULL_ERRNO),
    "if_nameindex": ("3", NULL_ERRNO),
    "if_freenameindex": ("3", NEVER),
    # <unistd.h>, <fcntl.h>, <poll.h>, <sys/select.h>, <sys/sendfile.h>
    "close": ("2", ERRNO),
    "read": ("2", ERRNO + "; 0 at end of file"),
    "write": ("2", ERRNO),
    "gethostname": ("2", ERRNO),
    "dup": ("2", ERRNO),
    "pipe": ("2", ERRNO),
    "getpid": ("2", NEVER),
    "open": ("2", ERRNO),
    "fcntl": ("2", ERRNO),
    "poll": ("2", ERRNO + "; 0 when the timeout expired"),
    # <sys/epoll.h>
    "epoll_create": ("2", ERRNO + " (size must be positive; the kernel ignores its value)"),
    "epoll_create1": ("2", ERRNO),
    "epoll_ctl": ("2", ERRNO),
    "epoll_wait": ("2", ERRNO + "; 0 when the timeout expired"),
    "select": ("2", ERRNO + "; 0 when the timeout expired"),
    "FD_ZERO": ("3", NEVER + " (a macro in C)"),
    "FD_SET": ("3", NEVER + " (a macro in C; fds outside 0..FD_SETSIZE-1 are ignored)"),
    "FD_CLR": ("3", NEVER + " (a macro in C; fds outside 0..FD_SETSIZE-1 are ignored)"),
    "FD_ISSET": ("3", "0 when fd is not in the set (a macro in C; 0 for fds outside "
                      "0..FD_SETSIZE-1)"),
    "sendfile": ("2", ERRNO),
    # <string.h>, <stdio.h>
    "memset": ("3", NEVER + " (returns s)"),
    "memcpy": ("3", NEVER + " (returns dest)"),
    "memmove": ("3", NEVER + " (returns dest)"),
    "memcmp": ("3", NEVER),
    "strlen": ("3", NEVER),
    "bzero": ("3", NEVER),
    "strerror": ("3", NEVER),
    "perror": ("3", NEVER + " (prints s and strerror(errno) on stderr)"),
    # <locale.h>
    "setlocale": ("3", NULL + " (the locale is not available; nothing changed)"),
    "strcpy": ("3", NEVER + " (returns dest; dest must have room)"),
    "strncpy": ("3", NEVER + " (returns dest; no NUL is added when src has n bytes or more)"),
    "strcat": ("3", NEVER + " (returns dest; dest must have room)"),
    "strncat": ("3", NEVER + " (returns dest; dest needs room for n bytes and a NUL)"),
    "strcmp": ("3", NEVER + " (negative, 0 or positive)"),
    "strncmp": ("3", NEVER + " (negative, 0 or positive)"),
    "strchr": ("3", NULL + " when c is not in s"),
    "strrchr": ("3", NULL + " when c is not in s"),
    "strstr": ("3", NULL + " when needle is not in haystack"),
    "strtok": ("3", NULL + " when no token is left (one scan at a time: strtok_r for two)"),
    "strtok_r": ("3", NULL + " when no token is left"),
    "strdup": ("3", NULL_ERRNO + " (ENOMEM); free() the result"),
    "memchr": ("3", NULL + " when c is not in the n bytes"),
    # <stdio.h>: the printf family casts each argument to its conversion's type
    # (TypeError before the call when one does not fit), then calls glibc's.
    "remove": ("3", ERRNO),
    "printf": ("3", "a negative value, with errno set (bytes written otherwise)"),
    "fprintf": ("3", "a negative value, with errno set (bytes written otherwise)"),
    "sprintf": ("3", "a negative value, with errno set; into a char[] too small, "
                     "OverflowError (C would write past its end)"),
    "snprintf": ("3", "a negative value, with errno set; a result >= size means the "
                      "output was cut"),
    "puts": ("3", "EOF, with errno set"),
    "putchar": ("3", "EOF, with errno set"),
    "fputs": ("3", "EOF, with errno set"),
    "fflush": ("3", "EOF, with errno set"),
    "setvbuf": ("3", "nonzero, with errno set"),
    "fopen": ("3", NULL_ERRNO),
    "fclose": ("3", "EOF, with errno set (the stream is closed anyway)"),
    "fileno": ("3", ERRNO),
    "fgets": ("3", NULL + " at end of file or on error (ferror tells which)"),
    "getline": ("3", "-1 at end of file or on error, with errno set on error; free() *lineptr"),
    "fgetc": ("3", "EOF at end of file or on error (ferror tells which)"),
    "getchar": ("3", "EOF at end of file or on error (ferror tells which)"),
    "fputc": ("3", "EOF, with errno set"),
    "fread": ("3", "fewer than nmemb items, at end of file or on error"),
    "fwrite": ("3", "fewer than nmemb items, with errno set"),
    "feof": ("3", "0 when the stream's end-of-file indicator is not set"),
    "ferror": ("3", "0 when the stream's error indicator is not set"),
    "clearerr": ("3", NEVER),
    # <time.h>, <sys/time.h>
    "time": ("2", "(time_t) -1, with errno set (EFAULT: tloc points outside memory)"),
    "ctime": ("3", NULL_ERRNO + " (EOVERFLOW: a year that does not fit); the result is a "
                   "static buffer, overwritten by the next call"),
    "gettimeofday": ("2", ERRNO),
    # <stdlib.h>
    "malloc": ("3", NULL_ERRNO + " (ENOMEM); free() the result"),
    "calloc": ("3", NULL_ERRNO + " (ENOMEM); free() the result"),
    "realloc": ("3", NULL_ERRNO + " (ENOMEM), and ptr is left as it was"),
    "free": ("3", NEVER),
    "atoi": ("3", "0 (indistinguishable from \"0\": use strtol)"),
    "atol": ("3", "0 (indistinguishable from \"0\": use strtol)"),
    "strtol": ("3", "LONG_MIN or LONG_MAX with errno ERANGE; 0 with *endptr == nptr "
                    "when there are no digits"),
    "strtoul": ("3", "ULONG_MAX with errno ERANGE; 0 with *endptr == nptr when there "
                     "are no digits"),
    "getenv": ("3", NULL + " when the variable is not set"),
    "realpath": ("3", NULL_ERRNO),
    "exit": ("3", NEVER + " (does not return: Python's atexit handlers, then C's)"),
    "_exit": ("2", NEVER + " (does not return; flushes nothing)"),
    # <ctype.h>: an int (EOF or an unsigned char's value) or a 1-byte bytes
    "toupper": ("3", NEVER + " (b\"x\" gives 1-byte bytes, an int gives an int)"),
    "tolower": ("3", NEVER + " (b\"x\" gives 1-byte bytes, an int gives an int)"),
    "isdigit": ("3", "0 when c is not a digit"),
    "isspace": ("3", "0 when c is not white space"),
    "isalpha": ("3", "0 when c is not a letter"),
    "isprint": ("3", "0 when c is not printable"),
    # <unistd.h>, <sys/stat.h>, <sys/wait.h>
    "getppid": ("2", NEVER),
    "unlink": ("2", ERRNO),
    "sleep": ("3", "the seconds left when a signal interrupted it (0 otherwise)"),
    "usleep": ("3", ERRNO),
    "alarm": ("2", NEVER + " (the seconds left of the previous alarm, or 0)"),
    "fork": ("2", ERRNO + "; 0 in the child, the child's pid in the parent"),
    "getopt": ("3", "-1 when the options end (c.optind: the first other argument); '?' "
                    "for an unknown option or a missing argument (':' with a leading ':' "
                    "in optstring), after printing why on stderr"),
    "stat": ("2", ERRNO),
    "lstat": ("2", ERRNO),
    "S_ISREG": ("2", "0 when m is not a regular file's mode (see stat(2))"),
    "S_ISDIR": ("2", "0 when m is not a directory's mode (see stat(2))"),
    "S_ISSOCK": ("2", "0 when m is not a socket's mode (see stat(2))"),
    "S_ISLNK": ("2", "0 when m is not a symbolic link's mode (see stat(2))"),
    "waitpid": ("2", ERRNO + "; 0 with WNOHANG when no child has changed state"),
    "WIFEXITED": ("2", "0 when the child did not exit normally (see waitpid(2))"),
    "WEXITSTATUS": ("2", NEVER + " (meaningful when WIFEXITED; see waitpid(2))"),
    "WIFSIGNALED": ("2", "0 when no signal ended the child (see waitpid(2))"),
    "WTERMSIG": ("2", NEVER + " (meaningful when WIFSIGNALED; see waitpid(2))"),
    "WIFSTOPPED": ("2", "0 when the child is not stopped (see waitpid(2))"),
    "WSTOPSIG": ("2", NEVER + " (meaningful when WIFSTOPPED; see waitpid(2))"),
    "WCOREDUMP": ("2", "0 when the child left no core dump (see waitpid(2))"),
    # <signal.h>: signal() and sigaction() take Python handlers (csock/_signals.py)
    "signal": ("2", "SIG_ERR, with errno set; otherwise the previous handler"),
    "sigaction": ("2", ERRNO),
    "kill": ("2", ERRNO),
    "raise_": ("3", "nonzero"),
    "sigemptyset": ("3", ERRNO),
    "sigfillset": ("3", ERRNO),
    "sigaddset": ("3", ERRNO),
    "sigdelset": ("3", ERRNO),
    "sigismember": ("3", ERRNO + "; 1 if signum is in the set, 0 if not"),
    "sigprocmask": ("2", ERRNO),
}
