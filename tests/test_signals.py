"""csock.c's signal() and sigaction(): Python handlers, run promptly while a
csock.c call blocks, and C's SA_RESTART (csock/_signals.py).

Each scenario runs in a process of its own: handlers and the restarting
wrappers are process-wide."""

from __future__ import annotations

import os
import re
import shutil
import signal as pysignal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

PRELUDE = textwrap.dedent("""\
    import os, sys, time
    import csock.c as c
    from csock.c import *

    def listener():
        fd = socket(AF_INET, SOCK_STREAM, 0)
        addr = new("struct sockaddr_in *")
        addr.sin_family = AF_INET
        addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK)
        assert bind(fd, cast("struct sockaddr *", addr), sizeof(addr[0])) == 0
        assert listen(fd, 5) == 0
        n = new("socklen_t *", sizeof(addr[0]))
        getsockname(fd, cast("struct sockaddr *", addr), n)
        return fd, ntohs(addr.sin_port)
    """)


def run_script(body: str, timeout: float = 20) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", PRELUDE + textwrap.dedent(body)],
                          capture_output=True, text=True, timeout=timeout)


def start_script(body: str) -> subprocess.Popen[str]:
    return subprocess.Popen([sys.executable, "-c", PRELUDE + textwrap.dedent(body)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.parametrize("how", ["_exit", "SystemExit"])
def test_exiting_handler_ends_a_port_blocked_in_accept(how: str) -> None:
    ends = "os._exit(3)" if how == "_exit" else "raise SystemExit(3)"
    proc = start_script(f"""
        def sigterm_handler(s):
            {ends}
        signal(SIGTERM, sigterm_handler)
        fd, port = listener()
        print("ready", flush=True)
        accept(fd, NULL, NULL)
        print("accept returned", flush=True)
        """)
    try:
        assert proc.stdout is not None
        assert proc.stdout.readline().strip() == "ready"
        time.sleep(0.1)  # in accept by now
        start = time.monotonic()
        proc.send_signal(pysignal.SIGTERM)
        code = proc.wait(timeout=5)
        took = time.monotonic() - start
    finally:
        proc.kill()
        proc.communicate()
    assert code == 3
    assert took < 1.0


def test_sigchld_reaper_lets_accept_take_the_next_client() -> None:
    """The fork server's pattern: SA_RESTART, so accept() goes on after the
    handler reaped a child, as in C; the handler ran while accept blocked."""
    result = run_script("""
        events = []

        @sighandler
        def sigchld_handler(s):
            while True:  # while (waitpid(-1, NULL, WNOHANG) > 0)
                try:
                    pid, _ = os.waitpid(-1, os.WNOHANG)
                except ChildProcessError:  # C: -1 with ECHILD
                    break
                if pid <= 0:
                    break
                events.append(("reaped", pid))

        sa = new("struct sigaction *")
        sa.sa_handler = sigchld_handler
        sigemptyset(addressof(sa, "sa_mask"))
        sa.sa_flags = SA_RESTART
        assert sigaction(SIGCHLD, sa, NULL) == 0

        fd, port = listener()
        clients = os.fork()
        if clients == 0:  # two clients, the second well after the first child exits
            for delay in (0.05, 0.5):
                time.sleep(delay)
                s = socket(AF_INET, SOCK_STREAM, 0)
                a = new("struct sockaddr_in *", {"sin_family": AF_INET,
                                                 "sin_port": htons(port)})
                a.sin_addr.s_addr = htonl(INADDR_LOOPBACK)
                assert connect(s, cast("struct sockaddr *", a), sizeof(a[0])) == 0
                buf = new("char[16]")
                assert recv(s, buf, 16, 0) == 5
                close(s)
            os._exit(0)
        children = []
        for _ in range(2):
            new_fd = accept(fd, NULL, NULL)
            if new_fd == -1:
                perror(b"accept")
                sys.exit(1)
            events.append(("accepted",))
            pid = os.fork()
            if pid == 0:
                send(new_fd, b"hello", 5, 0)
                os._exit(0)
            children.append(pid)
            close(new_fd)
        time.sleep(0.3)
        print(events)
        reaped = [e[1] for e in events if e[0] == "reaped"]
        assert events[0] == ("accepted",) and events[1][0] == "reaped", events
        assert children[0] in reaped and children[1] in reaped and clients in reaped
        print("ok")
        """)
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.endswith("ok\n")
    assert "accept" not in result.stderr


def test_without_sa_restart_the_call_returns_eintr() -> None:
    """sigaction without SA_RESTART: -1 and EINTR, after the handler ran, as in C;
    with it, the read restarts and gets its byte."""
    result = run_script("""
        got = []
        def on_usr1(s):
            got.append(s)
        sa = new("struct sigaction *")
        sa.sa_handler = sighandler(on_usr1)
        sa.sa_flags = 0
        assert sigaction(SIGUSR1, sa, NULL) == 0
        r, w = os.pipe()
        buf = new("char[1]")
        me = os.getpid()
        if os.fork() == 0:
            time.sleep(0.2); os.kill(me, SIGUSR1)
            time.sleep(0.3); os.kill(me, SIGUSR1)
            time.sleep(0.2); os.write(w, b"x")
            os._exit(0)
        n = read(r, buf, 1)
        print(n, c.errno == EINTR, got)
        sa.sa_flags = SA_RESTART
        assert sigaction(SIGUSR1, sa, NULL) == 0
        n = read(r, buf, 1)
        print(n, buf[0], got)
        # poll is never restarted, SA_RESTART or not (signal(7))
        if os.fork() == 0:
            time.sleep(0.2); os.kill(me, SIGUSR1); os._exit(0)
        p = new("struct pollfd *", {"fd": r, "events": POLLIN})
        print(poll(p, 1, 5000), c.errno == EINTR, len(got))
        os.wait(); os.wait()
        """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["-1 True [10]", "1 b'x' [10, 10]", "-1 True 3"]


def test_signal_returns_previous_and_sigaction_fills_oldact() -> None:
    result = run_script("""
        def first(s): pass
        def second(s): pass
        print(signal(SIGUSR2, first) == SIG_DFL)
        print(signal(SIGUSR2, second) is first)
        print(signal(SIGUSR2, SIG_IGN) is second)
        print(signal(SIGUSR2, SIG_DFL) == SIG_IGN)
        print(signal(SIGKILL, first) == SIG_ERR and c.errno == EINVAL)

        sa = new("struct sigaction *")
        old = new("struct sigaction *")
        h = sighandler(first)
        sa.sa_handler = h
        sa.sa_flags = SA_RESTART | SA_NOCLDSTOP
        sigemptyset(addressof(sa, "sa_mask"))
        sigaddset(addressof(sa, "sa_mask"), SIGTERM)
        assert sigaction(SIGCHLD, sa, old) == 0
        print(old.sa_handler == SIG_DFL, old.sa_flags)
        assert sigaction(SIGCHLD, NULL, old) == 0
        print(old.sa_handler == h, old.sa_flags == SA_RESTART | SA_NOCLDSTOP,
              sigismember(addressof(old, "sa_mask"), SIGTERM),
              sigismember(addressof(old, "sa_mask"), SIGINT))
        # signal() installed it: glibc's BSD semantics, SA_RESTART
        signal(SIGUSR2, second)
        assert sigaction(SIGUSR2, NULL, old) == 0
        print(old.sa_flags == SA_RESTART, old.sa_handler == sighandler(second))
        # the kernel got the flags and mask Python's signal module does not set
        kernel = new("struct sigaction *")
        assert c.lib.csockrt_sigaction(SIGCHLD, NULL, kernel) == 0
        print(bool(kernel.sa_flags & SA_NOCLDSTOP), not kernel.sa_flags & SA_RESTART,
              sigismember(addressof(kernel, "sa_mask"), SIGTERM))
        print(sigaction(SIGSTOP, sa, NULL), c.errno == EINVAL)
        print(sigaction(NSIG + 5, NULL, old), c.errno == EINVAL)
        """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "True", "True", "True", "True", "True",
        "True 0",
        "True True 1 0",
        "True True",
        "True True 1",
        "-1 True",
        "-1 True",
    ]


def test_sa_siginfo_and_resethand() -> None:
    result = run_script("""
        seen = []
        @sighandler
        def with_info(sig, info, context):
            seen.append((sig, info.si_signo, context == NULL))
        sa = new("struct sigaction *")
        sa.sa_sigaction = with_info
        sa.sa_flags = cast("int", SA_SIGINFO | SA_RESETHAND)  # 0x80000000: C converts
        assert sigaction(SIGUSR1, sa, NULL) == 0
        raise_(SIGUSR1)
        print(seen)
        old = new("struct sigaction *")
        sigaction(SIGUSR1, NULL, old)
        print(old.sa_handler == SIG_DFL)  # SA_RESETHAND: back to the default
        print(kill(getpid(), 0), kill(-99999999, SIGUSR1), c.errno == ESRCH)
        """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[(10, 10, True)]", "True", "0 -1 True"]


def test_restarting_wrappers_only_after_a_sa_restart_handler() -> None:
    """No cost until asked: csock.c's functions are lib's until a handler with
    SA_RESTART is installed; then star-imported copies are the restarting ones."""
    result = run_script("""
        print(accept is c.lib.accept, read is c.lib.read, c.recv is c.lib.recv)
        def h(s): pass
        signal(SIGUSR1, h)
        print(accept is c.lib.accept, read is c.lib.read, c.recv is c.lib.recv,
              poll is c.lib.poll, select is c.lib.select)
        """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["True True True", "False False False True True"]


def test_connect_restarts_as_the_kernel_would() -> None:
    """A connect interrupted under SA_RESTART ends as the first attempt ends,
    not with EALREADY: here a non-blocking-looking wait on a full backlog."""
    result = run_script("""
        def h(s): pass
        signal(SIGUSR1, h)
        fd, port = listener()
        me = os.getpid()
        if os.fork() == 0:
            time.sleep(0.2); os.kill(me, SIGUSR1); os._exit(0)
        s = socket(AF_INET, SOCK_STREAM, 0)
        a = new("struct sockaddr_in *", {"sin_family": AF_INET, "sin_port": htons(port)})
        a.sin_addr.s_addr = htonl(INADDR_LOOPBACK)
        print(connect(s, cast("struct sockaddr *", a), sizeof(a[0])))
        os.wait()
        """)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["0"]


# --------------------------------------------------------------------------
# The trace: CSOCK_TRACE prints signal()/sigaction()/kill() as strace prints
# the C program's rt_sigaction and kill.

C_PROGRAM = r"""
#include <signal.h>
#include <string.h>
#include <unistd.h>
static void h(int s) { (void)s; }
int main(void) {
    struct sigaction sa, old;
    memset(&sa, 0, sizeof sa);
    sa.sa_handler = h;
    sigemptyset(&sa.sa_mask);
    sigaddset(&sa.sa_mask, SIGTERM);
    sa.sa_flags = SA_RESTART | SA_NOCLDSTOP;
    sigaction(SIGCHLD, &sa, &old);
    sigaction(SIGCHLD, NULL, &old);
    signal(SIGUSR1, h);
    signal(SIGQUIT, SIG_IGN);
    signal(SIGQUIT, SIG_DFL);
    kill(getpid(), 0);
    sa.sa_handler = SIG_IGN;
    sa.sa_flags = 0;
    sigfillset(&sa.sa_mask);
    sigaction(SIGPIPE, &sa, NULL);
    sigaction(SIGKILL, &sa, NULL);
    return 0;
}
"""

PORT = """\
@sighandler
def h(s):
    pass

sa = new("struct sigaction *")
old = new("struct sigaction *")
sa.sa_handler = h
sigemptyset(addressof(sa, "sa_mask"))
sigaddset(addressof(sa, "sa_mask"), SIGTERM)
sa.sa_flags = SA_RESTART | SA_NOCLDSTOP
sigaction(SIGCHLD, sa, old)
sigaction(SIGCHLD, NULL, old)
signal(SIGUSR1, h)
signal(SIGQUIT, SIG_IGN)
signal(SIGQUIT, SIG_DFL)
kill(getpid(), 0)
sa.sa_handler = SIG_IGN
sa.sa_flags = 0
sigfillset(addressof(sa, "sa_mask"))
sigaction(SIGPIPE, sa, NULL)
sigaction(SIGKILL, sa, NULL)
"""


def normalise(line: str) -> str:
    """What cannot match: glibc's restorer (SA_RESTORER, sa_restorer), the
    handler's address, the pid."""
    line = re.sub(r", sa_restorer=0x[0-9a-f]+", "", line)
    line = re.sub(r"SA_RESTORER\|?", "", line).replace("sa_flags=}", "sa_flags=0}")
    line = re.sub(r"sa_handler=0x[0-9a-f]+", "sa_handler=HANDLER", line)
    line = re.sub(r"^kill\(\d+,", "kill(PID,", line)
    return " ".join(line.split())


def test_trace_matches_strace_of_the_c_program(tmp_path: Path) -> None:
    strace, cc = shutil.which("strace"), shutil.which("cc")
    if strace is None or cc is None:
        pytest.skip("needs strace and cc (CI's .ci/run installs strace)")
    probe = subprocess.run([strace, "-o", os.devnull, "true"], capture_output=True)
    if probe.returncode != 0:
        pytest.skip("ptrace is not permitted here")
    (tmp_path / "p.c").write_text(C_PROGRAM)
    subprocess.run([cc, "-o", str(tmp_path / "p"), str(tmp_path / "p.c")], check=True)
    out = tmp_path / "p.strace"
    subprocess.run([strace, "-e", "trace=rt_sigaction,kill", "-o", str(out),
                    str(tmp_path / "p")], check=True, timeout=30)
    want = [normalise(ln) for ln in out.read_text().splitlines()
            if ln.startswith(("rt_sigaction", "kill"))]
    env = {**os.environ, "CSOCK_TRACE": "1"}
    run = subprocess.run([sys.executable, "-c", "from csock.c import *\n" + PORT],
                         capture_output=True, text=True, env=env, timeout=30)
    assert run.returncode == 0, run.stderr
    got = [normalise(ln) for ln in run.stderr.splitlines()
           if ln.startswith(("rt_sigaction", "kill"))]
    assert got == want
    assert len(want) == 8 and "sa_mask=~[RTMIN RT_1]" in want[-1]
