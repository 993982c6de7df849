"""``csock.c.cdef()``: a port's own structs, unions, typedefs and #defines.

A second FFI made at run time cannot share types with the compiled
``csock._csock`` (cffi: "the types are different" when its struct reaches
``bind``). So each ``cdef()`` compiles a small cffi API-mode module whose
builder includes csock's (``ffi.include``): cffi then resolves csock's
structs to the very types ``csock._csock`` has. Each call's module includes
the previous call's, so every type declared so far is one type.

The declarations go twice into the module: as written, to the C compiler
(which lays them out, the platform's C ABI, and evaluates array sizes such as
``CMSG_SPACE(sizeof(int))``), and rewritten for cffi's parser (array sizes
that are not a number become ``[...]``, which the compiler fills in;
``#define NAME value`` becomes a constant the compiler evaluates).

Modules are cached on disk by a hash of everything that goes into them
($CSOCK_CDEF_CACHE, else $XDG_CACHE_HOME/csock/cdef, else ~/.cache/csock/cdef);
each build happens in a private temporary directory and is renamed into
place, so concurrent builders never see a half-written file.
"""

from __future__ import annotations

import functools
import importlib
import importlib.machinery
import importlib.util
import os
import pkgutil
import re
import shlex
import stat
import sys
import threading
from dataclasses import dataclass, field
from types import ModuleType
from typing import Any

from csock import _csock

BASE_MODULE = "csock._csock"
_PREFIX = "_csock_cdef_"


class CdefError(Exception):
    """c.cdef() could not declare the text: a bad declaration, or no C compiler."""


@dataclass
class _Stage:
    """One cdef() call: its module, and what went into it."""

    module_name: str
    c_text: str  # as the user wrote it (the C compiler's copy)
    cdef_text: str  # rewritten for cffi's parser
    constants: list[tuple[str, str]] = field(default_factory=list)  # (name, kind)
    module: ModuleType | None = None


_lock = threading.RLock()
_stages: list[_Stage] = []
# The ffi that knows every type declared so far: c.new & co. ask it.
ffi: Any = _csock.ffi
# "union { ... } *" written inside new()/sizeof()/cast(), and each such body:
# the type string to use instead, and the typedef declared for the body.
_anonymous: dict[str, str] = {}


# --------------------------------------------------------------------------
# csock's own declarations, as build_ffi.py compiles them


_TYPEDEF_NAME = re.compile(
    r"\btypedef\b[^;]*?(?:\(\s*\*\s*(\w+)\s*\)[^;]*|(\w+)\s*(?:\[[^;]*\])?);")
_BRACES = re.compile(r"\{[^{}]*\}")


def _typedef_names(types: str) -> list[str]:
    """The names a TYPES text typedefs (struct bodies and function pointers too)."""
    flat = types
    while (shorter := _BRACES.sub("{}", flat)) != flat:
        flat = shorter
    return [a or b for a, b in _TYPEDEF_NAME.findall(flat)]


def _cdef_modules() -> list[ModuleType]:
    """csock/_cdefs's modules, each after the modules whose typedefs its TYPES
    use (cffi's parser must know a typedef name before it sees it), as
    build_ffi.py's list orders them."""
    import csock._cdefs as cdefs

    # Not csock_hot: csock.Socket's hot paths, C on CPython's 3.11 limited
    # API, which a user's module (cffi's default limited API) cannot compile.
    mods = {m.name: importlib.import_module(f"csock._cdefs.{m.name}")
            for m in pkgutil.iter_modules(cdefs.__path__) if m.name != "csock_hot"}
    owner = {t: n for n, m in mods.items() for t in _typedef_names(m.TYPES)}
    done: list[str] = []

    def visit(name: str, path: tuple[str, ...] = ()) -> None:
        if name in done or name in path:
            return
        words = set(re.findall(r"\w+", mods[name].TYPES))
        for dep in sorted({owner[w] for w in words if w in owner} - {name}):
            visit(dep, (*path, name))
        done.append(name)

    for name in ["sys_types", *sorted(mods)]:  # <sys/types.h> first, as in C
        visit(name)
    return [mods[n] for n in done]


@functools.cache
def _base_texts() -> tuple[str, str]:
    """(csock's cdef text, csock's C prelude)."""
    mods = _cdef_modules()
    cdef = "\n".join([m.TYPES for m in mods] + [m.FUNCTIONS for m in mods])
    c = "\n".join(["#define _GNU_SOURCE 1"] + [m.INCLUDES for m in mods]
                  + [m.CUSTOMIZATIONS for m in mods])
    return cdef, c


_chain: list[Any] = []  # cffi builders: csock's, then one per stage, each including the last


def _builder_chain() -> list[Any]:
    """cffi builders for csock and every stage so far (parsed on first need:
    a module found in the cache needs none)."""
    from cffi import FFI

    if not _chain:
        base = FFI()
        base.cdef(_base_texts()[0])
        base.set_source(BASE_MODULE, "")
        _chain.append(base)
    for st in _stages[len(_chain) - 1:]:
        b = FFI()
        b.include(_chain[-1])
        b.cdef(st.cdef_text)
        b.set_source(st.module_name, "")
        _chain.append(b)
    return _chain


# --------------------------------------------------------------------------
# Reading the user's text


def _strip_comments(text: str) -> str:
    """Comments become a space (and the newlines they spanned); string and
    character literals are kept as they are."""
    out: list[str] = []
    i, n = 0, len(text)
    while i < n:
        ch = text[i]
        if ch in "\"'":
            j = i + 1
            while j < n and text[j] != ch and text[j] != "\n":
                j += 2 if text[j] == "\\" else 1
            out.append(text[i:j + 1])
            i = j + 1
        elif text.startswith("/*", i):
            end = text.find("*/", i + 2)
            if end == -1:
                raise CdefError(f"line {text.count(chr(10), 0, i) + 1}: unterminated /* comment")
            out.append(" " + "\n" * text.count("\n", i, end))
            i = end + 2
        elif text.startswith("//", i):
            end = text.find("\n", i)
            i = n if end == -1 else end
            out.append(" ")
        else:
            out.append(ch)
            i += 1
    return "".join(out)


_DEFINE = re.compile(r"#\s*define\s+([A-Za-z_]\w*)(\(?)\s*(.*)$")
_INT_LITERAL = re.compile(r"\s*(0[xX][0-9a-fA-F]+|\d+)[uUlL]*\s*")
_FLOAT = re.compile(r"[-+]?\(?\s*(\d+\.\d*|\.\d+|\d+(?=[eE]))([eE][-+]?\d+)?[fFlL]?\s*\)?")
_ATTRIBUTE = re.compile(r"__attribute__\s*\(\(")


def _constant_kind(value: str) -> str | None:
    """'str', 'float' or 'int' for a #define's value; None: not a constant."""
    value = value.strip()
    if not value:
        return None
    if value.startswith('"'):
        return "str"
    if _FLOAT.fullmatch(value):
        return "float"
    return "int"


def _matching(text: str, i: int, open_: str, close: str) -> int:
    """Index just past the bracket closing the one at text[i]."""
    depth = 0
    for j in range(i, len(text)):
        if text[j] == open_:
            depth += 1
        elif text[j] == close:
            depth -= 1
            if depth == 0:
                return j + 1
    raise CdefError(f"line {text.count(chr(10), 0, i) + 1}: unbalanced {open_!r}")


_BITFIELD = re.compile(r"\w\s*:\s*\w")
# A body cffi can leave to the compiler: it has a C name (a tag, or a typedef).
_BODY_OPENER = re.compile(
    r"(?:\b(?:struct|union)\s+[A-Za-z_]\w*|\btypedef\s+(?:struct|union))\s*$")


def _for_cffi(code: str) -> str:
    """The text cffi's parser gets: array sizes other than a number become
    [...] and each struct or union body ends in ``...;``, so the compiler's
    sizes and offsets are used as they are (packed, aligned); __attribute__
    goes (cffi cannot read it; the compiler saw it)."""
    out: list[str] = []
    bodies: list[int] = []  # for each open '{': where its body starts, -1 if not a struct
    i = 0
    while i < len(code):
        m = _ATTRIBUTE.match(code, i) if code[i] == "_" else None
        if m:
            end = _matching(code, m.end() - 2, "(", ")")
            out.append(" " + "\n" * code.count("\n", i, end))
            i = end
            continue
        ch = code[i]
        if ch == "[":
            end = _matching(code, i, "[", "]")
            inner = code[i + 1:end - 1]
            if inner.strip() and not _INT_LITERAL.fullmatch(inner):
                out.append("[...]" + "\n" * inner.count("\n"))
            else:
                out.append(code[i:end])
            i = end
            continue
        if ch == "{":
            struct = _BODY_OPENER.search("".join(out[-200:])) is not None
            bodies.append(len(out) if struct else -1)
        elif ch == "}" and bodies:
            start = bodies.pop()
            # cffi takes no "...;" with bitfields: it lays those out itself,
            # and checks its layout against the compiler's when loading.
            if start >= 0 and not _BITFIELD.search("".join(out[start:])):
                out.append(" ...; ")
        out.append(ch)
        i += 1
    return "".join(out)


def split(text: str) -> tuple[str, list[tuple[str, str]]]:
    """The cffi text for the user's declarations, and their #define constants.

    Line numbers are kept, so cffi's messages point at the user's lines.
    """
    code = _strip_comments(text).replace("\\\r\n", "\\\n")
    lines = code.split("\n")
    constants: list[tuple[str, str]] = []
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        number = i + 1
        joined = 1
        while line.endswith("\\") and i + joined < len(lines):
            line = line[:-1] + " " + lines[i + joined]
            joined += 1
        i += joined
        stripped = line.strip()
        cffi_line = ""
        if stripped.startswith("#"):
            m = _DEFINE.match(stripped)
            if m and not m.group(2):
                name, value = m.group(1), m.group(3)
                kind = _constant_kind(value)
                if kind == "int":
                    cffi_line = f"#define {name} ..."
                elif kind == "str":
                    cffi_line = f"static const char *const {name};"
                elif kind == "float":
                    cffi_line = f"static const double {name};"
                if kind is not None:
                    constants.append((name, kind))
            elif not m and not re.match(r"#\s*(include|define)\b", stripped):
                raise CdefError(f"line {number}: cdef() takes #define and #include lines; "
                                f"not {stripped.split()[0]!r} (write the C the preprocessor "
                                "would leave)")
        else:
            cffi_line = line
        out.append(cffi_line)
        out.extend([""] * (joined - 1))
    return _for_cffi("\n".join(out)), constants


# --------------------------------------------------------------------------
# Compiling


def cache_dir() -> str:
    """Where compiled declarations are kept, one file per hash."""
    explicit = os.environ.get("CSOCK_CDEF_CACHE")
    if explicit:
        return explicit
    base = os.environ.get("XDG_CACHE_HOME") or os.path.join(os.path.expanduser("~"), ".cache")
    return os.path.join(base, "csock", "cdef")


def _private_dir(path: str) -> str:
    """path, created 0700; refused if another user could write into it (a
    module loaded from there runs as this process)."""
    os.makedirs(path, mode=0o700, exist_ok=True)
    info = os.stat(path)
    if info.st_uid != os.getuid() or info.st_mode & (stat.S_IWGRP | stat.S_IWOTH):
        raise CdefError(f"the cdef cache {path} is not private to this user "
                        "(owned by another user, or group/world-writable): fix it or set "
                        "CSOCK_CDEF_CACHE to a private directory")
    return path


def compiler() -> list[str]:
    """$CC, else the compiler Python was built with, else cc."""
    import sysconfig

    try:
        cc = shlex.split(os.environ.get("CC") or sysconfig.get_config_var("CC") or "cc")
    except ValueError:
        cc = []
    return cc or ["cc"]


def _no_compiler(cc: list[str]) -> CdefError:
    return CdefError(
        f"c.cdef() compiles your declarations with a C compiler, and {shlex.join(cc)!r} "
        "was not found: install one (Debian/Ubuntu: apt-get install build-essential; "
        "Fedora: dnf install gcc), or set CC to a working compiler.")


_SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


def _module_name(c_texts: list[str], cdef_text: str, previous: str) -> str:
    import hashlib

    base_cdef, base_c = _base_texts()
    import cffi

    h = hashlib.sha256()
    compiled = getattr(_csock, "__file__", None) or ""
    try:  # a rebuilt csock._csock: rebuild what includes it
        st = os.stat(compiled)
        compiled += f":{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        pass
    for part in (sys.version, sys.platform, _SUFFIX, cffi.__version__, compiled,
                 base_cdef, base_c,
                 previous, cdef_text, *c_texts, os.environ.get("CSOCK_CFLAGS", "")):
        h.update(part.encode("utf-8", "surrogateescape") + b"\0")
    return _PREFIX + h.hexdigest()[:24]


def _c_source(c_texts: list[str]) -> str:
    _, base_c = _base_texts()
    parts = [base_c]
    for k, text in enumerate(c_texts):
        name = "cdef" if k == len(c_texts) - 1 else f"cdef#{k + 1}"
        parts.append(f'#line 1 "{name}"\n{text}')
    parts.append('#line 1 "csock-cdef-generated.c"\n')
    return "\n".join(parts)


def _compile_errors(stderr: str) -> str:
    lines = [ln for ln in stderr.splitlines() if ln.startswith("cdef:") and "error" in ln]
    if lines:
        return "\n".join(lines[:10])
    errors = [ln for ln in stderr.splitlines() if "error" in ln]
    hint = ("\n(an error in csock's generated code: is a #define not an integer, "
            "floating or string constant?)")
    return "\n".join(errors[:5] or stderr.strip().splitlines()[:5]) + hint


def _compiler_errors(c_texts: list[str]) -> str:
    """The compiler's errors in the user's text ("" if none, or no compiler)."""
    import subprocess

    cc = compiler()
    try:
        result = subprocess.run([*cc, "-fsyntax-only", "-x", "c", "-"], input=_c_source(c_texts),
                                capture_output=True, text=True, errors="replace", timeout=120)
    except (OSError, subprocess.SubprocessError):
        return ""
    lines = [ln for ln in result.stderr.splitlines() if ln.startswith("cdef:") and "error" in ln]
    return "\n".join(lines[:10])


def _build(builder: Any, module_name: str, c_texts: list[str], target: str) -> None:
    import shutil
    import subprocess
    import sysconfig
    import tempfile

    from cffi.recompiler import make_c_source

    cc = compiler()
    if shutil.which(cc[0]) is None:
        raise _no_compiler(cc)
    include = sysconfig.get_paths()["include"]
    if not os.path.exists(os.path.join(include, "Python.h")):
        raise CdefError(f"c.cdef() needs Python's C headers, and Python.h is not in {include}: "
                        "install them (Debian/Ubuntu: apt-get install python3-dev; "
                        "Fedora: dnf install python3-devel).")
    builder.set_source(module_name, _c_source(c_texts))
    tmp = tempfile.mkdtemp(prefix=".build-", dir=os.path.dirname(target))
    try:
        src = os.path.join(tmp, module_name + ".c")
        out = os.path.join(tmp, module_name + _SUFFIX)
        make_c_source(builder, module_name, builder._assigned_source[1], src)
        cmd = [*cc, "-shared", "-fPIC", "-O1", "-Wno-unused-function", "-I", include,
               *os.environ.get("CSOCK_CFLAGS", "").split(), "-o", out, src]
        try:
            result = subprocess.run(cmd, capture_output=True, text=True, errors="replace",
                                    timeout=300)
        except OSError as e:
            raise _no_compiler(cc) from e
        if result.returncode != 0:
            raise CdefError("the C compiler rejects these declarations:\n"
                            + _compile_errors(result.stderr))
        os.replace(out, target)  # atomic: a concurrent builder renames the same bytes
    finally:
        shutil.rmtree(tmp, ignore_errors=True)


def _load(module_name: str, path: str) -> ModuleType:
    loader = importlib.machinery.ExtensionFileLoader(module_name, path)
    spec = importlib.util.spec_from_file_location(module_name, path, loader=loader)
    assert spec is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[module_name] = module  # a later stage imports it by name
    loader.exec_module(module)
    return module


# --------------------------------------------------------------------------
# The public side


def cdef(text: str) -> dict[str, Any]:
    """Declare *text*; return its #define'd constants by name."""
    global ffi
    if not isinstance(text, str):
        raise TypeError(f"cdef() takes the declarations as str, not {type(text).__name__}")
    cdef_text, constants = split(text)
    with _lock:
        c_texts = [st.c_text for st in _stages] + [text]
        previous = _stages[-1].module_name if _stages else BASE_MODULE
        name = _module_name(c_texts, cdef_text, previous)
        target = os.path.join(_private_dir(cache_dir()), name + _SUFFIX)
        if not os.path.exists(target):
            _build(_parsed(cdef_text, c_texts), name, c_texts, target)
        module = _load(name, target)
        stage = _Stage(name, text, cdef_text, constants, module)
        _stages.append(stage)
        ffi = module.ffi
        _rebind()
        return constant_values(stage)


def _parsed(cdef_text: str, c_texts: list[str]) -> Any:
    """A builder for cdef_text on top of every stage so far; a CdefError for
    what cffi cannot read, or for functions (a port writes them in Python)."""
    from cffi import FFI, FFIError
    from cffi import CDefError as CffiCDefError

    builder: Any = FFI()
    builder.include(_builder_chain()[-1])
    before = set(builder._parser._declarations)
    try:
        builder.cdef(cdef_text)
    except (CffiCDefError, FFIError, NotImplementedError, TypeError, ValueError) as e:
        # The compiler's word on the user's own text is clearer than cffi's.
        said = _compiler_errors(c_texts)
        if said:
            raise CdefError("the C compiler rejects these declarations:\n" + said) from None
        msg = str(e).replace("<cdef source string>", "cdef").replace("__dotdotdot__", "...")
        raise CdefError(f"cffi cannot read these declarations: {msg}") from None
    funcs = [k.split(" ", 1)[1] for k in builder._parser._declarations
             if k not in before and k.startswith(("function ", "variable "))]
    if funcs:
        raise CdefError("cdef() declares types and constants; these are functions or "
                        f"variables (write them in Python): {', '.join(funcs)}")
    return builder


def constant_values(stage: _Stage) -> dict[str, Any]:
    assert stage.module is not None
    lib = stage.module.lib
    values: dict[str, Any] = {}
    for name, kind in stage.constants:
        value = getattr(lib, name)
        values[name] = stage.module.ffi.string(value) if kind == "str" else value
    return values


_ANON = re.compile(r"\b(struct|union)\s*\{")


def resolve(cdecl: Any) -> Any:
    """A type string with an anonymous ``struct {...}``/``union {...}`` in it,
    with that body declared (once) as a typedef."""
    if not isinstance(cdecl, str) or "{" not in cdecl:
        return cdecl
    import hashlib

    with _lock:
        done = _anonymous.get(cdecl)
        if done is not None:
            return done
        m = _ANON.search(cdecl)
        if m is None:
            return cdecl
        end = _matching(cdecl, cdecl.index("{", m.start()), "{", "}")
        body = cdecl[m.start():end]
        tname = _anonymous.get(body)
        if tname is None:
            tname = "csock_anon_" + hashlib.sha256(body.encode()).hexdigest()[:12]
            cdef(f"typedef {body} {tname};")
            _anonymous[body] = tname
        out = resolve(cdecl[:m.start()] + tname + cdecl[end:])
        _anonymous[cdecl] = out
        return out


# The current ffi's methods, bound once per cdef(): the wrappers below cost
# one Python call over cffi's own.
_new = ffi.new
_cast = ffi.cast
_sizeof = ffi.sizeof
_offsetof = ffi.offsetof
_error = ffi.error


def _rebind() -> None:
    global _new, _cast, _sizeof, _offsetof
    _new, _cast, _sizeof, _offsetof = ffi.new, ffi.cast, ffi.sizeof, ffi.offsetof


def new(cdecl: Any, init: Any = None) -> Any:
    try:
        return _new(cdecl, init)
    except _error:
        if not (isinstance(cdecl, str) and "{" in cdecl):
            raise
    resolved = resolve(cdecl)  # may declare it: then ffi is a new one
    return _new(resolved, init)


def cast(cdecl: Any, value: Any) -> Any:
    try:
        return _cast(cdecl, value)
    except _error:
        if not (isinstance(cdecl, str) and "{" in cdecl):
            raise
    resolved = resolve(cdecl)
    return _cast(resolved, value)


def sizeof(cdecl: Any) -> int:
    try:
        return _sizeof(cdecl)  # type: ignore[no-any-return]
    except _error:
        if not (isinstance(cdecl, str) and "{" in cdecl):
            raise
    resolved = resolve(cdecl)
    return _sizeof(resolved)  # type: ignore[no-any-return]


def offsetof(cdecl: Any, *fields: str | int) -> int:
    try:
        return _offsetof(cdecl, *fields)  # type: ignore[no-any-return]
    except _error:
        if not (isinstance(cdecl, str) and "{" in cdecl):
            raise
    resolved = resolve(cdecl)
    return _offsetof(resolved, *fields)  # type: ignore[no-any-return]


def current_ffi() -> Any:
    """The ffi that knows csock's types and every one declared so far."""
    return ffi


__all__ = ["CdefError", "cache_dir", "cast", "cdef", "new", "offsetof", "resolve",
           "sizeof", "split"]
