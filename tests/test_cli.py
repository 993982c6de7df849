"""The csock command (python -m csock ...), run as a subprocess on loopback only."""

from __future__ import annotations

import hashlib
import os
import re
import select
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

TIMEOUT = 15  # seconds, for every subprocess step

CSOCK = [sys.executable, "-m", "csock"]


def run(*args: str, stdin: str | bytes = b"") -> subprocess.CompletedProcess[str]:
    data = stdin.encode() if isinstance(stdin, str) else stdin
    proc = subprocess.run([*CSOCK, *args], input=data, capture_output=True, timeout=TIMEOUT)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


def assert_one_line_error(result: subprocess.CompletedProcess[str], expected: str) -> None:
    assert result.returncode == 1, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1, result.stderr
    assert re.fullmatch(expected, lines[0]), lines[0]


def default_sigint() -> None:
    """SIGINT as in a terminal, even if pytest runs as a background job (which
    inherits it ignored, and Python then keeps ignoring it)."""
    signal.signal(signal.SIGINT, signal.SIG_DFL)


# stderr read from each background process before its port was announced
EARLY_STDERR: dict[int, bytes] = {}


@contextmanager
def background(*args: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Start a csock server-like subcommand; yield it and the port it announced."""
    proc = subprocess.Popen([*CSOCK, *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=default_sigint)  # the tests send it SIGINT
    try:
        assert proc.stderr is not None
        seen = b""
        deadline = time.monotonic() + TIMEOUT
        while (m := re.search(rb"Escuchando en el puerto (\d+)\n", seen)) is None:
            left = deadline - time.monotonic()
            ready, _, _ = select.select([proc.stderr], [], [], max(left, 0))
            chunk = os.read(proc.stderr.fileno(), 4096) if ready else b""
            if not chunk:
                proc.kill()
                out, err = proc.communicate(timeout=TIMEOUT)
                pytest.fail(f"server did not announce its port: {seen + err!r}")
            seen += chunk
        EARLY_STDERR[proc.pid] = seen
        yield proc, int(m.group(1))
    finally:
        if proc.poll() is None:
            try:
                proc.wait(timeout=TIMEOUT)
            except subprocess.TimeoutExpired:
                proc.kill()
        proc.communicate(timeout=TIMEOUT)  # drains and closes the pipes


def finish(proc: subprocess.Popen[bytes]) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=TIMEOUT)
    err = EARLY_STDERR.pop(proc.pid, b"") + err
    return proc.returncode, out.decode("utf-8", "replace"), err.decode("utf-8", "replace")


# ------------------------------------------------------------------ demo, help, sizes

def test_demo_transcript() -> None:
    result = run("demo")
    assert result.returncode == 0, result.stderr
    out = result.stdout
    # csock.c's call trace (CSOCK_TRACE's notation), each line after the side making it
    assert re.search(r'  server sendto\(\d+, "Bienvenido al Eagle14!\\n", 23, 0, NULL, 0\)'
                     r' = 23\n', out)
    assert "  server socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n" in out
    assert re.search(r'  server bind\(3, \{sa_family=AF_INET, sin_port=htons\(0\), '
                     r'sin_addr=inet_addr\("127\.0\.0\.1"\)\}, 16\) = 0\n', out)
    assert re.search(r"  client poll\(\[\{fd=\d+, events=POLLIN\}\], 1, 5000\) += 1 "
                     r"\(\[\{fd=\d+, revents=POLLIN\}\]\)\n", out)
    assert re.search(r'  client openat\(AT_FDCWD, ".*recibido\.bin", O_WRONLY\|O_CREAT\|O_TRUNC, '
                     r'0600\) = \d+\n', out)
    assert "> [127.0.0.1]: Hola desde el cliente" in out
    assert out.count("  server read(") == 2  # the first blocks; the rest are summarized
    sent = re.search(r"sha256 sent:\s+([0-9a-f]{64})", out)
    got = re.search(r"sha256 received:\s+([0-9a-f]{64})", out)
    assert sent and got and sent.group(1) == got.group(1)
    assert "sha256 match" in out
    assert out.rstrip().splitlines()[-1].startswith("demo OK")
    assert result.stderr == ""


@pytest.mark.parametrize("args", [["demo"], ["sizes"], ["--help"], ["demo", "--help"]])
def test_closed_stdout_is_quiet(args: list[str]) -> None:
    """The reader is gone (csock demo | head -3): no "Broken pipe", no traceback."""
    read_end, write_end = os.pipe()
    os.close(read_end)  # closed before the first write: every write fails with EPIPE
    try:
        proc = subprocess.run([*CSOCK, *args], stdin=subprocess.DEVNULL, stdout=write_end,
                              stderr=subprocess.PIPE, timeout=TIMEOUT)
    finally:
        os.close(write_end)
    assert proc.returncode in (0, 141), proc
    assert proc.stderr == b""


def test_demo_piped_to_head() -> None:
    proc = subprocess.Popen([*CSOCK, "demo"], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None
    try:
        first = [proc.stdout.readline() for _ in range(3)]
        proc.stdout.close()  # like head -3
        _, err = proc.communicate(timeout=TIMEOUT)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.communicate(timeout=TIMEOUT)
    code = proc.returncode
    assert first[1] == b"== 1. The server: socket(), bind() to 127.0.0.1 port 0, listen()\n"
    assert code in (0, 141)
    assert err == b""


@pytest.mark.parametrize(("args", "mentions"), [
    ([], ["demo", "sizes", "server", "client", "serve-file", "fetch-file"]),
    (["demo"], ["transcript", "sha256", "example"]),
    (["sizes"], ["sizeof", "example"]),
    (["server"], ["PORT", "--host", "--max-clients", "10000", "127.0.0.1", "example"]),
    (["client"], ["HOST", "PORT", "10000", "stdin", "--timeout", "example"]),
    (["serve-file"], ["FILE", "PORT", "--host", "--max-clients", "10001", "--timeout",
                      "--expect-size", "--expect-sha256", "SO_LINGER", "130", "example"]),
    (["fetch-file"], ["HOST", "OUTFILE", "PORT", "10001", "sha256", "--timeout",
                      "--expect-size", "--expect-sha256", "OUTFILE.part", "killed", "example"]),
])
def test_help(args: list[str], mentions: list[str]) -> None:
    result = run(*args, "--help")
    assert result.returncode == 0, result.stderr
    for word in mentions:
        assert word in result.stdout, word


def test_serve_file_timeout_help_is_about_sends() -> None:
    # It was the client's text: "give up when connect, or any one send or recv...",
    # but serve-file neither connects nor receives.
    text = " ".join(run("serve-file", "--help").stdout.split())
    timeout_help = text.split("--timeout SECONDS", 2)[2].split(" example:")[0]
    assert "when any one send makes no progress" in timeout_help
    assert "connect" not in timeout_help and "recv" not in timeout_help


def test_sizes() -> None:
    result = run("sizes")
    assert result.returncode == 0, result.stderr
    assert "Sockaddr: 16 bytes y Sockaddr_in: 16 bytes" in result.stdout


def test_no_subcommand_is_usage_error() -> None:
    assert run().returncode == 2


# ------------------------------------------------------------------ server and client

def test_server_client_round_trip() -> None:
    with background("server", "0", "--max-clients", "1") as (server, port):
        client = run("client", "127.0.0.1", str(port), stdin="hola\nque tal\n")
        assert client.returncode == 0, client.stderr
        assert client.stdout == "Bienvenido al Eagle14!\n"
        code, out, err = finish(server)
    assert code == 0, err
    assert "> [127.0.0.1]: hola" in out
    assert "> [127.0.0.1]: que tal" in out
    assert "Traceback" not in err


def test_server_serves_clients_one_after_another_and_localhost() -> None:
    with background("server", "0", "--host", "localhost", "--max-clients", "2") as (server, port):
        first = run("client", "localhost", str(port), stdin="uno\n")
        second = run("client", "127.0.0.1", str(port), stdin="dos\n")
        code, out, err = finish(server)
    assert (first.returncode, second.returncode, code) == (0, 0, 0), (first, second, err)
    assert out.index("> [127.0.0.1]: uno") < out.index("> [127.0.0.1]: dos")


def test_server_trace_shows_c_calls() -> None:
    with background("server", "0", "--max-clients", "1", "--trace") as (server, port):
        assert run("client", "127.0.0.1", str(port), stdin="x\n").returncode == 0
        code, out, err = finish(server)
    assert code == 0
    assert "setsockopt(3, SOL_SOCKET, SO_REUSEADDR, [1], 4) = 0\n" in err
    assert re.search(r"^listen\(3, 2\) += 0$", err, re.M)
    assert 'sendto(4, "Bienvenido al Eagle14!\\n", 23, 0, NULL, 0) = 23\n' in err


def test_trace_is_csock_trace() -> None:
    """--trace prints what CSOCK_TRACE=1 prints for the same calls: one decoder."""
    with background("server", "0", "--max-clients", "3") as (server, port):
        flag = run("client", "127.0.0.1", str(port), "--trace", stdin="hola\n")
        env = subprocess.run([*CSOCK, "client", "127.0.0.1", str(port)], input=b"hola\n",
                             capture_output=True, timeout=TIMEOUT,
                             env={**os.environ, "CSOCK_TRACE": "1"})
        plain = run("client", "127.0.0.1", str(port), "--trace", "--timeout", "0",
                    stdin="hola\n")
        code, _out, err = finish(server)
    assert (flag.returncode, env.returncode, plain.returncode, code) == (0, 0, 0, 0), err
    assert flag.stderr == env.stderr.decode()
    # with a timeout: a non-blocking connect, then poll() before each call
    assert re.match(r"socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = 3\n"
                    r"fcntl\(3, F_GETFL\) .*\n"
                    r"fcntl\(3, F_SETFL, O_RDWR\|O_NONBLOCK\) += 0\n"
                    rf"connect\(3, \{{sa_family=AF_INET, sin_port=htons\({port}\), .*"
                    r"= -1 EINPROGRESS .*\n"
                    r"poll\(\[\{fd=3, events=POLLOUT\}\], 1, 30000\) .*\n"
                    r"getsockopt\(3, SOL_SOCKET, SO_ERROR, \[0\], \[4\]\) += 0\n"
                    r"poll\(\[\{fd=3, events=POLLIN\}\], 1, 30000\)", flag.stderr)
    assert 'sendto(3, "hola\\n", 5, 0, NULL, 0)' in flag.stderr
    # --timeout 0: the tutorial's calls, nothing else
    assert plain.stderr.startswith("socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
                                   f"connect(3, {{sa_family=AF_INET, sin_port=htons({port}), ")
    assert "poll(" not in plain.stderr and "fcntl(" not in plain.stderr


def test_server_ctrl_c_is_quiet() -> None:
    with background("server", "0") as (server, _port):
        server.send_signal(signal.SIGINT)
        code, out, err = finish(server)
    assert code == 0
    assert "Traceback" not in err and "KeyboardInterrupt" not in err


# ------------------------------------------------------------------ files

@pytest.mark.parametrize("size", [0, 2 * 1024 * 1024 + 123])
def test_serve_and_fetch_file(tmp_path: Path, size: int) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(os.urandom(size))
    target = tmp_path / "copy.bin"
    with background("serve-file", str(source), "0") as (server, port):
        fetch = run("fetch-file", "127.0.0.1", str(target), str(port))
        code, out, err = finish(server)
    assert code == 0, err
    assert fetch.returncode == 0, fetch.stderr
    expected = hashlib.sha256(source.read_bytes()).hexdigest()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == expected
    printed = fetch.stdout.split()
    assert printed[0] == expected
    assert f"({size} bytes)" in fetch.stdout
    assert f"received {size} bytes" in fetch.stderr
    assert f"sent {size} bytes to 127.0.0.1 (sha256 {expected})" in err
    # announced once, at start, as the options fetch-file takes
    assert out == f"--expect-size {size} --expect-sha256 {expected}\n"
    assert not Path(f"{target}.part").exists()


def test_serve_file_many_clients(tmp_path: Path) -> None:
    source = tmp_path / "a.txt"
    source.write_bytes(b"abc\n" * 1000)
    with background("serve-file", str(source), "0", "--max-clients", "2") as (server, port):
        for name in ("1", "2"):
            result = run("fetch-file", "127.0.0.1", str(tmp_path / name), str(port))
            assert result.returncode == 0, result.stderr
        code, _out, err = finish(server)
    assert code == 0, err
    assert (tmp_path / "1").read_bytes() == (tmp_path / "2").read_bytes() == source.read_bytes()


# ------------------------------------------------------------------ transfers that lose nothing

def start(*args: str, preexec: object = default_sigint) -> subprocess.Popen[bytes]:
    return subprocess.Popen([*CSOCK, *args], stdin=subprocess.DEVNULL, stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, preexec_fn=preexec)  # type: ignore[arg-type]


def wait_until(ready: object, what: str) -> None:
    """Poll ready() until it is true (a deadline, not a timing assertion)."""
    deadline = time.monotonic() + TIMEOUT
    while not ready():  # type: ignore[operator]
        if time.monotonic() > deadline:
            pytest.fail(f"gave up waiting for {what}")
        time.sleep(0.01)


def size_of(path: Path) -> int:
    return path.stat().st_size if path.exists() else -1


@contextmanager
def listener() -> Iterator[tuple[socket.socket, int]]:
    """A loopback listener played by the test: a sender that misbehaves on cue."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        sock.listen(1)
        sock.settimeout(TIMEOUT)
        yield sock, sock.getsockname()[1]


def reset_close(conn: socket.socket) -> None:
    """Close with SO_LINGER {1, 0}: the peer gets a reset."""
    conn.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00")
    conn.close()


def assert_kept_as_part(code: int, err: bytes, target: Path, before: bytes | None,
                        sent: bytes, status: int, reason: str) -> bytes:
    """OUTFILE as it was, OUTFILE.part a prefix of what was sent, one error line."""
    text = err.decode()
    assert code == status, text
    assert "Traceback" not in text
    errors = [line for line in text.splitlines() if line.startswith("csock ")]
    assert len(errors) == 1, text
    kept = f"{target}.part"
    assert re.fullmatch(rf"csock fetch-file: {reason}; {re.escape(str(target))} left as it "
                        rf"was, what was received \(\d+ bytes\) is in {re.escape(kept)}",
                        errors[0]), text
    if before is None:
        assert not target.exists()
    else:
        assert target.read_bytes() == before
    part = Path(kept).read_bytes()
    assert sent.startswith(part)
    assert f"({len(part)} bytes)" in errors[0]
    return part


DATA = bytes(range(256)) * 1200  # 300 KiB


def test_fetch_file_reset_keeps_outfile_and_part(tmp_path: Path) -> None:
    target = tmp_path / "copy.bin"
    target.write_bytes(b"the old copy\n")
    with listener() as (sock, port):
        fetch = start("fetch-file", "127.0.0.1", str(target), str(port))
        conn, _ = sock.accept()
        # a reset before fetch-file's connect() returned would fail the connect instead
        wait_until(lambda: size_of(Path(f"{target}.part")) == 0, "OUTFILE.part")
        conn.sendall(DATA)
        reset_close(conn)
        _out, err = fetch.communicate(timeout=TIMEOUT)
    assert_kept_as_part(fetch.returncode, err, target, b"the old copy\n", DATA, 1,
                        r"recv failed: Connection reset by peer")


@pytest.mark.parametrize("expect", [True, False])
def test_fetch_file_sender_killed_outright(tmp_path: Path, expect: bool) -> None:
    """SIGKILL ends the stream as a finished file does; --expect-size tells them apart."""
    sender = subprocess.Popen([sys.executable, "-c", (
        "import socket, sys\n"
        "s = socket.create_server(('127.0.0.1', 0))\n"
        "print(s.getsockname()[1], flush=True)\n"
        "c, _ = s.accept()\n"
        "c.sendall(bytes(range(256)) * 1200)\n"
        "print('sent', flush=True)\n"
        "sys.stdin.read()\n")],  # blocks until killed
        stdin=subprocess.PIPE, stdout=subprocess.PIPE)
    assert sender.stdout is not None and sender.stdin is not None
    try:
        port = int(sender.stdout.readline())
        target = tmp_path / "copy.bin"
        more = ["--expect-size", str(1024 * 1024)] if expect else []
        fetch = start("fetch-file", "127.0.0.1", str(target), str(port), *more)
        assert sender.stdout.readline() == b"sent\n"
        sender.kill()
        sender.wait(timeout=TIMEOUT)
        out, err = fetch.communicate(timeout=TIMEOUT)
    finally:
        if sender.poll() is None:
            sender.kill()
            sender.wait(timeout=TIMEOUT)
        sender.stdout.close()
        sender.stdin.close()
    if expect:
        part = assert_kept_as_part(fetch.returncode, err, target, None, DATA, 1,
                                   r"the stream ended after 307200 bytes, not 1048576 "
                                   r"\(--expect-size\)")
        assert part == DATA
    else:  # what the tutorial's protocol cannot see: a clean end of stream
        assert fetch.returncode == 0, err
        assert target.read_bytes() == DATA


def test_fetch_file_timeout(tmp_path: Path) -> None:
    target = tmp_path / "copy.bin"
    target.write_bytes(b"old")
    with listener() as (sock, port):
        fetch = start("fetch-file", "127.0.0.1", str(target), str(port), "--timeout", "0.3")
        conn, _ = sock.accept()
        with conn:
            conn.sendall(DATA[:1000])  # then silence, the connection still open
            _out, err = fetch.communicate(timeout=TIMEOUT)
    part = assert_kept_as_part(fetch.returncode, err, target, b"old", DATA, 1,
                               r"timed out after 0\.3 s waiting for data \(--timeout\)")
    assert part == DATA[:1000]


def test_fetch_file_sigint(tmp_path: Path) -> None:
    target = tmp_path / "copy.bin"
    target.write_bytes(b"old")
    part = Path(f"{target}.part")
    with listener() as (sock, port):
        fetch = start("fetch-file", "127.0.0.1", str(target), str(port))
        conn, _ = sock.accept()
        with conn:
            conn.sendall(DATA[:1000])
            wait_until(lambda: size_of(part) == 1000, "the first bytes in OUTFILE.part")
            fetch.send_signal(signal.SIGINT)
            _out, err = fetch.communicate(timeout=TIMEOUT)
    assert_kept_as_part(fetch.returncode, err, target, b"old", DATA, 130, "interrupted")


def _no_larger_files() -> None:
    import resource

    default_sigint()
    resource.setrlimit(resource.RLIMIT_FSIZE, (100_000, 100_000))


def test_fetch_file_write_error(tmp_path: Path) -> None:
    target = tmp_path / "copy.bin"
    target.write_bytes(b"old")
    with listener() as (sock, port):
        fetch = start("fetch-file", "127.0.0.1", str(target), str(port),
                      preexec=_no_larger_files)
        conn, _ = sock.accept()
        with conn:
            try:
                conn.sendall(DATA)
            except OSError:  # the receiver gave up in the middle: expected
                pass
            _out, err = fetch.communicate(timeout=TIMEOUT)
    part = assert_kept_as_part(fetch.returncode, err, target, b"old", DATA, 1,
                               r"write failed: File too large")
    assert len(part) == 100_000


@pytest.mark.parametrize(("option", "value", "reason"), [
    ("--expect-size", "1000", r"more than 1000 bytes arrived \(--expect-size\)"),
    ("--expect-size", str(len(DATA) + 1),
     rf"the stream ended after {len(DATA)} bytes, not {len(DATA) + 1} \(--expect-size\)"),
    ("--expect-sha256", "ab" * 32,
     rf"sha256 {hashlib.sha256(DATA).hexdigest()} is not {'ab' * 32} \(--expect-sha256\)"),
])
def test_fetch_file_expect_mismatch(tmp_path: Path, option: str, value: str,
                                    reason: str) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(DATA)
    target = tmp_path / "copy.bin"
    target.write_bytes(b"old")
    with background("serve-file", str(source), "0") as (server, port):
        fetch = run("fetch-file", "127.0.0.1", str(target), str(port), option, value)
        finish(server)
    assert_kept_as_part(fetch.returncode, fetch.stderr.encode(), target, b"old", DATA, 1,
                        reason)


def test_fetch_file_expect_what_serve_file_announced(tmp_path: Path) -> None:
    source = tmp_path / "source.bin"
    source.write_bytes(DATA)
    target = tmp_path / "copy.bin"
    target.write_bytes(b"old")
    with background("serve-file", str(source), "0") as (server, port):
        assert server.stdout is not None
        announced = server.stdout.readline().decode().split()  # pasted as it is
        fetch = run("fetch-file", "127.0.0.1", str(target), str(port), *announced)
        code, _out, err = finish(server)
    assert announced[::2] == ["--expect-size", "--expect-sha256"]
    assert (fetch.returncode, code) == (0, 0), (fetch.stderr, err)
    assert target.read_bytes() == DATA
    assert not Path(f"{target}.part").exists()


def slow_reader(port: int) -> socket.socket:
    """A client that reads one block and then nothing: the sender's buffers fill."""
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.settimeout(TIMEOUT)
    sock.connect(("127.0.0.1", port))
    assert sock.recv(1024)
    return sock


def read_until_failure(sock: socket.socket) -> tuple[int, type[BaseException] | None]:
    """Bytes read to the end of the stream, and the error that ended it (None: a FIN)."""
    total = 0
    try:
        while chunk := sock.recv(65536):
            total += len(chunk)
    except OSError as exc:
        return total, type(exc)
    return total, None


BIG = 32 * 1024 * 1024  # more than loopback's socket buffers hold


def big_file(tmp_path: Path) -> Path:
    source = tmp_path / "big.bin"
    with source.open("wb") as f:
        f.truncate(BIG)  # sparse: no time spent writing it
    return source


def test_serve_file_sigint_mid_file_resets(tmp_path: Path) -> None:
    source = big_file(tmp_path)
    with background("serve-file", str(source), "0", "--timeout", "0") as (server, port):
        with slow_reader(port) as reader:
            server.send_signal(signal.SIGINT)
            code, _out, err = finish(server)
            got, failure = read_until_failure(reader)
    assert code == 130, err
    assert failure is ConnectionResetError  # not a clean end that looks complete
    assert got < BIG
    lines = [line for line in err.splitlines() if line.startswith("csock ")]
    assert len(lines) == 1 and "Traceback" not in err, err
    assert re.fullmatch(rf"csock serve-file: interrupted while sending {re.escape(str(source))} "
                        rf"to 127\.0\.0\.1, after \d+ of {BIG} bytes; connection reset",
                        lines[0]), lines[0]


def test_serve_file_sigint_idle_is_quiet(tmp_path: Path) -> None:
    source = tmp_path / "f"
    source.write_bytes(b"x")
    with background("serve-file", str(source), "0", "--max-clients", "0") as (server, port):
        fetch = run("fetch-file", "127.0.0.1", str(tmp_path / "copy"), str(port))
        server.send_signal(signal.SIGINT)
        code, _out, err = finish(server)
    assert fetch.returncode == 0, fetch.stderr
    assert code == 0
    assert err.splitlines() == [f"Escuchando en el puerto {port}",
                                f"sent 1 bytes to 127.0.0.1 (sha256 "
                                f"{hashlib.sha256(b'x').hexdigest()})"]


def test_serve_file_client_that_never_reads_times_out(tmp_path: Path) -> None:
    """One stalled client costs --timeout, then the next one is served."""
    source = big_file(tmp_path)
    target = tmp_path / "copy.bin"
    with background("serve-file", str(source), "0", "--max-clients", "2",
                    "--timeout", "0.5") as (server, port):
        with slow_reader(port) as stalled:
            fetch = run("fetch-file", "127.0.0.1", str(target), str(port))
            got, failure = read_until_failure(stalled)
        code, _out, err = finish(server)
    assert failure is ConnectionResetError and got < BIG
    assert fetch.returncode == 0, fetch.stderr
    assert size_of(target) == BIG
    assert code == 1  # one transfer failed
    assert re.search(r"^csock serve-file: client 127\.0\.0\.1: timed out after 0\.5 s waiting "
                     rf"for the peer to take more data \(--timeout\) after \d+ of {BIG} "
                     r"bytes; connection reset$", err, re.M), err


def test_connect_timeout() -> None:
    """A listener whose backlog is full drops the SYN: connect waits, then gives up."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as full:
        full.bind(("127.0.0.1", 0))
        full.listen(0)
        port = full.getsockname()[1]
        fillers = []
        try:
            for _ in range(8):
                filler = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                fillers.append(filler)
                filler.settimeout(0.5)
                try:
                    filler.connect(("127.0.0.1", port))
                except TimeoutError:
                    break
            else:
                pytest.skip("this kernel completes connections past the backlog")
            result = run("client", "127.0.0.1", str(port), "--timeout", "0.3")
        finally:
            for filler in fillers:
                filler.close()
    assert_one_line_error(result, rf"csock client: timed out after 0\.3 s connecting to "
                                  rf"127\.0\.0\.1:{port} \(--timeout\)")


@pytest.mark.parametrize("value", ["-1", "nan", "inf", "1e9", "x"])
def test_bad_timeout_is_usage_error(value: str) -> None:
    result = run("client", "127.0.0.1", "9", "--timeout", value)
    assert result.returncode == 2
    assert result.stderr.count("\n") == 1 and "invalid timeout" in result.stderr


# ------------------------------------------------------------------ errors

def test_port_in_use() -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run("server", str(port), "--max-clients", "1")
    assert_one_line_error(
        result, rf"csock server: cannot bind 127\.0\.0\.1:{port}: Address already in use")


def test_serve_file_port_in_use(tmp_path: Path) -> None:
    source = tmp_path / "f"
    source.write_bytes(b"x")
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = run("serve-file", str(source), str(port))
    assert_one_line_error(
        result, rf"csock serve-file: cannot bind 127\.0\.0\.1:{port}: Address already in use")


@pytest.mark.parametrize("command", ["client", "fetch-file"])
def test_connection_refused(tmp_path: Path, command: str) -> None:
    target = tmp_path / "never.bin"
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bound:
        bound.bind(("127.0.0.1", 0))  # bound, never listening: connect is refused
        port = bound.getsockname()[1]
        args = ["127.0.0.1", str(port)] if command == "client" else [
            "127.0.0.1", str(target), str(port)]
        result = run(command, *args)
    assert_one_line_error(
        result, rf"csock {command}: cannot connect to 127\.0\.0\.1:{port}: Connection refused")
    assert not target.exists()


def test_missing_file(tmp_path: Path) -> None:
    missing = tmp_path / "no-such-file"
    result = run("serve-file", str(missing), "0")
    assert_one_line_error(
        result, rf"csock serve-file: cannot open {re.escape(str(missing))}: "
                r"No such file or directory")
    assert "Escuchando" not in result.stderr  # failed before any socket


def test_diagram_path_checked_before_the_demo(tmp_path: Path) -> None:
    # The demo ran to its end, then failed with "csock demo: No such file or
    # directory", naming no file.
    target = tmp_path / "no-dir" / "demo.svg"
    result = run("demo", "--diagram", str(target))
    assert_one_line_error(result, rf"csock demo: cannot write {re.escape(str(target))}: "
                                  r"No such file or directory")
    assert result.stdout == ""


def test_directory_is_not_a_file(tmp_path: Path) -> None:
    result = run("serve-file", str(tmp_path), "0")
    assert_one_line_error(result, r"csock serve-file: cannot read .*: Is a directory")


@pytest.mark.parametrize("args", [
    ["server", "65536"], ["server", "-1"], ["server", "http"],
    ["client", "127.0.0.1", "99999"], ["serve-file", "f", "70000"],
    ["fetch-file", "127.0.0.1", "out", "x1"], ["server", "--max-clients", "-3"],
])
def test_bad_port_is_usage_error(args: list[str]) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert "Traceback" not in result.stderr
    assert "error: argument" in result.stderr


@pytest.mark.parametrize("host", ["999.1.2.3", "not a host", "example.invalid", ""])
def test_bad_host(host: str) -> None:
    result = run("client", host, "5")
    assert_one_line_error(result, rf"csock client: bad host {re.escape(repr(host))}: .*")


@pytest.mark.parametrize("host", ["1.2.3", "::1x", "[::1", "localhost.invalid"])
def test_bad_server_host(host: str) -> None:
    result = run("server", "0", "--host", host)
    assert_one_line_error(result, rf"csock server: bad host {re.escape(repr(host))}: .*")


# inet_aton's short and odd forms, and what it makes of them
ODD_IPV4 = [
    ("1.2.3", "1.2.0.3"), ("127.1", "127.0.0.1"), ("0x7f.0.0.1", "127.0.0.1"),
    ("010.0.0.1", "8.0.0.1"), ("127.0.0.01", "127.0.0.1"), ("2130706433", "127.0.0.1"),
    ("1.2.3.4 x", "1.2.3.4"),
]


@pytest.mark.parametrize(("command", "host", "meant"), [
    *(("client", host, meant) for host, meant in ODD_IPV4),
    *((command, "1.2.3", "1.2.0.3") for command in ("fetch-file", "serve-file", "server")),
])
def test_short_ipv4_forms_are_refused(tmp_path: Path, command: str, host: str,
                                      meant: str) -> None:
    """A typo must not reach a stranger: refused before any socket exists."""
    source = tmp_path / "f"
    source.write_bytes(b"x")
    args = {"client": ["client", host, "9", "--trace"],
            "fetch-file": ["fetch-file", host, str(tmp_path / "out"), "9", "--trace"],
            "serve-file": ["serve-file", str(source), "0", "--host", host, "--trace"],
            "server": ["server", "0", "--host", host, "--trace"]}[command]
    result = run(*args)
    assert_one_line_error(
        result, rf"csock {command}: bad host {re.escape(repr(host))}: not a canonical IPv4 "
                rf"address \(inet_aton would read it as {re.escape(meant)}\); .*")
    assert not (tmp_path / "out.part").exists()


def _ipv6_loopback() -> bool:
    try:
        with socket.socket(socket.AF_INET6, socket.SOCK_STREAM) as probe:
            probe.bind(("::1", 0))
        return True
    except OSError:
        return False


@pytest.mark.skipif(not _ipv6_loopback(), reason="no IPv6 loopback here")
def test_ipv6_literals(tmp_path: Path) -> None:
    with background("server", "0", "--host", "::1", "--max-clients", "2") as (server, port):
        plain = run("client", "::1", str(port), stdin="seis\n")
        bracketed = run("client", "[::1]", str(port), stdin="v6\n")
        code, out, err = finish(server)
    assert (plain.returncode, bracketed.returncode, code) == (0, 0, 0), (plain, bracketed, err)
    assert plain.stdout == bracketed.stdout == "Bienvenido al Eagle14!\n"
    assert "> [::1]: seis" in out and "> [::1]: v6" in out
    source = tmp_path / "s"
    source.write_bytes(b"ipv6 " * 1000)
    with background("serve-file", str(source), "0", "--host", "::1") as (server, port):
        fetch = run("fetch-file", "::1", str(tmp_path / "c"), str(port))
        code, _out, err = finish(server)
    assert (fetch.returncode, code) == (0, 0), (fetch, err)
    assert (tmp_path / "c").read_bytes() == source.read_bytes()


def test_main_in_process_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from csock.cli.main import main

    with pytest.raises(SystemExit) as exc:
        main(["server", "65536"])
    assert exc.value.code == 2
    assert "must be 0 to 65535" in capsys.readouterr().err


# ------------------------------------------------------------------ the error contract

# Strict on every stream: a raw undecodable byte printed anywhere is a crash.
STRICT = {"PYTHONIOENCODING": "utf-8:strict", "PYTHONUTF8": "0", "LC_ALL": "C.UTF-8"}

LATIN1_H = (b"/* caf\xe9: Latin-1, not UTF-8 */\n"
            b"struct sockaddr_in { unsigned short sin_family; unsigned short sin_port;\n"
            b"    unsigned int sin_addr; unsigned char sin_zero[8]; };\n")


def run_strict(*args: str, env: dict[str, str] | None = None,
               cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run([*CSOCK, *args], stdin=subprocess.DEVNULL, capture_output=True,
                          timeout=TIMEOUT, env={**os.environ, **STRICT, **(env or {})}, cwd=cwd)
    return subprocess.CompletedProcess(proc.args, proc.returncode,
                                       proc.stdout.decode("utf-8", "replace"),
                                       proc.stderr.decode("utf-8", "replace"))


def fs(path: Path | bytes) -> str:
    return os.fsdecode(path)


# Finding 6 of issue 10: each of these printed a traceback (or hung).
CONTRACT = [
    ("port-superscript", lambda d, p: ["explain", "sockaddr_in", "127.0.0.1:\u00b9"], None, 2,
     r"csock explain: invalid port '\u00b9' in '127\.0\.0\.1:\u00b9': must be 0 to 65535"),
    ("scope-overflow", lambda d, p: ["explain", "sockaddr_in6", "[::1%99999999999]:80"], None, 2,
     r"csock explain: scope '99999999999' in '\[::1%99999999999\]:80': give the interface "
     r"index as a number, 0 to 4294967295"),
    ("explain-non-utf8-host", lambda d, p: ["explain", "sockaddr_in", fs(b"\xff:80")], None, 2,
     r"csock explain: '\\udcff' in '\\udcff:80' is not a numeric IPv4 address"),
    ("explain-non-utf8-long-path",
     lambda d, p: ["explain", "sockaddr_un", fs(b"/" + b"\xff" * 200)], None, 2,
     r"csock explain: path of 201 bytes: sun_path holds at most 107 and a NUL"),
    ("serve-file-non-utf8", lambda d, p: ["serve-file", fs(d / fs(b"\xff-missing")), "0"],
     None, 1, r"csock serve-file: cannot open .*/\\xff-missing: No such file or directory"),
    ("fetch-file-non-utf8",
     lambda d, p: ["fetch-file", "127.0.0.1", fs(d / fs(b"\xff-dir") / "x"), str(p)], None, 1,
     r"csock fetch-file: cannot open .*/\\xff-dir/x\.part: No such file or directory"),
    ("cdef-non-utf8-name", lambda d, p: ["sizes", "--check-cdef", fs(d / fs(b"\xff.h"))], None,
     2, r"csock sizes: error: cannot read .*/\\xff\.h: No such file or directory"),
    ("cdef-latin1-broken", lambda d, p: ["sizes", "--check-cdef", fs(d / "broken-latin1.h")],
     None, 2, r"csock sizes: error: .*broken-latin1\.h: cffi cannot lay these declarations "
              r"out: .*"),
    ("cdef-fifo", lambda d, p: ["sizes", "--check-cdef", fs(d / "fifo.h")], None, 2,
     r"csock sizes: error: cannot read .*fifo\.h: not a regular file"),
    ("cdef-empty-name", lambda d, p: ["sizes", "--check-cdef", ""], None, 2,
     r"csock sizes: error: cannot read : No such file or directory"),
    ("ctypes-no-fields", lambda d, p: ["sizes", "--check-ctypes",
                                       f"{d / 'nofields.py'}:SockaddrIn"], None, 2,
     r"csock sizes: error: .*nofields\.py:SockaddrIn has no _fields_: nothing to check"),
    ("cc-bad-quote", lambda d, p: ["sizes", "--check"], {"CC": "'cc"}, 2,
     r"csock sizes: error: cannot split \$CC=\"'cc\": No closing quotation"),
    ("diagram-missing-dir", lambda d, p: ["demo", "--diagram", fs(d / "no-dir" / "d.svg")],
     None, 1, r"csock demo: cannot write .*/no-dir/d\.svg: No such file or directory"),
    ("diagram-is-dir", lambda d, p: ["demo", "--diagram", fs(d)], None, 1,
     r"csock demo: cannot write .*: Is a directory"),
    ("negative-port", lambda d, p: ["server", "-1"], None, 2,
     r"csock server: error: argument PORT: invalid port -1: must be 0 to 65535 "
     r"\(see csock server --help\)"),
    ("short-ipv4", lambda d, p: ["client", "1.2.3", "9"], None, 1,
     r"csock client: bad host '1\.2\.3': not a canonical IPv4 address \(inet_aton would "
     r"read it as 1\.2\.0\.3\); .*"),
]


@pytest.mark.parametrize(("argv", "env", "status", "expected"),
                         [case[1:] for case in CONTRACT], ids=[case[0] for case in CONTRACT])
def test_error_contract(tmp_path: Path, argv: object, env: dict[str, str] | None, status: int,
                        expected: str) -> None:
    """Every failure: one line on stderr naming the problem, no traceback, non-zero."""
    os.mkfifo(tmp_path / "fifo.h")  # nobody writes: a reader that waits would hang
    (tmp_path / "broken-latin1.h").write_bytes(LATIN1_H + b"struct sockaddr { caf\xe9 x; };\n")
    (tmp_path / "nofields.py").write_text(
        "import ctypes\n\nclass SockaddrIn(ctypes.Structure):\n    pass\n")
    with listener() as (_sock, port):  # connections complete in its backlog
        result = run_strict(*argv(tmp_path, port), env=env)  # type: ignore[operator]
    assert result.returncode == status, result
    assert "Traceback" not in result.stderr
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert "internal error" not in lines[0]
    assert re.fullmatch(expected, lines[0]), lines[0]


def test_non_utf8_names_work(tmp_path: Path) -> None:
    """File names are bytes to the kernel: any name a shell can pass works."""
    source = tmp_path / fs(b"origen-\xff.bin")
    source.write_bytes(DATA)
    target = tmp_path / fs(b"copia-\xfe.bin")
    with background("serve-file", str(source), "0") as (server, port):
        fetch = run_strict("fetch-file", "127.0.0.1", str(target), str(port))
        code, _out, err = finish(server)
    assert (fetch.returncode, code) == (0, 0), (fetch.stderr, err)
    assert target.read_bytes() == DATA
    assert fetch.stdout.endswith(f"copia-\\xfe.bin  ({len(DATA)} bytes)\n")
    explained = run_strict("explain", "sockaddr_un", fs(b"/tmp/\xff"))
    assert explained.returncode == 0, explained.stderr
    assert 'sun_path="/tmp/\\377"' in explained.stdout
    header = tmp_path / fs(b"cabecera-\xff.h")
    header.write_bytes(LATIN1_H)
    checked = run_strict("sizes", "--check-cdef", str(header))
    assert checked.returncode == 0, checked.stderr
    assert "your struct sockaddr_in matches struct sockaddr_in." in checked.stdout
    assert "cabecera-\\xff.h: every field agrees with the compiler." in checked.stdout


def test_internal_error_is_one_line(monkeypatch: pytest.MonkeyPatch,
                                    capsys: pytest.CaptureFixture[str]) -> None:
    """A bug still keeps the contract, and says what it was."""
    import csock.cli.explain as explain
    from csock.cli.main import main

    def broken(struct: str, address: str | None) -> str:
        raise ZeroDivisionError("a bug")

    monkeypatch.setattr(explain, "explain", broken)
    assert main(["explain", "linger"]) == 1
    assert capsys.readouterr().err == ("csock explain: internal error (please report it): "
                                       "ZeroDivisionError: a bug\n")


# ------------------------------------------------------------------ in process

def test_demo_in_process_closes_everything(capsys: pytest.CaptureFixture[str]) -> None:
    from csock.cli.main import main

    assert main(["demo"]) == 0  # the autouse fixture checks that no fd is left open
    assert "demo OK" in capsys.readouterr().out


def test_demo_failure_is_one_line_and_closes_everything(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import csock.cli.demo as demo
    from csock.cli.main import main

    real = demo.sockaddr_in
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as bound:
        bound.bind(("127.0.0.1", 0))  # never listens: the demo's client is refused
        refused = bound.getsockname()[1]
        monkeypatch.setattr(demo, "sockaddr_in",
                            lambda ip, port: real(ip, port if port == 0 else refused))
        assert main(["demo"]) == 1
    captured = capsys.readouterr()
    assert captured.err == (f"csock demo: cannot connect to 127.0.0.1:{refused}: "
                            "Connection refused\n")
    assert "= -1 ECONNREFUSED (Connection refused)" in captured.out


def test_check_reads_errno_of_the_failing_call() -> None:
    import errno

    import csock.c as c
    from csock.cli.cbridge import CError, check

    with pytest.raises(CError) as exc:
        check(c.close(-1), "closing nothing")
    assert exc.value.errno == errno.EBADF
    assert str(exc.value) == "closing nothing: Bad file descriptor"
    assert isinstance(exc.value, OSError)
    assert check(0, "fine") == 0


def test_demo_failure_in_the_quiet_loop_shows_the_failed_call(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import csock.cli.cbridge as cc
    from csock.cli.main import main

    real = cc.write_all
    writes: list[int] = []

    def fifth_fails(fd: int, buf: object, n: int) -> None:
        writes.append(fd)
        real(-1 if len(writes) == 5 else fd, buf, n)  # EBADF, in the untraced stretch

    monkeypatch.setattr(cc, "write_all", fifth_fails)
    assert main(["demo"]) == 1
    captured = capsys.readouterr()
    assert captured.err == "csock demo: write failed: Bad file descriptor\n"
    assert captured.out.count(" write(") == 3  # the two traced blocks, then the failure
    assert re.search(r'  client write\(-1, "[^"]*"\.\.\., 1024\) += -1 EBADF '
                     r'\(Bad file descriptor\)\n', captured.out)


def test_cli_has_no_formatter_of_its_own() -> None:
    """The C notation comes from csock._show through the tracer, not from a copy."""
    import csock.cli.cbridge as cc

    for name in ("c_string", "_flags", "show_sockaddr", "errname", "Calls"):
        assert not hasattr(cc, name), name


def test_library_layers_never_import_the_cli() -> None:
    """The binding and the Pythonic layer stand apart from the command built on them."""
    code = ("import sys, csock, csock.c, csock.layout, csock._show\n"
            "s = csock.Socket(); s.close()\n"
            "print(sorted(m for m in sys.modules if m.startswith('csock.cli')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=Path(__file__).parent)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
    # The check can fail: the command itself does bring the package in.
    code = "import sys, csock.__main__; print('csock.cli.main' in sys.modules)"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                         timeout=60, cwd=Path(__file__).parent)
    assert out.stdout.strip() == "True", out.stderr
