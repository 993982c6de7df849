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


# stderr read from each background process before its port was announced
EARLY_STDERR: dict[int, bytes] = {}


@contextmanager
def background(*args: str) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Start a csock server-like subcommand; yield it and the port it announced."""
    proc = subprocess.Popen([*CSOCK, *args], stdin=subprocess.DEVNULL,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
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
    sent = re.search(r"sha256 sent: +([0-9a-f]{64})", out)
    got = re.search(r"sha256 received: +([0-9a-f]{64})", out)
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
    (["client"], ["HOST", "PORT", "10000", "stdin", "example"]),
    (["serve-file"], ["FILE", "PORT", "--host", "--max-clients", "10001", "example"]),
    (["fetch-file"], ["HOST", "OUTFILE", "PORT", "10001", "sha256", "example"]),
])
def test_help(args: list[str], mentions: list[str]) -> None:
    result = run(*args, "--help")
    assert result.returncode == 0, result.stderr
    for word in mentions:
        assert word in result.stdout, word


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
    with background("server", "0", "--max-clients", "2") as (server, port):
        flag = run("client", "127.0.0.1", str(port), "--trace", stdin="hola\n")
        env = subprocess.run([*CSOCK, "client", "127.0.0.1", str(port)], input=b"hola\n",
                             capture_output=True, timeout=TIMEOUT,
                             env={**os.environ, "CSOCK_TRACE": "1"})
        code, _out, err = finish(server)
    assert (flag.returncode, env.returncode, code) == (0, 0, 0), (flag, env, err)
    assert flag.stderr == env.stderr.decode()
    assert flag.stderr.startswith("socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = 3\n"
                                  f"connect(3, {{sa_family=AF_INET, sin_port=htons({port}), ")
    assert 'sendto(3, "hola\\n", 5, 0, NULL, 0)' in flag.stderr


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
        code, _out, err = finish(server)
    assert code == 0, err
    assert fetch.returncode == 0, fetch.stderr
    expected = hashlib.sha256(source.read_bytes()).hexdigest()
    assert hashlib.sha256(target.read_bytes()).hexdigest() == expected
    printed = fetch.stdout.split()
    assert printed[0] == expected
    assert f"({size} bytes)" in fetch.stdout
    assert f"received {size} bytes" in fetch.stderr
    assert f"sent {size} bytes to 127.0.0.1 (sha256 {expected})" in err


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


def test_bad_server_host() -> None:
    result = run("server", "0", "--host", "::1")
    assert_one_line_error(result, r"csock server: bad host '::1': .*")


def test_main_in_process_usage_error(capsys: pytest.CaptureFixture[str]) -> None:
    from csock.__main__ import main

    with pytest.raises(SystemExit) as exc:
        main(["server", "65536"])
    assert exc.value.code == 2
    assert "must be 0 to 65535" in capsys.readouterr().err


# ------------------------------------------------------------------ in process

def test_demo_in_process_closes_everything(capsys: pytest.CaptureFixture[str]) -> None:
    from csock.__main__ import main

    assert main(["demo"]) == 0  # the autouse fixture checks that no fd is left open
    assert "demo OK" in capsys.readouterr().out


def test_demo_failure_is_one_line_and_closes_everything(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import csock._cli_demo as demo
    from csock.__main__ import main

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
    from csock._cli_c import CError, check

    with pytest.raises(CError) as exc:
        check(c.close(-1), "closing nothing")
    assert exc.value.errno == errno.EBADF
    assert str(exc.value) == "closing nothing: Bad file descriptor"
    assert isinstance(exc.value, OSError)
    assert check(0, "fine") == 0


def test_demo_failure_in_the_quiet_loop_shows_the_failed_call(
        monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> None:
    import csock._cli_c as cc
    from csock.__main__ import main

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
    import csock._cli_c as cc

    for name in ("c_string", "_flags", "show_sockaddr", "errname", "Calls"):
        assert not hasattr(cc, name), name
