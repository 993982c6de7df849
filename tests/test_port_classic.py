"""Every classic C program (examples/classic) translated by ``python -m csock port``:
the tool's port runs unedited against the C programs (server and client both
ways) and makes the same system calls as the C (its CSOCK_TRACE against strace
of the C), with test_classic's scenarios and trace normalisation."""

from __future__ import annotations

import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

import pytest
import test_classic as tc
from test_classic import binaries, sockdir, strace  # noqa: F401  # fixtures

from csock.port import port


@pytest.fixture(scope="module")
def generated(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Each classic C program translated once (the tool's output, unedited)."""
    out = tmp_path_factory.mktemp("classic-gen")
    made = {}
    for name in tc.PROGRAMS:
        c_file = tc.CLASSIC / f"{name}.c"
        result = port(c_file.read_text(), str(c_file))
        assert result.errors == [], result.errors
        (out / f"{name}.py").write_text(result.python)
        made[name] = out / f"{name}.py"
    return made


@pytest.fixture
def prog(request: pytest.FixtureRequest,
         generated: dict[str, Path]) -> Callable[[str, str], tc.Cmd]:
    """prog(lang, name): "c" the compiled program, "gen" the tool's port of it,
    "py" the hand-written port."""

    def command(lang: str, name: str) -> tc.Cmd:
        if lang == "c":
            return tc.Cmd([str(request.getfixturevalue("binaries")[name])])
        if lang == "py":
            return tc.Cmd([sys.executable, str(tc.CLASSIC / f"{name}.py")])
        return tc.Cmd([sys.executable, str(generated[name])])

    return command


# The tool's port against the C, against itself and against the hand-written port.
PAIRS = [("gen", "c"), ("c", "gen"), ("gen", "gen"), ("gen", "py"), ("py", "gen")]


@pytest.mark.parametrize(("srv", "cli"), PAIRS, ids=[f"{s}-{c}" for s, c in PAIRS])
@pytest.mark.parametrize("which", list(tc.SCENARIOS))
def test_generated_pairing(prog, sockdir: Path, which: str, srv: str,  # noqa: F811
                           cli: str) -> None:
    s = tc.SCENARIOS[which]
    s.run(prog(srv, s.server), prog(cli, s.client), prog("c", s.client), host="127.0.0.1",
          sockdir=sockdir, name=s.server)


def test_generated_showip(prog) -> None:
    for host in tc.SHOWIP_HOSTS:
        assert tc.ok(tc.run(prog("gen", "showip")(host))).stdout == \
            tc.ok(tc.run(prog("c", "showip")(host))).stdout


@pytest.mark.parametrize(("which", "role"), tc.TRACED, ids=[f"{w}-{r}" for w, r in tc.TRACED])
def test_generated_trace_matches_strace(prog, strace: str, sockdir: Path,  # noqa: F811
                                        tmp_path: Path, which: str, role: str) -> None:
    """The tool's port under CSOCK_TRACE=1 and the C under strace: the same calls."""
    s = tc.SCENARIOS[which]
    name = s.server if role == "server" else s.client
    traces = {}
    for lang in ("c", "gen"):
        cmds = {"server": prog("c", s.server), "client": prog("c", s.client)}
        base = tmp_path / f"{name}-{lang}"
        if lang == "c":
            cmds[role] = tc.Cmd([strace, "-ff", "-e", f"trace={tc.TRACE_SET},clone,rt_sigaction",
                                 "-o", str(base), *cmds[role].argv])
        else:
            cmds[role] = tc.Cmd(prog("gen", name).argv, {**tc.plain_env(), "CSOCK_TRACE": "1"})
        errs = s.run(cmds["server"], cmds["client"], prog("c", s.client), host="127.0.0.1",
                     sockdir=sockdir, name=s.server)
        lines = tc.strace_lines(base) if lang == "c" else tc.csock_lines(errs[role])
        start = re.compile(r"^(socket\(|openat\(AT_FDCWD, \"" + re.escape(str(sockdir)) + ")")
        traces[lang] = tc.normalise(lines, start)
    tc.assert_same(traces["c"], traces["gen"])
    start, piece = tc.SEEN[which, role]
    assert any(x.startswith(start) and piece in x for x in traces["gen"]), (start, piece)


def test_generated_pass_ruff(generated: dict[str, Path]) -> None:
    """The tool's ports read as Python a person writes (line length, imports, names)."""
    ruff = Path(sys.executable).with_name("ruff")
    if not ruff.exists():
        pytest.skip("ruff is not installed (pip install -e '.[test]')")
    result = subprocess.run([str(ruff), "check", "--no-cache", "--isolated", "--line-length",
                             "100", "--select", "E,F,W,I,B,UP,A", "--ignore", "F403,F405,A001",
                             *map(str, generated.values())], capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 0, result.stdout
