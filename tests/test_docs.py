"""Every code block of the porting guides runs: docs/porting.md and docs/es/portado.md.

Fenced blocks, by info string:

* ```python            starts a script; ```python continued appends to the
  script of the block before it (state carries over). Each script runs in a
  subprocess of this interpreter, with a timeout, in a temporary directory;
  it must exit 0. The code sits on the same line numbers as in the Markdown
  file, so a traceback points at the guide's line.
* ```c                 statements: wrapped in a function (the standard socket
  headers included, argc/argv in scope) and checked with cc -fsyntax-only.
* ```c file            top-level C (function definitions): the same headers
  prepended, checked with cc -fsyntax-only.
* ```c program         a whole program with its own includes: built, run, must
  exit 0.
* any other language (sh, text, console...) is prose.

The two guides are parallel: the same executable blocks, in the same order.

docs/reliability.md and docs/es/fiabilidad.md have no block to run (commands
that take minutes, a benchmark's output): the translation keeps every block
and every figure of the English guide (tests at the end).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from collections import Counter
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
GUIDES = [ROOT / "docs" / "porting.md", ROOT / "docs" / "es" / "portado.md"]

PYTHON_KINDS = {"python", "python continued"}
C_KINDS = {"c", "c file", "c program"}
SCRIPT_TIMEOUT = 30  # seconds for one script; blocks set their own, shorter, timeouts

FENCE = re.compile(r"^```([^\n`]*)\n(.*?)^```[ \t]*$", re.MULTILINE | re.DOTALL)

C_HEADERS = """\
#define _DEFAULT_SOURCE
#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <unistd.h>
"""
C_FLAGS = ["-std=gnu11", "-Wall", "-Wextra", "-Werror", "-Wno-unused-variable",
           "-Wno-unused-but-set-variable", "-Wno-unused-parameter", "-Wno-unused-function"]


@dataclass
class Block:
    guide: Path
    line: int  # line of the first line of code (1-based)
    kind: str
    code: str

    @property
    def where(self) -> str:
        return f"{self.guide.relative_to(ROOT)}:{self.line}"


def blocks(guide: Path) -> list[Block]:
    """The fenced code blocks of a guide, with the line each one's code starts on."""
    text = guide.read_text(encoding="utf-8")
    found = []
    for match in FENCE.finditer(text):
        info = " ".join(match.group(1).split())
        line = text.count("\n", 0, match.start(2)) + 1
        found.append(Block(guide, line, info, match.group(2)))
    return found


def executable(guide: Path) -> list[Block]:
    return [b for b in blocks(guide) if b.kind in PYTHON_KINDS | C_KINDS]


def scripts(guide: Path) -> list[list[Block]]:
    """The Python blocks grouped into scripts: a block and its continuations."""
    groups: list[list[Block]] = []
    for block in blocks(guide):
        if block.kind == "python":
            groups.append([block])
        elif block.kind == "python continued":
            assert groups, f"{block.where}: 'python continued' with no block before it"
            groups[-1].append(block)
    return groups


def script_text(group: list[Block]) -> str:
    """The blocks of a group placed on their own line numbers of the guide."""
    lines = ["import faulthandler; faulthandler.dump_traceback_later(25, exit=True)"]
    for block in group:
        assert block.line > len(lines), block.where
        lines += [""] * (block.line - 1 - len(lines))
        lines += block.code.splitlines()
    return "\n".join(lines) + "\n"


ALL_SCRIPTS = [group for guide in GUIDES for group in scripts(guide)]
ALL_C = [b for guide in GUIDES for b in blocks(guide) if b.kind in C_KINDS]


# -- the guides' shape ---------------------------------------------------------


@pytest.mark.parametrize("guide", GUIDES, ids=lambda g: g.name)
def test_every_code_block_has_a_known_kind(guide: Path) -> None:
    for block in blocks(guide):
        lang = block.kind.split(" ")[0] if block.kind else ""
        if lang in {"python", "py", "c", "C"}:
            assert block.kind in PYTHON_KINDS | C_KINDS, (
                f"{block.where}: unknown info string {block.kind!r}")
        assert lang, f"{block.where}: a code block with no language"


def test_the_guides_are_parallel() -> None:
    english, spanish = (executable(g) for g in GUIDES)
    assert [b.kind for b in english] == [b.kind for b in spanish], (
        "docs/porting.md and docs/es/portado.md must have the same executable blocks "
        "in the same order")
    assert len(english) >= 20
    assert len(ALL_SCRIPTS) < 30, "keep the Python subprocess runs few (21 sections now)"


def test_python_blocks_only_use_loopback() -> None:
    for guide in GUIDES:
        for block in executable(guide):
            if block.kind not in PYTHON_KINDS:
                continue
            for quad in re.findall(r"\b\d{1,3}(?:\.\d{1,3}){3}\b", block.code):
                assert quad.startswith("127."), f"{block.where}: address {quad}"
            for call in re.findall(r"create_server\(\(([^)]*)\)", block.code):
                assert call.replace(" ", "").endswith(",0"), f"{block.where}: {call}"


# -- running them --------------------------------------------------------------


@pytest.mark.parametrize("group", ALL_SCRIPTS, ids=lambda g: g[0].where)
def test_python_script(group: list[Block], tmp_path: Path) -> None:
    script = tmp_path / "guide_script.py"
    script.write_text(script_text(group), encoding="utf-8")
    # As a user runs it: outside the checkout, and with Python's own sys.path
    # rules (the guide shows what a script's folder on sys.path does), not
    # conftest's PYTHONSAFEPATH.
    env = {k: v for k, v in os.environ.items() if k != "PYTHONSAFEPATH"}
    result = subprocess.run([sys.executable, str(script)], cwd=tmp_path, env=env,
                            capture_output=True, text=True, timeout=SCRIPT_TIMEOUT)
    assert result.returncode == 0, (
        f"the script starting at {group[0].where} ({len(group)} blocks) exited "
        f"{result.returncode}; line numbers are the guide's\n"
        f"--- stdout\n{result.stdout}--- stderr\n{result.stderr}")


def c_source(block: Block) -> str:
    line = f'#line {block.line} "{block.where.rsplit(":", 1)[0]}"\n'
    if block.kind == "c program":
        return line + block.code
    if block.kind == "c file":
        return C_HEADERS + line + block.code
    function = "void guide_fragment(int argc, char *argv[])\n{\n"
    return C_HEADERS + function + line + block.code + "}\n"


@pytest.mark.skipif(shutil.which("cc") is None, reason="no C compiler")
@pytest.mark.parametrize("block", ALL_C, ids=lambda b: b.where)
def test_c_block(block: Block, tmp_path: Path) -> None:
    source = tmp_path / "guide.c"
    source.write_text(c_source(block), encoding="utf-8")
    if block.kind != "c program":
        result = subprocess.run(["cc", *C_FLAGS, "-fsyntax-only", str(source)],
                                capture_output=True, text=True, timeout=30)
        assert result.returncode == 0, f"{block.where}\n{result.stderr}"
        return
    binary = tmp_path / "guide"
    result = subprocess.run(["cc", *C_FLAGS, "-O2", "-o", str(binary), str(source)],
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, f"{block.where}\n{result.stderr}"
    run = subprocess.run([str(binary)], cwd=tmp_path, capture_output=True, text=True,
                         timeout=SCRIPT_TIMEOUT)
    assert run.returncode == 0, f"{block.where} exited {run.returncode}\n{run.stdout}{run.stderr}"


def test_readme_lists_every_subcommand() -> None:
    """The README's sentence on `python -m csock --help` names every command."""
    from csock.cli.main import build_parser

    readme = " ".join((ROOT / "README.md").read_text(encoding="utf-8").split())
    m = re.search(r"csock --help` lists the other commands: (.*?); `python -m csock --version`",
                  readme)
    assert m, "README.md: the sentence listing the commands"
    listed = re.findall(r"`([a-z-]+)`", m.group(1))
    sub = next(a for a in build_parser()._actions
               if isinstance(a, __import__("argparse")._SubParsersAction))
    # By each parser's own name: aliases (servidor for server) are not listed.
    names = {parser.prog.split()[-1] for parser in sub.choices.values()}
    assert sorted(listed) == sorted(names - {"demo"})


# -- the reliability guides ----------------------------------------------------

RELIABILITY = [ROOT / "docs" / "reliability.md", ROOT / "docs" / "es" / "fiabilidad.md"]


def figures(guide: Path) -> Counter[str]:
    """Every number of a guide's prose, written the English way: 2097152, 1.5.
    Spanish groups thousands with a no-break space and writes 1,5."""
    prose = FENCE.sub("", guide.read_text(encoding="utf-8"))
    if guide.parent.name == "es":
        prose = re.sub(r"(?<=\d)\u00a0(?=\d{3}\b)", "", prose)
        prose = re.sub(r"(?<=\d),(?=\d)", ".", prose)
    else:
        prose = re.sub(r"(?<=\d),(?=\d{3}\b)", "", prose)
    return Counter(re.findall(r"\d+(?:\.\d+)*", prose))


def test_reliability_guides_have_the_same_blocks() -> None:
    """The same blocks, in the same order: commands and output as they are,
    only a shell comment translated."""
    def shape(guide: Path) -> list[tuple[str, list[str]]]:
        return [(b.kind, [re.sub(r"\s+# .*", "", x) for x in b.code.splitlines()])
                for b in blocks(guide)]
    english, spanish = (shape(g) for g in RELIABILITY)
    assert len(english) >= 3
    assert spanish == english


def test_reliability_guides_have_the_same_figures() -> None:
    english, spanish = (figures(g) for g in RELIABILITY)
    assert sum(english.values()) >= 150
    assert spanish == english, (
        f"only in {RELIABILITY[0].name}: {sorted((english - spanish).elements())}; "
        f"only in {RELIABILITY[1].name}: {sorted((spanish - english).elements())}")
