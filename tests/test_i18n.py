"""The command line in English and Spanish (gettext catalogs, --lang, the locale).

* each command (its --help, demo, sizes, explain, netstat, the errors of
  server and client) speaks Spanish with ``--lang es`` and with LANG=es_ES;
* a pseudo-locale catalog (every msgstr ``⟦msgid⟧``) proves that no
  user-facing line escaped translation: every line outside a marked span is a
  C name, a trace line, a number, an example command or a program's own output;
* the catalog is complete, holds argparse's own strings, and setup.py's
  msgfmt compiles it as Babel does.
"""

from __future__ import annotations

import argparse
import contextlib
import importlib.util
import io
import os
import re
import socket
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import csock.c as c
from csock import _i18n as i18n

cli = importlib.import_module("csock.cli.main")  # csock.cli.main is also a function

ROOT = Path(__file__).resolve().parent.parent
PO = ROOT / "csock" / "locale" / "es" / "LC_MESSAGES" / "csock.po"
TIMEOUT = 30


def _setup_module() -> ModuleType:
    """setup.py's msgfmt (read_po, write_mo), without running setup().

    A venv made from the wheel (CI's 3.12 and 3.13) has no setuptools, and
    the msgfmt needs none of it: stand-ins are lent for the import only.
    """
    spec = importlib.util.spec_from_file_location("csock_setup", ROOT / "setup.py")
    assert spec is not None and spec.loader is not None
    mod = importlib.util.module_from_spec(spec)
    lent: dict[str, ModuleType] = {}
    if importlib.util.find_spec("setuptools") is None:
        tools = ModuleType("setuptools")
        tools.setup = lambda **_: None  # type: ignore[attr-defined]
        build_py = ModuleType("setuptools.command.build_py")
        build_py.build_py = type("build_py", (), {})  # type: ignore[attr-defined]
        lent = {"setuptools": tools, "setuptools.command": ModuleType("setuptools.command"),
                "setuptools.command.build_py": build_py}
    saved = {name: sys.modules.get(name) for name in lent}
    sys.modules.update(lent)
    try:
        spec.loader.exec_module(mod)
    finally:
        for name, old in saved.items():
            if old is None:
                sys.modules.pop(name, None)
            else:
                sys.modules[name] = old
    return mod


def _spanish_c_locale() -> bool:
    saved = c.setlocale(c.LC_MESSAGES, c.NULL)
    saved_name = c.string(saved) if saved != c.NULL else b"C"
    ok = c.setlocale(c.LC_MESSAGES, b"es_ES.UTF-8") != c.NULL
    c.setlocale(c.LC_MESSAGES, saved_name)
    return ok


HAVE_ES_LOCALE = _spanish_c_locale()
needs_es_locale = pytest.mark.skipif(
    not HAVE_ES_LOCALE, reason="no es_ES.UTF-8 locale (apt-get install locales libc-l10n; "
                               "locale-gen es_ES.UTF-8: .ci/run does it)")


@pytest.fixture(autouse=True)
def restore_language() -> Iterator[None]:
    """The language is process-wide (gettext catalog, argparse, C's LC_MESSAGES)."""
    saved = c.setlocale(c.LC_MESSAGES, c.NULL)
    saved_name = c.string(saved) if saved != c.NULL else b"C"
    yield
    i18n.use(None, c_messages=False)
    c.setlocale(c.LC_MESSAGES, saved_name)


def csock(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run python -m csock in-process: (status, stdout, stderr)."""
    try:
        status = cli.main(list(argv))
    except SystemExit as exc:  # --help, usage errors
        status = int(exc.code or 0)
    out, err = capsys.readouterr()
    return status, out, err


HELPS = [[], ["demo"], ["sizes"], ["server"], ["servidor"], ["client"], ["cliente"],
         ["serve-file"], ["fetch-file"], ["explain"], ["netstat"]]


# ---------------------------------------------------------------- --lang es

@pytest.mark.parametrize("where", ["global", "subcommand"])
def test_help_in_spanish(capsys: pytest.CaptureFixture[str], where: str) -> None:
    for sub in HELPS:
        argv = ["--lang", "es", *sub, "--help"] if where == "global" else [
            *sub, "--lang=es", "--help"] if sub else ["--help", "--lang", "es"]
        status, out, _err = csock(capsys, *argv)
        assert status == 0, (argv, _err)
        assert out.startswith("uso: csock"), out
        assert "\nopciones:\n" in out and "muestra esta ayuda y termina" in out, out
        assert "show this help" not in out
        assert "--lang {en,es}" in out
    status, out, _err = csock(capsys, "--lang", "en", "server", "--help")
    assert out.startswith("usage: csock server") and "show this help message" in out


def test_port_speaks_the_chosen_language(capsys: pytest.CaptureFixture[str],
                                         tmp_path: Path,
                                         monkeypatch: pytest.MonkeyPatch) -> None:
    # port's help and its messages follow --lang, whatever the environment says
    # (its help was English under --lang es, its messages followed LANGUAGE only).
    status, out, _err = csock(capsys, "--lang", "es", "port", "--help")
    assert status == 0 and "Traduce un programa de sockets en C" in out, out
    assert "el fuente en C que traducir" in out and "the C source" not in out
    prog = tmp_path / "g.c"
    prog.write_text("int main(void)\n{\n    goto fin;\nfin:\n    return 0;\n}\n")
    for env, lang, expected in (("en_US.UTF-8", "es", "no se puede traducir goto"),
                                ("es_ES.UTF-8", "en", "cannot translate goto")):
        monkeypatch.setenv("LANGUAGE", env)
        status, _out, err = csock(capsys, "--lang", lang, "port", str(prog),
                                  "-o", str(tmp_path / "g.py"))
        assert status == 1 and expected in err, err


def test_usage_errors_in_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = csock(capsys, "--lang", "es", "server", "99999")
    assert status == 2
    assert err == ("csock server: error: argumento PORT: puerto no válido 99999: debe estar "
                   "entre 0 y 65535 (véase csock server --help)\n")
    status, _out, err = csock(capsys, "--lang", "es", "client")
    assert status == 2 and "faltan estos argumentos: HOST" in err
    status, _out, err = csock(capsys, "--lang", "es", "demo", "--bogus")
    assert status == 2 and "argumentos no reconocidos: --bogus" in err
    status, _out, err = csock(capsys, "--lang", "es", "nada")
    assert status == 2 and "opción no válida: 'nada'" in err
    # netstat --pid said "invalid count 'x': must be 0 or more" (and took 0).
    for pid in ("x", "0"):
        status, _out, err = csock(capsys, "--lang", "es", "netstat", "--pid", pid)
        assert status == 2 and f"PID no válido '{pid}': se espera un número de proceso" in err
        status, _out, err = csock(capsys, "--lang", "en", "netstat", "--pid", pid)
        assert status == 2 and f"invalid PID '{pid}': want a process number, 1 or more" in err
    status, _out, err = csock(capsys, "--lang", "es", "server", "-1")
    assert status == 2 and "puerto no válido -1: debe estar entre 0 y 65535" in err


def test_demo_in_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _err = csock(capsys, "--lang", "es", "demo", "--states")
    assert status == 0, _err
    for line in ("== 1. El servidor: socket(), bind() a 127.0.0.1 puerto 0, listen()",
                 "  servidor conexión desde 127.0.0.1", "  cliente  saludo recibido: "
                 "Bienvenido al Eagle14!", "  los sha256 coinciden"):
        assert line in out.splitlines(), line
    assert re.search(r"^  núcleo   servidor fd \d+ +127\.0\.0\.1:\d+ +0\.0\.0\.0:\* +LISTEN$",
                     out, re.M)
    assert re.search(r"^  servidor socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = \d+$", out, re.M)
    assert out.rstrip().splitlines()[-1].startswith("demo OK: saludo, línea y fichero")
    assert not [line for line in out.splitlines() if len(line) > 80 and " = " not in line]
    for english in ("received greeting", "connection from", "The server", "sha256 match"):
        assert english not in out


def test_sizes_explain_netstat_in_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    status, out, _err = csock(capsys, "sizes", "--lang", "es", "--compare", "sockaddr_in",
                              "sockaddr")
    assert status == 0 and "alineación" in out and "mismo desplazamiento y tamaño" in out
    # estructurastam.c's line is the C program's own output, in both languages.
    for lang in ("es", "en"):
        status, out, _err = csock(capsys, "sizes", "--lang", lang, "--struct", "sockaddr")
        assert out.splitlines()[0].startswith("Sockaddr: 16 bytes y Sockaddr_in: 16 bytes")
    status, out, _err = csock(capsys, "--lang", "es", "explain", "sockaddr_in",
                              "127.0.0.1:10000", "--as", "sockaddr", "--no-htons")
    assert status == 0 and "Un cast no copia ni convierte nada" in out
    assert "addrlen para bind()/connect(): 16" in out
    status, _out, err = csock(capsys, "--lang", "es", "explain", "sockaddr_in")
    assert status == 2 and "sockaddr_in necesita una ADDRESS" in err
    status, out, _err = csock(capsys, "--lang", "es", "netstat", "--no-unix")
    assert status == 0
    assert out.splitlines()[0].split() == ["Proto", "Recib", "Enviad", "Dirección", "local",
                                           "Dirección", "remota", "Estado", "PID/Programa"]


def test_layout_and_explain_errors_in_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    """The messages that came from csock.layout, the compiler probe and
    explain's address parsing, once English whatever the language."""
    status, _out, err = csock(capsys, "sizes", "--lang", "es", "--struct", "nope")
    assert status == 2 and "struct desconocida 'nope'; csock declara: sockaddr," in err
    status, _out, err = csock(capsys, "sizes", "--lang", "es", "--struct", "struct timeval")
    assert status == 0, err
    status, _out, err = csock(capsys, "sizes", "--lang", "es", "--struct", "struct socklen_t")
    assert status == 2 and "struct desconocida" in err
    for address, text in (("[::1%x]:1", "ámbito 'x' en '[::1%x]:1': da el índice de la "
                                        "interfaz como número"),):
        status, _out, err = csock(capsys, "--lang", "es", "explain", "sockaddr_in6", address)
        assert status == 2 and text in err, err
    status, _out, err = csock(capsys, "--lang", "es", "explain", "sockaddr_un", "/" + "p" * 200)
    assert status == 2 and "ruta de 201 bytes: sun_path admite como mucho 107 y un NUL" in err
    status, _out, err = csock(capsys, "--lang", "es", "explain", "sockaddr_un", "@" + "p" * 200)
    assert status == 2 and "nombre abstracto de 200 bytes: como mucho 107" in err
    from csock._layout_probe import Mismatch

    i18n.use("es", c_messages=False)
    assert str(Mismatch("struct sockaddr_in", "sin_port", "offset", 4, 2)) == (
        "struct sockaddr_in, campo sin_port: desplazamiento: csock dice 4, el compilador dice 2")
    i18n.use("en", c_messages=False)
    assert str(Mismatch("struct sockaddr", "", "size", 16, 18)) == (
        "struct sockaddr: size: csock says 16, the compiler says 18")


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_server_and_client_errors_in_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    status, _out, err = csock(capsys, "--lang", "es", "servidor", "--host", "1.2.3")
    assert status == 1
    assert err.startswith("csock servidor: host incorrecto '1.2.3': no es una dirección IPv4 "
                          "canónica (inet_aton la leería como 1.2.0.3)")
    port = _closed_port()
    status, _out, err = csock(capsys, "--lang", "es", "cliente", "127.0.0.1", str(port))
    assert status == 1
    assert err.startswith(f"csock cliente: no se puede conectar con 127.0.0.1:{port}: ")
    if HAVE_ES_LOCALE:  # C's own strerror, in Spanish from glibc's catalog
        assert err.rstrip().endswith("Conexión rehusada"), err
    status, _out, err = csock(capsys, "--lang", "en", "client", "127.0.0.1", str(port))
    assert err.rstrip().endswith(f"cannot connect to 127.0.0.1:{port}: Connection refused")


# ---------------------------------------------------------------- LANG=es_ES

def _env(**values: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("LANGUAGE", "LC_ALL", "LC_MESSAGES", "LANG")}
    env.update(values)
    return env


def test_lang_environment_chooses_spanish() -> None:
    cmd = [sys.executable, "-m", "csock"]
    proc = subprocess.run([*cmd, "demo"], capture_output=True, text=True, timeout=TIMEOUT,
                          env=_env(LANG="es_ES.UTF-8"), cwd=ROOT / "examples")
    assert proc.returncode == 0, proc.stderr
    assert "== 2. Un cliente se conecta; el servidor lo acepta con accept()" in proc.stdout
    assert "demo OK: saludo, línea" in proc.stdout
    # gettext's order: LANGUAGE before LC_ALL before LANG; --lang before them all.
    proc = subprocess.run([*cmd, "sizes", "--help"], capture_output=True, text=True,
                          timeout=TIMEOUT, env=_env(LANGUAGE="en", LANG="es_ES.UTF-8"),
                          cwd=ROOT / "examples")
    assert proc.stdout.startswith("usage: csock sizes")
    proc = subprocess.run([*cmd, "--lang", "es", "client", "127.0.0.1", str(_closed_port())],
                          capture_output=True, text=True, timeout=TIMEOUT,
                          env=_env(LC_ALL="C.UTF-8"), cwd=ROOT / "examples")
    assert proc.returncode == 1 and "no se puede conectar con" in proc.stderr
    if HAVE_ES_LOCALE:
        assert "Conexión rehusada" in proc.stderr


@needs_es_locale
def test_lang_environment_translates_strerror() -> None:
    proc = subprocess.run([sys.executable, "-m", "csock", "client", "127.0.0.1",
                           str(_closed_port())], capture_output=True, text=True,
                          timeout=TIMEOUT, env=_env(LANG="es_ES.UTF-8"), cwd=ROOT / "examples")
    assert proc.returncode == 1
    assert proc.stderr.strip().endswith(": Conexión rehusada"), proc.stderr


# The two checks of hand-written layouts (docs/sizes.md runs them in English).
SIZES_CHECKS = [
    ["sizes", "--check-cdef", str(ROOT / "examples" / "sizes" / "tutorial_sockaddr_in.h")],
    ["sizes", "--check-ctypes",
     str(ROOT / "examples" / "sizes" / "wrong_ctypes.py") + ":SockaddrIn"],
]


def test_sizes_checks_speak_spanish(capsys: pytest.CaptureFixture[str]) -> None:
    for argv in SIZES_CHECKS:
        status, out, err = csock(capsys, "--lang", "es", *argv)
        assert status == 1, (argv, err)  # both examples are wrong on purpose
        assert "frente a struct" in out and "tamaño total" in out, out
        assert "MAL" in out and "discrepancias" in out and "no coincide con" in out, out
        for english in ("WRONG", "Your struct", "matches", "total size", "offset"):
            assert english not in out, (english, out)
    status, out, err = csock(capsys, "--lang", "es", "sizes", "--check-ctypes", "nocolon")
    assert status == 2 and "--check-ctypes espera MÓDULO:CLASE[=STRUCT]" in err, err
    # A MODULE path that cannot be loaded says why, in both languages.
    for lang, missing, not_py in (
            ("en", "cannot load /nonexistent/x: no such file",
             "cannot load /etc/hostname: not a Python source file (.py)"),
            ("es", "no se puede cargar /nonexistent/x: no existe el fichero",
             "no se puede cargar /etc/hostname: no es un fichero fuente de Python (.py)")):
        status, out, err = csock(capsys, "--lang", lang, "sizes", "--check-ctypes",
                                 "/nonexistent/x:S")
        assert status == 2 and missing in err, err
        status, out, err = csock(capsys, "--lang", lang, "sizes", "--check-ctypes",
                                 "/etc/hostname:S")
        assert status == 2 and not_py in err, err
    # The English report is still the English one.
    status, out, err = csock(capsys, "--lang", "en", *SIZES_CHECKS[0])
    assert "Your struct in_addr" in out and "WRONG size" in out, out


# ---------------------------------------------------------------- the pseudo-locale

@pytest.fixture(scope="module")
def pseudo_localedir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Every message of the Spanish catalog's msgids as ⟦msgid⟧, under es."""
    setup = _setup_module()
    entries = setup.read_po(str(PO))
    pseudo = {}
    for key, value in entries.items():
        if key == b"":
            pseudo[key] = value  # the header: charset, plural forms
            continue
        forms = key.decode().split("\0")
        if "\x04" in forms[0]:
            forms[0] = forms[0].split("\x04", 1)[1]
        pseudo[key] = "\0".join(f"⟦{f}⟧" for f in forms).encode()
    root = tmp_path_factory.mktemp("pseudo-locale")
    setup.write_mo(pseudo, str(root / "es" / "LC_MESSAGES" / "csock.mo"))
    return root


# Lines that are not the interface's text: C's and other programs' own output.
EXEMPT = [re.compile(p) for p in (
    r"\s*",                                          # blank
    r".*\b\w+\(.*\)\s+= .*",                         # a trace line (as strace prints it)
    r"[\s0-9a-fA-F:.\-/()*\[\]]*",                   # numbers, hex, addresses
    r"\s*(python -m csock|printf) .*",               # an example command
    r"\s+(--[\w-]+ \S+ ?)+(\.\.\.)?",                # an example's options
    r"\s*\[.*\]?\s*",                                # usage's continuation lines
    r"\s+(\[?-[-\w]*|\{[\w,]+\}|[A-Z.]+)\]?( .*)?",   # usage, and metavars before help
    r"\s+[a-z-]+ \([a-z, ]+\)",                     # a subcommand and its aliases
    r"((struct|union) \w+|typedef struct) \{|\t.*|\}[\w ]*;",  # pahole's notation (sizes)
    r"\d+(-\d+)? +([0-9a-f]{2} )*[0-9a-f]{2} .*",    # explain's table: offsets, hex, fields
    r"\w+(\[[\d-]+\])? +\d+(-\d+)? +([0-9a-f]{2} ?)+( \.\.\. .*)?",  # dump's rows
    r"strace: .*",                                   # a struct as strace prints it
    r"Sockaddr: \d+ bytes y Sockaddr_in: \d+ bytes",  # estructurastam.c's own line
    r"Escuchando en el puerto \d+",                   # the tutorial server's own line
    r"\s+sha256 [0-9a-f]{64}",
    r"(tcp|udp|unix)6?\s.*",                          # netstat's rows
)]


def _unmarked_lines(text: str) -> list[str]:
    """The lines of text with a character outside every ⟦...⟧ span that is
    not exempt (see EXEMPT)."""
    inside = []
    depth = 0
    for ch in text:
        if ch == "⟦":
            depth += 1
        inside.append(depth > 0)
        if ch == "⟧":
            depth -= 1
    bad = []
    pos = 0
    for line in text.split("\n"):
        marked = any(inside[pos:pos + len(line)])
        pos += len(line) + 1
        if not marked and not any(p.fullmatch(line) for p in EXEMPT):
            bad.append(line)
    return bad


def test_pseudo_locale_marks_every_line(capsys: pytest.CaptureFixture[str],
                                        pseudo_localedir: Path,
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CSOCK_LOCALEDIR", str(pseudo_localedir))
    runs = [[*sub, "--help"] for sub in HELPS]
    runs += [["demo", "--states"], ["sizes", "--struct", "sockaddr_in"],
             ["sizes", "--compare", "sockaddr_in6", "sockaddr"],
             ["explain", "sockaddr_in", "127.0.0.1:10000", "--as", "sockaddr", "--no-htons"],
             ["explain", "sockaddr_in6", "[::1]:10000"], ["explain", "sockaddr_un", "@x"],
             ["explain", "linger"], ["explain", "sockaddr_in"],
             ["netstat", "--no-unix", "--port", "1"],
             ["server", "--host", "1.2.3"], ["server", "99999"], ["client"],
             ["client", "127.0.0.1", str(_closed_port())], ["nada"], *SIZES_CHECKS]
    for argv in runs:
        status, out, err = csock(capsys, "--lang", "es", *argv)
        assert "⟦" in out + err or argv[:2] == ["sizes", "--struct"], argv
        bad = _unmarked_lines(out) + _unmarked_lines(err)
        assert not bad, (argv, bad)
    # The check can fail: an English line outside the catalog is caught.
    assert _unmarked_lines("⟦usage: ⟧csock\nreceived greeting: hola\n") == [
        "received greeting: hola"]


# ---------------------------------------------------------------- the catalog

def test_catalog_is_complete_and_compiles_as_babel_does(tmp_path: Path) -> None:
    setup = _setup_module()
    ours = setup.read_po(str(PO))
    text = PO.read_text(encoding="utf-8")
    assert "#, fuzzy" not in text
    babel = pytest.importorskip("babel.messages.pofile")
    mofile = pytest.importorskip("babel.messages.mofile")
    with PO.open("rb") as f:
        catalog = babel.read_po(f)
    assert not [m.id for m in catalog if m.id and not m.string], "untranslated messages"
    buf = io.BytesIO()
    mofile.write_mo(buf, catalog)
    import gettext

    theirs = gettext.GNUTranslations(io.BytesIO(buf.getvalue()))
    setup.write_mo(ours, str(tmp_path / "csock.mo"))
    with open(tmp_path / "csock.mo", "rb") as f:
        mine = gettext.GNUTranslations(f)
    strip = lambda cat: {k: v for k, v in cat.items() if k != ""}  # noqa: E731
    assert strip(mine._catalog) == strip(theirs._catalog)  # type: ignore[attr-defined]


def test_catalog_matches_the_source(tmp_path: Path) -> None:
    """Every marked string in csock is in the catalog (pybabel extract)."""
    frontend = pytest.importorskip("babel.messages.frontend")
    pot = tmp_path / "csock.pot"
    cmd = frontend.CommandLineInterface()
    quiet = io.StringIO()
    with contextlib.redirect_stdout(quiet), contextlib.redirect_stderr(quiet):
        cmd.run(["pybabel", "-q", "extract", "-k", "N_", "-k", "_tr", "-k", "_ui",
                 "-k", "ngettext:1,2", "--no-location",
                 "-o", str(pot), str(ROOT / "csock" / "cli"), str(ROOT / "csock" / "_i18n.py"),
                 str(ROOT / "csock" / "port" / "cli.py"),
                 str(ROOT / "csock" / "layout.py"), str(ROOT / "csock" / "_show.py")])
    extracted = set(re.findall(r'^msgid "(.+)"$', pot.read_text(encoding="utf-8"), re.M))
    catalog = set(re.findall(r'^msgid "(.+)"$', PO.read_text(encoding="utf-8"), re.M))
    assert extracted <= catalog, sorted(extracted - catalog)


def test_argparse_strings_are_in_the_catalog() -> None:
    """This Python's argparse asks for nothing the catalog lacks."""
    source = Path(argparse.__file__).read_text(encoding="utf-8")
    wanted = set(re.findall(r"""\b_\((['"])(.+?)\1\)""", source))
    catalog = i18n.translation("es")._catalog  # type: ignore[attr-defined]
    missing = [m for _q, m in wanted if m.encode().decode("unicode_escape") not in catalog
               and not m.startswith(("'required'", "%r is not", ".__call__", "argument \"-\"",
                                     "cannot ", "conflicting", "dest=", "invalid conflict",
                                     "mutually exclusive", "%(heading)s"))]
    assert not missing, missing


def test_setlocale_is_c_setlocale() -> None:
    saved = c.string(c.setlocale(c.LC_MESSAGES, c.NULL))
    assert c.string(c.setlocale(c.LC_MESSAGES, b"C")) == b"C"
    assert c.setlocale(c.LC_MESSAGES, b"xx_NOWHERE.UTF-8") == c.NULL  # refused: NULL
    assert c.string(c.setlocale(c.LC_MESSAGES, c.NULL)) == b"C"  # and nothing changed
    c.setlocale(c.LC_MESSAGES, saved)
