"""Check csock's struct layouts against a C program built by the system compiler.

The probe is generated from :mod:`csock.layout`'s own field lists: for every
struct it prints ``sizeof`` and ``_Alignof``, and for every declared field
(nested members included) ``offsetof``, ``sizeof`` and ``_Alignof`` of its
type. It includes the same headers as build_ffi.py, after
``#define _GNU_SOURCE``, and is compiled with ``$CC`` (default ``cc``) and
``$CSOCK_CFLAGS``, the flags the extension was built with.
"""

from __future__ import annotations

import importlib
import os
import pkgutil
import shlex
import shutil
import subprocess
import tempfile
from collections.abc import Iterable
from dataclasses import dataclass

from csock._i18n import N_
from csock._i18n import _ as _tr
from csock.layout import StructLayout, all_layouts

# What the probe measures.
Key = tuple[str, str, str]  # (struct C name, field path or "", "size"|"align"|"offset")


class ProbeError(RuntimeError):
    """The probe could not be compiled or run (no compiler, bad headers...)."""


@dataclass(frozen=True)
class Mismatch:
    struct: str
    field: str
    what: str
    csock: int
    compiler: int

    def __str__(self) -> str:
        where = (_tr("{struct}, field {field}").format(struct=self.struct, field=self.field)
                 if self.field else self.struct)
        return _tr("{where}: {what}: csock says {csock}, the compiler says {compiler}").format(
            where=where, what=_tr(_WHAT.get(self.what, self.what)), csock=self.csock,
            compiler=self.compiler)


# What a Mismatch compares, as the catalog spells it.
_WHAT = {"size": N_("size"), "align": N_("align"), "offset": N_("offset")}


@dataclass(frozen=True)
class ProbeResult:
    compiler_values: dict[Key, int]
    checked: int
    mismatches: tuple[Mismatch, ...]

    @property
    def ok(self) -> bool:
        return not self.mismatches


def includes() -> str:
    """The #include lines of csock/_cdefs, sys_types first as in build_ffi.py."""
    import csock._cdefs as cdefs

    names = sorted(m.name for m in pkgutil.iter_modules(cdefs.__path__))
    names.sort(key=lambda n: n != "sys_types")
    blocks = []
    for n in names:
        mod = importlib.import_module(f"csock._cdefs.{n}")
        blocks.append(str(getattr(mod, "INCLUDES", "")).strip())
    return "\n".join(b for b in blocks if b)


def expected(layouts: Iterable[StructLayout]) -> dict[Key, int]:
    """What csock reports, keyed like the probe's output."""
    out: dict[Key, int] = {}
    for lay in layouts:
        out[(lay.cname, "", "size")] = lay.size
        out[(lay.cname, "", "align")] = lay.align
        for f in lay.walk():
            out[(lay.cname, f.path, "offset")] = f.offset
            out[(lay.cname, f.path, "size")] = f.size
            out[(lay.cname, f.path, "align")] = f.align
    return out


def source(layouts: Iterable[StructLayout], declarations: str = "",
           skip: frozenset[str] = frozenset()) -> str:
    """The C probe: one printf line per value in :func:`expected`, after the
    user's *declarations*; fields named in *skip* (bitfields) are not measured."""
    lines = [
        "#define _GNU_SOURCE 1",
        includes(),
        "#include <stddef.h>",
        "#include <stdio.h>",
        declarations,
        "",
        "int main(void)",
        "{",
    ]

    def emit(key: Key, expr: str) -> None:
        label = "\\t".join(key)
        lines.append(f'    printf("{label}\\t%zu\\n", (size_t)({expr}));')

    for cname, path, what in expected(layouts):
        if f"{cname}.{path}" in skip:
            continue
        if not path:
            expr = f"sizeof({cname})" if what == "size" else f"_Alignof({cname})"
        elif what == "offset":
            expr = f"offsetof({cname}, {path})"
        elif what == "size":
            expr = f"sizeof((({cname} *)0)->{path})"
        else:
            expr = f"_Alignof(__typeof__((({cname} *)0)->{path}))"
        emit((cname, path, what), expr)
    lines += ["    return 0;", "}", ""]
    return "\n".join(lines)


def _first_error(stderr: str) -> str:
    """The line of a compiler's output that says what went wrong (one line, for
    the CLI's error contract)."""
    lines = [line.strip() for line in stderr.splitlines() if line.strip()]
    for line in lines:
        if "error" in line.lower():
            return line
    return lines[0] if lines else "(no output)"


def _words(variable: str, default: str) -> list[str]:
    """$variable split as a shell would; a ProbeError for a bad quote."""
    value = os.environ.get(variable, default)
    try:
        return shlex.split(value)
    except ValueError as e:  # CC="'cc": No closing quotation
        raise ProbeError(f"cannot split ${variable}={value!r}: {e}") from e


def run(layouts: Iterable[StructLayout], timeout: float = 120, declarations: str = "",
        skip: frozenset[str] = frozenset()) -> dict[Key, int]:
    """Compile and run the probe; the values it printed."""
    layouts = list(layouts)
    cc = _words("CC", "cc")
    if not cc or shutil.which(cc[0]) is None:
        raise ProbeError(f"no C compiler: {cc[0] if cc else 'cc'} not found (set $CC)")
    flags = _words("CSOCK_CFLAGS", "")
    with tempfile.TemporaryDirectory(prefix="csock-probe-") as tmp:
        src = os.path.join(tmp, "probe.c")
        exe = os.path.join(tmp, "probe")
        with open(src, "w") as fh:
            fh.write(source(layouts, declarations, skip))
        try:
            build = subprocess.run(
                [*cc, *flags, "-o", exe, src],
                capture_output=True, text=True, errors="replace", timeout=timeout,
            )
        except subprocess.TimeoutExpired as e:
            raise ProbeError(f"compiling the probe took over {timeout}s") from e
        except OSError as e:  # found on PATH, but cannot be run (a directory, no x bit)
            raise ProbeError(f"cannot run the C compiler {cc[0]}: {e.strerror}") from e
        if build.returncode != 0:
            raise ProbeError(f"the probe does not compile: {_first_error(build.stderr)}")
        try:
            out = subprocess.run([exe], capture_output=True, text=True, timeout=timeout)
        except subprocess.TimeoutExpired as e:
            raise ProbeError(f"the probe ran for over {timeout}s") from e
        if out.returncode != 0:
            raise ProbeError(f"the probe exited {out.returncode}: {_first_error(out.stderr)}")
    values: dict[Key, int] = {}
    for line in out.stdout.splitlines():
        cname, path, what, value = line.split("\t")
        values[(cname, path, what)] = int(value)
    return values


def check(layouts: Iterable[StructLayout] | None = None, declarations: str = "",
          skip: frozenset[str] = frozenset()) -> ProbeResult:
    """Compare every size, alignment and offset csock reports with the compiler's
    (of types declared by *declarations*, too; *skip*: as :func:`source`)."""
    layouts = list(all_layouts() if layouts is None else layouts)
    mine = {k: v for k, v in expected(layouts).items() if f"{k[0]}.{k[1]}" not in skip}
    theirs = run(layouts, declarations=declarations, skip=skip)
    mismatches = []
    for key, value in mine.items():
        if key not in theirs:
            raise ProbeError(f"the probe printed nothing for {key}")
        if theirs[key] != value:
            mismatches.append(Mismatch(key[0], key[1], key[2], value, theirs[key]))
    return ProbeResult(theirs, len(mine), tuple(mismatches))
