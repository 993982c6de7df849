"""The tutorial's programs (examples/tutorial): C and Python ports interoperate.

Every C program is compiled once per session with -Wall -Wextra -Werror. The
servers run on port 0 and announce the kernel's choice on stderr
("Escuchando en el puerto N"); the clients connect to 127.0.0.1 only.
"""

from __future__ import annotations

import hashlib
import os
import random
import re
import select
import shutil
import signal
import socket
import stat
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO

import pytest

TUTORIAL = Path(__file__).resolve().parent.parent / "examples" / "tutorial"
PROGRAMS = ("servidor", "cliente", "transfer_servidor", "transfer_cliente", "estructurastam")
LANGS = ("c", "py")
PAIRS = [(srv, cli) for srv in LANGS for cli in LANGS]
PAIR_IDS = [f"{srv}-server-{cli}-client" for srv, cli in PAIRS]

GREETING = b"Bienvenido al Eagle14!\n"
PREFIX = b"> [127.0.0.1]: "
READY = re.compile(rb"^Escuchando en el puerto (\d+)\n")
TIMEOUT = 20  # seconds for any single subprocess step


@pytest.fixture(scope="session")
def binaries(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tutorial's C programs, compiled once into a temporary directory."""
    cc = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if cc is None:
        pytest.skip("no C compiler (cc, gcc or clang) on PATH: cannot build the C tutorial")
    out = tmp_path_factory.mktemp("tutorial-bin")
    built = {}
    for name in PROGRAMS:
        exe = out / name
        result = subprocess.run(
            [cc, "-Wall", "-Wextra", "-Werror", "-O2", "-o", str(exe), str(TUTORIAL / f"{name}.c")],
            capture_output=True,
            timeout=120,
        )
        assert result.returncode == 0, f"{name}.c does not build cleanly:\n{result.stderr.decode()}"
        built[name] = exe
    return built


@pytest.fixture
def prog(request: pytest.FixtureRequest):
    """prog(lang, name) -> the argv prefix that runs the tutorial program."""

    def command(lang: str, name: str) -> list[str]:
        if lang == "c":
            return [str(request.getfixturevalue("binaries")[name])]
        return [sys.executable, str(TUTORIAL / f"{name}.py")]

    return command


def read_line(proc: subprocess.Popen[bytes], pipe: IO[bytes] | None) -> bytes:
    """One line from a child's pipe, with a deadline (raw reads: nothing is buffered)."""
    assert pipe is not None
    fd = pipe.fileno()
    seen = b""
    deadline = time.monotonic() + TIMEOUT
    while not seen.endswith(b"\n"):
        left = deadline - time.monotonic()
        if left <= 0:
            pytest.fail(f"no full line after {TIMEOUT} s; so far: {seen!r}")
        ready, _, _ = select.select([fd], [], [], left)
        if ready:
            chunk = os.read(fd, 1)  # byte by byte: leave the rest for communicate()
            if not chunk:
                proc.wait(timeout=TIMEOUT)
                pytest.fail(f"child exited ({proc.returncode}) before a full line: {seen!r}")
            seen += chunk
    return seen


def wait_ready(proc: subprocess.Popen[bytes]) -> int:
    """Read the server's stderr up to its ready line and return the port."""
    line = read_line(proc, proc.stderr)
    match = READY.match(line)
    assert match, f"unexpected first line on the server's stderr: {line!r}"
    return int(match.group(1))


def default_sigint() -> None:
    signal.signal(signal.SIGINT, signal.SIG_DFL)


@contextmanager
def server(argv: list[str]) -> Iterator[tuple[subprocess.Popen[bytes], int]]:
    """Start a server, wait for its ready line; kill it and close its pipes at the end."""
    proc = subprocess.Popen(
        argv,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        # SIGINT as in a terminal, even if pytest runs as a background job
        # (which inherits SIGINT ignored; both servers then keep ignoring it).
        preexec_fn=default_sigint,
    )
    try:
        yield proc, wait_ready(proc)
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait(timeout=TIMEOUT)
        for pipe in (proc.stdout, proc.stderr):
            if pipe is not None:
                pipe.close()


def run(argv: list[str], stdin: bytes = b"") -> subprocess.CompletedProcess[bytes]:
    return subprocess.run(argv, input=stdin, capture_output=True, timeout=TIMEOUT)


def received(out: bytes) -> bytes:
    """What the clients sent, from servidor's "> [IP]: DATA" output (one per recv)."""
    assert out.startswith(PREFIX), out
    chunks = out.split(PREFIX)[1:]
    assert all(chunks), out  # recv() never returns an empty block before EOF
    return b"".join(chunks)


# --- servidor / cliente -------------------------------------------------------


@pytest.mark.parametrize(("srv", "cli"), PAIRS, ids=PAIR_IDS)
def test_servidor_cliente(prog, srv: str, cli: str) -> None:
    lines = b"hola servidor\n\xc3\xb1and\xc3\xba \x01\x7f\nsin salto final"
    with server(prog(srv, "servidor") + ["0", "1"]) as (proc, port):
        client = run(prog(cli, "cliente") + ["127.0.0.1", str(port)], stdin=lines)
        out, err = proc.communicate(timeout=TIMEOUT)
    assert (client.returncode, client.stderr) == (0, b"")
    assert client.stdout == GREETING
    assert (proc.returncode, err) == (0, b"")
    assert received(out) == lines


def test_servidor_serves_clients_in_turn(prog) -> None:
    with server(prog("c", "servidor") + ["0", "2"]) as (proc, port):
        first = run(prog("py", "cliente") + ["127.0.0.1", str(port)], stdin=b"uno\n")
        second = run(prog("c", "cliente") + ["127.0.0.1", str(port)], stdin=b"dos\n")
        out, err = proc.communicate(timeout=TIMEOUT)
    assert first.returncode == second.returncode == 0
    assert first.stdout == second.stdout == GREETING
    assert (proc.returncode, err) == (0, b"")
    assert received(out) == b"uno\ndos\n"


@pytest.mark.parametrize("lang", LANGS)
def test_servidor_sigint_exits_quietly(prog, lang: str) -> None:
    with server(prog(lang, "servidor") + ["0"]) as (proc, port):
        client = run(prog("c", "cliente") + ["127.0.0.1", str(port)], stdin=b"antes\n")
        assert client.returncode == 0
        assert read_line(proc, proc.stdout) == PREFIX + b"antes\n"
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=TIMEOUT)
    assert (proc.returncode, out, err) == (0, b"", b"")


# --- transfer_servidor / transfer_cliente ---------------------------------------

SIZES = [0, 1, 1023, 1024, 1025, 3 * 1024 * 1024 + 517]


@pytest.mark.parametrize("size", SIZES)
@pytest.mark.parametrize(("srv", "cli"), PAIRS, ids=PAIR_IDS)
def test_transfer(prog, tmp_path: Path, srv: str, cli: str, size: int) -> None:
    data = random.Random(size).randbytes(size)
    source = tmp_path / "origen.bin"
    source.write_bytes(data)
    target = tmp_path / "destino.bin"
    target.write_bytes(b"x" * 5000)  # O_TRUNC must empty it first
    with server(prog(srv, "transfer_servidor") + [str(source), "0"]) as (proc, port):
        client = run(prog(cli, "transfer_cliente") + ["127.0.0.1", str(port), str(target)])
        out, err = proc.communicate(timeout=TIMEOUT)
    assert (client.returncode, client.stdout, client.stderr) == (0, b"", b"")
    assert (proc.returncode, out, err) == (0, b"", b"")
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest()


@pytest.mark.parametrize("lang", LANGS)
def test_transfer_cliente_creates_file_0644(prog, tmp_path: Path, lang: str) -> None:
    source = tmp_path / "origen.txt"
    source.write_bytes(b"hola\n")
    target = tmp_path / "nuevo.txt"
    umask = os.umask(0o022)
    os.umask(umask)
    with server(prog(lang, "transfer_servidor") + [str(source), "0"]) as (proc, port):
        client = run(prog(lang, "transfer_cliente") + ["127.0.0.1", str(port), str(target)])
        proc.communicate(timeout=TIMEOUT)
    assert client.returncode == 0
    assert target.read_bytes() == b"hola\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o644 & ~umask


# --- the tutorial's C programs and the csock command line ------------------------

CLI = [sys.executable, "-m", "csock"]


def test_c_transfer_servidor_to_cli_fetch_file(binaries, tmp_path: Path) -> None:
    data = random.Random(7).randbytes(3 * 1024 * 1024 + 517)
    source = tmp_path / "origen.bin"
    source.write_bytes(data)
    target = tmp_path / "destino.bin"
    expect = ["--expect-size", str(len(data)),
              "--expect-sha256", hashlib.sha256(data).hexdigest()]
    with server([str(binaries["transfer_servidor"]), str(source), "0"]) as (proc, port):
        client = run(CLI + ["fetch-file", "127.0.0.1", str(target), str(port), *expect])
        out, err = proc.communicate(timeout=TIMEOUT)
    assert client.returncode == 0, client.stderr
    assert (proc.returncode, out, err) == (0, b"", b"")
    assert target.read_bytes() == data


def test_cli_serve_file_to_c_transfer_cliente(binaries, tmp_path: Path) -> None:
    data = random.Random(8).randbytes(3 * 1024 * 1024 + 517)
    source = tmp_path / "origen.bin"
    source.write_bytes(data)
    target = tmp_path / "destino.bin"
    with server(CLI + ["serve-file", str(source), "0"]) as (proc, port):
        client = run([str(binaries["transfer_cliente"]), "127.0.0.1", str(port), str(target)])
        out, err = proc.communicate(timeout=TIMEOUT)
    assert (client.returncode, client.stdout, client.stderr) == (0, b"", b"")
    assert proc.returncode == 0, err
    digest = hashlib.sha256(data).hexdigest()
    assert out == f"--expect-size {len(data)} --expect-sha256 {digest}\n".encode()
    assert target.read_bytes() == data


def test_c_servidor_and_cli_client(binaries) -> None:
    with server([str(binaries["servidor"]), "0", "1"]) as (proc, port):
        client = run(CLI + ["client", "127.0.0.1", str(port)], stdin=b"hola\n")
        out, err = proc.communicate(timeout=TIMEOUT)
    assert (client.returncode, client.stdout) == (0, GREETING), client.stderr
    assert (proc.returncode, err) == (0, b"")
    assert received(out) == b"hola\n"


def test_cli_server_and_c_cliente(binaries) -> None:
    with server(CLI + ["server", "0", "--max-clients", "1"]) as (proc, port):
        client = run([str(binaries["cliente"]), "127.0.0.1", str(port)], stdin=b"hola\n")
        out, err = proc.communicate(timeout=TIMEOUT)
    assert (client.returncode, client.stdout, client.stderr) == (0, GREETING, b"")
    assert proc.returncode == 0, err
    assert out == PREFIX + b"hola\n"


# --- estructurastam ------------------------------------------------------------


def test_estructurastam(prog) -> None:
    outputs = [run(prog(lang, "estructurastam")) for lang in LANGS]
    for result in outputs:
        assert (result.returncode, result.stderr) == (0, b"")
    assert outputs[0].stdout == outputs[1].stdout == b"Sockaddr: 16 bytes y Sockaddr_in: 16 bytes\n"


# --- errors: same message, exit status 1, in C and Python ------------------------


@pytest.fixture
def refused_port() -> Iterator[int]:
    """A loopback port that refuses connections: bound, never listening."""
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        yield sock.getsockname()[1]


@pytest.mark.parametrize("lang", LANGS)
def test_cliente_connection_refused(prog, refused_port: int, lang: str) -> None:
    result = run(prog(lang, "cliente") + ["127.0.0.1", str(refused_port)], stdin=b"hola\n")
    assert (result.returncode, result.stdout) == (1, b"")
    assert result.stderr == b"connect: Connection refused\n"


@pytest.mark.parametrize("lang", LANGS)
def test_transfer_cliente_connection_refused(
    prog, tmp_path: Path, refused_port: int, lang: str
) -> None:
    target = tmp_path / "nunca.bin"
    result = run(prog(lang, "transfer_cliente") + ["127.0.0.1", str(refused_port), str(target)])
    assert (result.returncode, result.stderr) == (1, b"connect: Connection refused\n")
    assert not target.exists()  # OUTFILE is opened only after connect() succeeds


@pytest.mark.parametrize("lang", LANGS)
def test_transfer_servidor_missing_file(prog, tmp_path: Path, lang: str) -> None:
    result = run(prog(lang, "transfer_servidor") + [str(tmp_path / "no-existe"), "0"])
    assert (result.returncode, result.stdout) == (1, b"")
    # Fails at open(), before any socket: no ready line.
    assert result.stderr == b"open: No such file or directory\n"


@pytest.mark.parametrize(
    ("name", "args"),
    [
        ("servidor", []),
        ("servidor", ["puerto"]),
        ("servidor", ["70000"]),
        ("servidor", ["0", "0"]),
        ("servidor", ["0", "1", "2"]),
        ("cliente", ["127.0.0.1"]),
        ("cliente", ["127.0.0.1", "-1"]),
        ("transfer_servidor", ["fichero"]),
        ("transfer_cliente", ["127.0.0.1", "1"]),
        ("estructurastam", ["sobra"]),
    ],
)
def test_usage(prog, name: str, args: list[str]) -> None:
    results = [run(prog(lang, name) + args) for lang in LANGS]
    for result in results:
        assert (result.returncode, result.stdout) == (1, b"")
        assert re.fullmatch(rb"Uso: %s( [A-Z\[\] ]+)?\n" % name.encode(), result.stderr)
    assert results[0].stderr == results[1].stderr
