"""csock/c.pyi: generated, complete, and useful to a type checker.

The stub must equal tools/gen_c_stub.py's output; every csock.c function has
a documented entry; and user-style programs are checked by mypy --strict
(and pyright strict where it is installed): good ones pass, planted mistakes
are rejected at the line that makes them.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path
from types import ModuleType

import pytest

import csock
import csock.c as c
from csock import _constants

ROOT = Path(__file__).resolve().parent.parent
STUB = ROOT / "csock" / "c.pyi"


def _load(path: Path, name: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_stub_equals_generator_output() -> None:
    generator = _load(ROOT / "tools" / "gen_c_stub.py", "_csock_gen_c_stub")
    assert STUB.read_text() == generator.render(), (
        "csock/c.pyi is stale: run python tools/gen_c_stub.py")


def test_reference_page_equals_generator_output() -> None:
    generator = _load(ROOT / "tools" / "gen_c_stub.py", "_csock_gen_c_stub")
    page = ROOT / "docs" / "reference" / "c.md"
    assert page.read_text() == generator.render_reference(), (
        "docs/reference/c.md is stale: run python tools/gen_c_stub.py")


def test_every_function_is_typed_and_documented() -> None:
    text = STUB.read_text()
    functions = [n for n in c.__all__ if callable(getattr(c, n)) and not n.isupper()
                 and not isinstance(getattr(c, n), c.CData)]
    for name in functions:
        assert re.search(rf"^def {name}\(", text, re.M), f"{name} missing from c.pyi"
    docs = _load(ROOT / "tools" / "c_api_docs.py", "_csock_c_api_docs").DOCS
    c_functions = [n for n in functions if n not in {
        "new", "cast", "sizeof", "offsetof", "addressof", "string", "buffer",
        "from_buffer", "show", "cdef", "sighandler",
        "explain"}]
    assert sorted(set(c_functions) - set(docs)) == []
    assert "Man page: socket(2)." in text and "On failure: -1, with errno set." in text


def test_stub_all_equals_runtime_all() -> None:
    match = re.search(r"^__all__ = \[(.*?)\]", STUB.read_text(), re.M | re.S)
    assert match is not None
    # The stub also lists the optional constants this system's headers lack.
    absent = set(_constants.absent_optional())
    stub_all = set(re.findall(r'"(\w+)"', match.group(1))) - absent
    assert sorted(stub_all) == sorted(c.__all__)


def test_cdata_is_the_runtime_type() -> None:
    assert isinstance(c.new("int *"), c.CData)
    assert isinstance(c.NULL, c.CData)


GOOD_RAW = """
from csock.c import *
import csock.c as c

servidor = new("struct sockaddr_in *")
fd: int = socket(AF_INET, SOCK_STREAM, 0)
if fd == -1:
    perror(b"socket")
memset(servidor, 0, sizeof(servidor[0]))
servidor.sin_family = AF_INET
servidor.sin_port = htons(10000)
servidor.sin_addr.s_addr = htonl(INADDR_ANY)
ok: int = bind(fd, cast("struct sockaddr *", servidor), sizeof("struct sockaddr"))
buf = new("char[]", 1024)
n: int = recv(fd, buf, 1024, 0)
sent: int = send(fd, b"hola", 4, 0)
err: int = c.errno
text: bytes = string(inet_ntoa(servidor.sin_addr))
close(fd)
"""

GOOD_PYTHONIC = """
import io
import csock

with csock.socket(csock.AF_INET, csock.SOCK_STREAM) as s:
    family: csock.AddressFamily = s.family
    kind: csock.SocketKind = s.type
    s.sendall(b"data")
    s.sendall(bytearray(b"data"))
    s.sendall(memoryview(b"data"))
    n: int = s.recv_into(bytearray(10))
    data: bytes = s.recv(10)
    reader: io.BufferedReader = s.makefile("rb")
    writer: io.BufferedWriter = s.makefile("wb")
    text: io.TextIOWrapper = s.makefile("r", encoding="utf-8")
    raw: csock.Socket = s.dup()
"""

# (source line, a pattern of what the checker must say about it)
BAD = {
    'from csock.c import *\nfd = sockett(AF_INET, SOCK_STREAM, 0)\n': "sockett",
    'from csock.c import *\nfd = socket(AF_INET, SOCK_STREAM)\n': "socket|argument",
    'from csock.c import *\nrecv(3, b"buffer", 6, 0)\n': "recv",
    'import csock\ncsock.socket().sendall("texto")\n': "sendall",
    # An annotation that names socket.socket rejects a csock.Socket (README).
    'import csock, socket\nsock: socket.socket = csock.socket()\n': "socket",
    # csock.layout's cached functions keep their argument types.
    'import csock.layout\ncsock.layout.layout(16)\n': "layout|str|int",
}


def _mypy_env(workdir: Path) -> dict[str, str]:
    env = dict(os.environ, MYPY_CACHE_DIR=str(workdir / ".mypy_cache"))
    parent = Path(csock.__file__).resolve().parent.parent
    if parent.name != "site-packages":  # an editable install: csock is in a checkout
        env["MYPYPATH"] = str(parent)
    return env


def _mypy(workdir: Path, files: list[str]) -> subprocess.CompletedProcess[str]:
    if importlib.util.find_spec("mypy") is None:
        pytest.skip("mypy is not installed (pip install mypy)")
    return subprocess.run([sys.executable, "-m", "mypy", "--strict", "--no-error-summary",
                           "--python-version", "3.11", *files], cwd=workdir,
                          env=_mypy_env(workdir), capture_output=True, text=True,
                          timeout=600)


def _write_programs(workdir: Path) -> list[str]:
    (workdir / "good_raw.py").write_text(textwrap.dedent(GOOD_RAW))
    (workdir / "good_pythonic.py").write_text(textwrap.dedent(GOOD_PYTHONIC))
    names = ["good_raw.py", "good_pythonic.py"]
    for i, source in enumerate(BAD):
        (workdir / f"bad_{i}.py").write_text(source)
        names.append(f"bad_{i}.py")
    return names


def _check_output(output: str) -> None:
    for good in ("good_raw.py", "good_pythonic.py"):
        assert f"{good}:" not in output, output
    for i, (source, needle) in enumerate(BAD.items()):
        errors = [line for line in output.splitlines() if line.startswith(f"bad_{i}.py:2")]
        assert errors, f"not rejected:\n{source}\n{output}"
        assert any(re.search(needle, line) for line in errors), errors


@pytest.mark.timeout(600)
def test_mypy_strict_accepts_good_and_rejects_planted_mistakes(tmp_path: Path) -> None:
    files = _write_programs(tmp_path)
    result = _mypy(tmp_path, files)
    _check_output(result.stdout)


@pytest.mark.timeout(600)
def test_pyright_strict_accepts_good_and_rejects_planted_mistakes(tmp_path: Path) -> None:
    pyright = shutil.which("pyright")
    if pyright is None:
        pytest.skip("pyright is not installed (pip install pyright; .ci/run installs it)")
    files = _write_programs(tmp_path)
    parent = Path(csock.__file__).resolve().parent.parent
    config = {"typeCheckingMode": "strict", "pythonVersion": "3.11",
              # A star import from a library is the porting idiom (docs/typing.md).
              "reportWildcardImportFromLibrary": False,
              "pythonPath": sys.executable, "extraPaths": [str(parent)]}
    (tmp_path / "pyrightconfig.json").write_text(json.dumps(config))
    result = subprocess.run([pyright, *files], cwd=tmp_path, capture_output=True, text=True,
                            timeout=600)
    # pyright prints "/abs/path/bad_0.py:2:6 - error: ...": make it mypy-like.
    output = "\n".join(
        re.sub(r"^\s*" + re.escape(str(tmp_path)) + r"/", "", line)
        for line in result.stdout.splitlines() if " - error" in line)
    _check_output(output)
