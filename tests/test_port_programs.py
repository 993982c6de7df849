"""Every C program in examples/tutorial, translated by ``python -m csock port``:
the port runs unedited against the C original in every pairing, and makes the
same system calls (its CSOCK_TRACE against strace of the C)."""

from __future__ import annotations

import hashlib
import random
import re
import subprocess
import sys
from pathlib import Path

import pytest
import test_trace as tr
import test_tutorial as tt
from test_trace import bins, cc, strace  # noqa: F401  # fixtures
from test_tutorial import binaries  # noqa: F401  # fixture

from csock.port import port

TUTORIAL = tt.TUTORIAL
LANGS = ("c", "port")
PAIRS = [(s, k) for s in LANGS for k in LANGS]
IDS = [f"{s}-server-{k}-client" for s, k in PAIRS]


@pytest.fixture(scope="module")
def ports(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """The tutorial's C programs translated once (the tool, not the hand-written ports)."""
    out = tmp_path_factory.mktemp("ports")
    made = {}
    for name in tt.PROGRAMS:
        c_file = TUTORIAL / f"{name}.c"
        result = port(c_file.read_text(), str(c_file))
        assert result.errors == []
        (out / f"{name}.py").write_text(result.python)
        made[name] = out / f"{name}.py"
    return made


@pytest.fixture
def prog(request: pytest.FixtureRequest, ports: dict[str, Path]):
    def command(lang: str, name: str) -> list[str]:
        if lang == "c":
            return [str(request.getfixturevalue("binaries")[name])]
        return [sys.executable, str(ports[name])]
    return command


def test_ports_pass_ruff(ports: dict[str, Path]) -> None:
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    result = subprocess.run([str(ruff), "check", "--no-cache", "--isolated", "--line-length",
                             "100", "--select", "E,F,W,I,B,UP,A", "--ignore", "F403,F405,A001",
                             *map(str, ports.values())], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout


@pytest.mark.parametrize(("srv", "cli"), PAIRS, ids=IDS)
def test_servidor_cliente(prog, srv: str, cli: str) -> None:
    lines = b"hola servidor\n\xc3\xb1and\xc3\xba \x01\x7f\nsin salto final"
    with tt.server(prog(srv, "servidor") + ["0", "1"]) as (proc, p):
        client = tt.run(prog(cli, "cliente") + ["127.0.0.1", str(p)], stdin=lines)
        out, err = proc.communicate(timeout=tt.TIMEOUT)
    assert (client.returncode, client.stderr) == (0, b"")
    assert client.stdout == tt.GREETING
    assert (proc.returncode, err) == (0, b"")
    assert tt.received(out) == lines


def test_servidor_port_sigint_exits_quietly(prog) -> None:
    with tt.server(prog("port", "servidor") + ["0"]) as (proc, p):
        client = tt.run(prog("c", "cliente") + ["127.0.0.1", str(p)], stdin=b"antes\n")
        assert client.returncode == 0
        assert tt.read_line(proc, proc.stdout) == tt.PREFIX + b"antes\n"
        proc.send_signal(tt.signal.SIGINT)
        out, err = proc.communicate(timeout=tt.TIMEOUT)
    assert (proc.returncode, out, err) == (0, b"", b"")


@pytest.mark.parametrize("size", [0, 1025, 300 * 1024 + 7])
@pytest.mark.parametrize(("srv", "cli"), PAIRS, ids=IDS)
def test_transfer(prog, tmp_path: Path, srv: str, cli: str, size: int) -> None:
    data = random.Random(size).randbytes(size)
    source = tmp_path / "origen.bin"
    source.write_bytes(data)
    target = tmp_path / "destino.bin"
    target.write_bytes(b"x" * 5000)
    with tt.server(prog(srv, "transfer_servidor") + [str(source), "0"]) as (proc, p):
        client = tt.run(prog(cli, "transfer_cliente") + ["127.0.0.1", str(p), str(target)])
        out, err = proc.communicate(timeout=tt.TIMEOUT)
    assert (client.returncode, client.stdout, client.stderr) == (0, b"", b"")
    assert (proc.returncode, out, err) == (0, b"", b"")
    assert hashlib.sha256(target.read_bytes()).digest() == hashlib.sha256(data).digest()


def test_estructurastam(prog) -> None:
    outputs = [tt.run(prog(lang, "estructurastam")) for lang in LANGS]
    assert outputs[0].stdout == outputs[1].stdout == \
        b"Sockaddr: 16 bytes y Sockaddr_in: 16 bytes\n"
    assert [o.returncode for o in outputs] == [0, 0]


@pytest.mark.parametrize(("name", "args"), [
    ("servidor", []), ("servidor", ["puerto"]), ("servidor", ["70000"]),
    ("servidor", ["0", "0"]), ("cliente", ["127.0.0.1"]), ("cliente", ["127.0.0.1", "-1"]),
    ("transfer_servidor", ["fichero"]), ("transfer_cliente", ["127.0.0.1", "1"]),
    ("estructurastam", ["sobra"]),
])
def test_usage_errors_match(prog, name: str, args: list[str]) -> None:
    results = [tt.run(prog(lang, name) + args) for lang in LANGS]
    assert [(r.returncode, r.stdout, r.stderr) for r in results][0] == \
        [(r.returncode, r.stdout, r.stderr) for r in results][1]
    assert results[0].returncode == 1


def test_cliente_connection_refused_matches(prog) -> None:
    import socket
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        p = s.getsockname()[1]
        results = [tt.run(prog(lang, "cliente") + ["127.0.0.1", str(p)]) for lang in LANGS]
    assert results[0].stderr == results[1].stderr == b"connect: Connection refused\n"
    assert results[0].returncode == results[1].returncode == 1


# --- the port's CSOCK_TRACE against strace of the C --------------------------------


def _port_argv(ports: dict[str, Path], name: str) -> list[str]:
    return [sys.executable, str(ports[name])]


def test_servidor_port_trace_matches_strace(strace: str, bins: dict[str, Path],  # noqa: F811
                                            ports: dict[str, Path], tmp_path: Path) -> None:
    traces: dict[str, list[str]] = {}
    for lang in LANGS:
        out = tmp_path / f"servidor-{lang}.strace"
        if lang == "c":
            argv = [*tr.strace_argv(strace, tr.BASE_SET, out), str(bins["servidor"]), "0", "1"]
            env = tr.plain_env()
        else:
            argv, env = [*_port_argv(ports, "servidor"), "0", "1"], tr.traced_env()
        with tr.server(argv, env) as (_proc, p, err):
            tr.run([str(bins["cliente"]), "127.0.0.1", str(p)], tr.plain_env(), tr.SERVER_INPUT)
        lines = out.read_text().splitlines() if lang == "c" else tr.stderr_lines(err)
        traces[lang] = tr.normalise(lines, set(tr.BASE_SET.split(",")), tr.START_SOCKET)
    tr.assert_same(traces["c"], traces["port"])
    assert traces["port"][0] == "socket(AF_INET, SOCK_STREAM, IPPROTO_IP) = fd0"


def test_cliente_port_trace_matches_strace(strace: str, bins: dict[str, Path],  # noqa: F811
                                           ports: dict[str, Path], tmp_path: Path) -> None:
    traces: dict[str, list[str]] = {}
    for lang in LANGS:
        out = tmp_path / f"cliente-{lang}.strace"
        with tr.server([str(bins["servidor"]), "0", "1"], tr.plain_env()) as (_proc, p, _e):
            if lang == "c":
                argv = [*tr.strace_argv(strace, tr.BASE_SET, out), str(bins["cliente"]),
                        "127.0.0.1", str(p)]
                tr.run(argv, tr.plain_env(), tr.CLIENT_INPUT)
                lines = out.read_text().splitlines()
            else:
                result = tr.run([*_port_argv(ports, "cliente"), "127.0.0.1", str(p)],
                                tr.traced_env(), tr.CLIENT_INPUT)
                lines = result.stderr.decode("utf-8", "replace").splitlines()
        traces[lang] = tr.normalise(lines, set(tr.BASE_SET.split(",")), tr.START_SOCKET)
    tr.assert_same(traces["c"], traces["port"])
    assert sum(x.startswith("sendto(") for x in traces["port"]) == 4


def test_transfer_ports_trace_matches_strace(strace: str, bins: dict[str, Path],  # noqa: F811
                                             ports: dict[str, Path], tmp_path: Path) -> None:
    """Both transfer programs at once: the port of each against the C of the other."""
    src = tmp_path / "informe.bin"
    src.write_bytes(tr.file_bytes(2600))
    start = re.compile(r'^(socket\(|openat\(AT_FDCWD, "' + re.escape(str(src)) + '")')
    traces: dict[str, list[str]] = {}
    for lang in LANGS:
        out = tmp_path / f"tserv-{lang}.strace"
        dest = tmp_path / f"copia-{lang}.bin"
        if lang == "c":
            argv = [*tr.strace_argv(strace, tr.FILE_SET, out), str(bins["transfer_servidor"]),
                    str(src), "0"]
            env = tr.plain_env()
        else:
            argv, env = [*_port_argv(ports, "transfer_servidor"), str(src), "0"], tr.traced_env()
        with tr.server(argv, env) as (_proc, p, err):
            tr.run([str(bins["transfer_cliente"]), "127.0.0.1", str(p), str(dest)],
                   tr.plain_env())
        assert dest.read_bytes() == src.read_bytes()
        lines = out.read_text().splitlines() if lang == "c" else tr.stderr_lines(err)
        traces[lang] = tr.normalise(lines, set(tr.FILE_SET.split(",")), start)
    tr.assert_same(traces["c"], traces["port"])
    assert [x.split(" = ")[-1] for x in traces["port"] if x.startswith("read(")] == \
        ["1024", "1024", "552", "0"]
    # the client: the port under CSOCK_TRACE, the C under strace, against the C server
    ctraces: dict[str, list[str]] = {}
    cstart = re.compile(r"^socket\(")
    for lang in LANGS:
        out = tmp_path / f"tcli-{lang}.strace"
        dest = tmp_path / "copia-cliente.bin"  # one name: it is in the traces
        dest.unlink(missing_ok=True)
        with tr.server([str(bins["transfer_servidor"]), str(src), "0"],
                       tr.plain_env()) as (_proc, p, _e):
            if lang == "c":
                argv = [*tr.strace_argv(strace, tr.FILE_SET, out),
                        str(bins["transfer_cliente"]), "127.0.0.1", str(p), str(dest)]
                tr.run(argv, tr.plain_env())
                lines = out.read_text().splitlines()
            else:
                result = tr.run([*_port_argv(ports, "transfer_cliente"), "127.0.0.1", str(p),
                                 str(dest)], tr.traced_env())
                lines = result.stderr.decode("utf-8", "replace").splitlines()
        assert dest.read_bytes() == src.read_bytes()
        ctraces[lang] = tr.normalise(lines, set(tr.FILE_SET.split(",")), cstart)
    tr.assert_same(ctraces["c"], ctraces["port"])


def exact_matches(folder: Path = TUTORIAL,
                  names: tuple[str, ...] = tuple(tt.PROGRAMS)) -> tuple[int, int]:
    """(statements written exactly as the hand-written port has them, statements written)."""
    from collections import Counter
    same = total = 0
    for name in names:
        c_text = (folder / f"{name}.c").read_text()
        hand = Counter(x.strip() for x in (folder / f"{name}.py").read_text().splitlines())
        for line in port(c_text, f"{name}.c").python.splitlines():
            code = line.strip()
            if not code or code.startswith(("#", '"""')):
                continue
            total += 1
            if hand[code] > 0:
                hand[code] -= 1
                same += 1
    return same, total


def test_guides_state_the_exact_match_count() -> None:
    import test_classic as tc
    root = TUTORIAL.parent.parent
    english = " ".join((root / "docs" / "porting.md").read_text().split())
    spanish = " ".join((root / "docs" / "es" / "portado.md").read_text().split())
    for same, total in (exact_matches(), exact_matches(tc.CLASSIC, tc.PROGRAMS)):
        assert same * 2 > total  # most statements come out as a person writes them
        assert f"{same} of the {total} statements" in english
        assert f"{same} de las {total} sentencias" in spanish
