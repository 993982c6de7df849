"""python -m csock port: each construct translated by C's rules (C programs in
tests/port_programs, compiled and compared with their ports' output), the
refusals, --keep-going, the CLI, the page, and C's integer arithmetic against
cc's (Hypothesis, with -fsanitize=undefined ruling out undefined behaviour)."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from csock.port import PortError, port

HERE = Path(__file__).resolve().parent / "port_programs"
PROGRAMS = sorted(p.stem for p in HERE.glob("*.c"))
TIMEOUT = 60


@pytest.fixture(scope="module")
def cc() -> str:
    path = shutil.which("cc") or shutil.which("gcc") or shutil.which("clang")
    if path is None:
        pytest.skip("no C compiler on PATH")
    return path


def run_py(path: Path) -> subprocess.CompletedProcess[bytes]:
    return subprocess.run([sys.executable, str(path)], capture_output=True, timeout=TIMEOUT)


@pytest.mark.parametrize("name", PROGRAMS)
def test_construct_program_matches_c(cc: str, tmp_path: Path, name: str) -> None:
    """Loops with continue, switch fall-through, macros, #if, statics, pointers, structs,
    char and unsigned arithmetic, division of negatives: the port prints what the C does."""
    exe = tmp_path / name
    subprocess.run([cc, "-Wall", "-Werror", "-o", str(exe), str(HERE / f"{name}.c")],
                   check=True, timeout=TIMEOUT)
    expected = subprocess.run([str(exe)], capture_output=True, timeout=TIMEOUT)
    result = port((HERE / f"{name}.c").read_text(), f"{name}.c")
    py = tmp_path / f"{name}.py"
    py.write_text(result.python)
    got = run_py(py)
    assert got.stderr == b""
    ruff = Path(sys.executable).with_name("ruff")
    if ruff.exists():
        lint = subprocess.run([str(ruff), "check", "--no-cache", "--isolated", "--line-length",
                               "100", "--select", "E,F,W,I,B,UP,A", "--ignore",
                               "F403,F405,A001", str(py)], capture_output=True, text=True,
                              timeout=TIMEOUT)
        assert lint.returncode == 0, lint.stdout
    assert (got.returncode, got.stdout) == (expected.returncode, expected.stdout)
    assert expected.stdout.count(b"\n") >= 5


def translate(body: str, top: str = "") -> str:
    return port(f"#include <stdio.h>\n{top}\nint main(void)\n{{\n{body}\n}}\n", "t.c").python


def test_time_is_imported_by_name_after_the_star_import() -> None:
    # C's time(2) is left out of csock.c's star import (it would hide Python's
    # time module): a port that calls it imports it explicitly.
    py = translate("time_t t = time(NULL);\nreturn t > 0 ? 0 : 1;", "#include <time.h>")
    assert "from csock.c import *\nfrom csock.c import time\n" in py
    assert "from csock.c import time" not in translate("return 0;")


def test_for_continue_runs_the_increment() -> None:
    py = translate("int i, n = 0;\nfor (i = 0; i < 4; i++) {\n if (i == 1)\n continue;\n n++;\n}"
                   "\nreturn n;")
    assert "        if i == 1:\n            i += 1\n            continue\n" in py


def test_do_while_continue_checks_the_condition() -> None:
    py = translate("int i = 0;\ndo {\n i++;\n if (i < 2)\n continue;\n} while (i < 5);")
    assert "if i < 2:\n            if i < 5:\n                continue\n            break" in py
    assert "        if not (i < 5):\n            break" in py


def test_scalar_whose_address_is_taken_is_one_element_cdata() -> None:
    py = translate("int x = 3;\nint *p = &x;\n*p = 4;\nreturn x;")
    assert 'x = new("int *", 3)' in py
    assert "p = x\n" in py and "p[0] = 4" in py and "return x[0]" in py


def test_struct_local_and_sizeof() -> None:
    py = translate("struct sockaddr_in a;\nmemset(&a, 0, sizeof(a));\na.sin_port = htons(1);",
                   "#include <string.h>\n#include <netinet/in.h>")
    assert 'a = new("struct sockaddr_in *")' in py
    assert "memset(a, 0, sizeof(a[0]))" in py


def test_literals_and_c_division() -> None:
    py = translate('int a = -7;\nchar s[] = "hi\\n";\nreturn a / 2 + a % 2 + \'A\';')
    assert 's = new("char[]", b"hi\\n")' in py
    assert 'return cdiv(a, 2) + cmod(a, 2) + ord("A")' in py


def test_unsigned_wraps_where_stored() -> None:
    py = translate("unsigned int u = 0;\nu = u - 1;\nreturn (int)u;")
    assert "u = (u - 1) & UINT_MAX" in py


def test_comments_stay_in_place() -> None:
    py = translate("int a = 1; /* one */\n/* then two */\na = 2;\nreturn a;")
    assert "a = 1  # one\n    # then two\n    a = 2\n" in py


def test_program_types_go_through_cdef() -> None:
    py = port("struct punto { int x; int y; };\nint f(struct punto *p)\n{\n return p->x;\n}\n",
              "t.c").python
    assert 'c.cdef("""struct punto { int x; int y; };""")' in py
    assert "return p.x" in py


def test_multiline_struct_cdef_runs_to_its_closing_brace() -> None:
    py = port("#include <stdint.h>\nstruct req {\n    uint32_t n; /* count */\n"
              "    char name[8];\n};\nint main(void)\n{\n    struct req r;\n"
              "    return (int)sizeof r.name;\n}\n", "t.c").python
    assert 'c.cdef("""struct req {\n    uint32_t n;\n    char name[8];\n};""")' in py
    assert "return sizeof(r.name)" in py


def test_function_used_as_handler_is_a_sighandler() -> None:
    py = port("#include <signal.h>\n#include <string.h>\nstatic void on(int s)\n{\n"
              "    (void)s;\n}\nint main(void)\n{\n    struct sigaction sa;\n"
              "    memset(&sa, 0, sizeof sa);\n    sa.sa_handler = on;\n"
              "    sigemptyset(&sa.sa_mask);\n    on(0);\n"
              "    return sigaction(SIGCHLD, &sa, NULL);\n}\n", "t.c").python
    assert "\n\n@sighandler\ndef on(s):\n" in py
    assert "sa.sa_handler = on\n" in py and 'sigemptyset(addressof(sa, "sa_mask"))' in py


def test_anonymous_union_is_spelled_for_cffi() -> None:
    py = translate("union {\n char buf[CMSG_SPACE(sizeof(int))];\n struct cmsghdr a;\n} u;\n"
                   "return (int)sizeof u.buf;", "#include <sys/socket.h>")
    assert 'u = new("union { char buf[CMSG_SPACE(sizeof(int))]; struct cmsghdr a; } *")' in py
    assert "sizeof(u.buf)" in py


def test_store_into_memory_comes_out_of_the_if() -> None:
    py = translate("int fd;\nint *p = &fd;\nif ((fd = dup(0)) == -1)\n return 1;\n"
                   "return *p;", "#include <unistd.h>")
    assert "    fd[0] = dup(0)\n    if fd[0] == -1:\n" in py


def test_void_pointer_converts_and_is_in_scope_in_its_initializer() -> None:
    py = translate("struct pollfd *p = malloc(sizeof *p * 2);\np = realloc(p, sizeof *p * 4);"
                   "\nfree(p);\nreturn 0;", "#include <stdlib.h>\n#include <poll.h>")
    assert 'p = cast("struct pollfd *", malloc(' in py
    assert 'p = cast("struct pollfd *", realloc(p, ' in py
    assert 'sizeof("struct pollfd")' in py


def test_no_for_step_after_a_body_that_always_leaves() -> None:
    py = translate("int i;\nfor (i = 0; i < 3; i++) {\n if (i == 1)\n continue;\n break;\n}"
                   "\nreturn i;")
    assert "            i += 1\n            continue\n        break\n    return i" in py


# --- refusals -------------------------------------------------------------------


@pytest.mark.parametrize(("code", "where", "construct"), [
    ("int main(void)\n{\n    goto fin;\nfin:\n    return 0;\n}\n", "t.c:3:5", "goto"),
    ("#include <setjmp.h>\njmp_buf b;\nint main(void)\n{\n    return setjmp(b);\n}\n",
     "t.c:2:1", "setjmp/longjmp"),
    ("int main(void)\n{\n    asm(\"nop\");\n    return 0;\n}\n", "t.c:3:5", "inline assembly"),
    ("int main(void)\n{\n    int (*f)() = 0;\n    return f();\n}\n", "t.c:4:12",
     "function pointer"),
    ("#ifdef __linux__\nint x;\n#endif\n", "t.c:1:1", "#if on a macro this file does not define"),
    ("#pragma once\n", "t.c:1:1", "#pragma"),
    ("#define CAT x ## y\nint CAT;\n", "t.c:1:1", "macro CAT"),
])
def test_refusal_message(code: str, where: str, construct: str) -> None:
    with pytest.raises(PortError) as info:
        port(code, "t.c")
    assert str(info.value).startswith(f"{where}: cannot translate {construct}: ")
    assert len(info.value.why) > 10


def test_refusal_in_spanish(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LANGUAGE", "es")
    with pytest.raises(PortError) as info:
        port("int main(void)\n{\n    goto fin;\nfin:\n    return 0;\n}\n", "t.c")
    assert str(info.value).startswith("t.c:3:5: no se puede traducir goto: Python no tiene")


def test_keep_going_marks_the_statement() -> None:
    result = port("int main(void)\n{\n    int a = 1;\n    goto fin;\nfin:\n    return a;\n}\n",
                  "t.c", keep_going=True)
    assert len(result.errors) == 1
    assert "# untranslated (t.c:4): Python has no jump" in result.python
    assert "    a = 1\n" in result.python


def test_cli_writes_nothing_on_refusal(tmp_path: Path) -> None:
    src = tmp_path / "malo.c"
    src.write_text("int main(void)\n{\n    goto fin;\nfin:\n    return 0;\n}\n")
    out = tmp_path / "malo.py"
    result = subprocess.run([sys.executable, "-m", "csock", "port", str(src), "-o", str(out)],
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert result.returncode == 1
    assert result.stderr == (f"{src}:3:5: cannot translate goto: Python has no jump to a "
                             "label: rewrite it as a loop, break or a function\n")
    assert not out.exists()
    kept = subprocess.run([sys.executable, "-m", "csock", "port", str(src), "-o", str(out),
                           "--keep-going"], capture_output=True, text=True, timeout=TIMEOUT)
    assert kept.returncode == 1 and out.exists()
    assert f"# untranslated ({src}:3)" in out.read_text()


def test_cli_never_replaces_a_file_it_was_not_told_to(tmp_path: Path) -> None:
    """Without -o the port goes beside the C; a file already there (a port
    written by hand, say) is kept, and the message says how to replace it."""
    tutorial = Path(__file__).resolve().parent.parent / "examples" / "tutorial"
    src = tmp_path / "servidor.c"
    src.write_text((tutorial / "servidor.c").read_text())
    mine = tmp_path / "servidor.py"
    mine.write_text("# my own port\n")
    for lang, text in (("C", "exists already: to replace it, name it with -o"),
                       ("es_ES.UTF-8", "ya existe: para reemplazarlo, nómbrelo con -o")):
        result = subprocess.run([sys.executable, "-m", "csock", "port", str(src)],
                                capture_output=True, text=True, timeout=TIMEOUT,
                                env=dict(os.environ, LANGUAGE="", LC_ALL=lang))
        assert result.returncode == 1
        assert result.stderr == f"{mine} {text}\n"
        assert mine.read_text() == "# my own port\n"
    named = subprocess.run([sys.executable, "-m", "csock", "port", str(src), "-o", str(mine)],
                           capture_output=True, text=True, timeout=TIMEOUT)
    assert (named.returncode, named.stderr) == (0, "")
    assert "def enviar_todo(fd, datos, longitud):" in mine.read_text()
    mine.unlink()
    fresh = subprocess.run([sys.executable, "-m", "csock", "port", str(src)],
                           capture_output=True, text=True, timeout=TIMEOUT)
    assert (fresh.returncode, fresh.stderr) == (0, "")
    assert mine.exists()


def test_cli_port_and_page(tmp_path: Path) -> None:
    tutorial = Path(__file__).resolve().parent.parent / "examples" / "tutorial"
    out, page = tmp_path / "servidor.py", tmp_path / "servidor.html"
    result = subprocess.run([sys.executable, "-m", "csock", "port", str(tutorial / "servidor.c"),
                             "-o", str(out), "--html", str(page), "--base-url", "/doc/"],
                            capture_output=True, text=True, timeout=TIMEOUT)
    assert (result.returncode, result.stderr) == (0, "")
    assert "def enviar_todo(fd, datos, longitud):" in out.read_text()
    text = page.read_text()
    assert '<a href="/doc/reference/c.html#setsockopt">setsockopt</a>(' in text
    assert text.count('<tr id="l') == len((tutorial / "servidor.c").read_text().splitlines())


# --- the page in a real browser ------------------------------------------------------


def test_page_lines_align_in_chromium(tmp_path: Path) -> None:
    browser = shutil.which("chromium") or shutil.which("chromium-browser")
    if browser is None:
        pytest.skip("chromium is not installed (CI's .ci/run installs it)")
    tutorial = Path(__file__).resolve().parent.parent / "examples" / "tutorial"
    from csock.port.page import page
    c_text = (tutorial / "cliente.c").read_text()
    html = page(c_text, port(c_text, "cliente.c"), "cliente.c")
    # a script measures each row's C and Python boxes and writes the worst gap in the title
    probe = ("<script>window.onerror=function(m){document.title='ERROR '+m};"
             "window.onload=function(){var worst=0,n=0;"
             "document.querySelectorAll('tr[id]').forEach(function(r){"
             "var a=r.querySelector('td.c pre').getBoundingClientRect(),"
             "b=r.querySelector('td.py pre').getBoundingClientRect();"
             "worst=Math.max(worst,Math.abs(a.top-b.top));n++;});"
             "document.body.setAttribute('data-result','gap='+worst+' rows='+n);};</script>")
    page_file = tmp_path / "p.html"
    page_file.write_text(html.replace("</body>", probe + "</body>"))
    result = subprocess.run(
        [browser, "--headless", "--no-sandbox", "--disable-gpu", "--dump-dom",
         "--enable-logging=stderr", "--v=0", page_file.as_uri()],
        capture_output=True, text=True, timeout=TIMEOUT)
    m = re.search(r'data-result="gap=([\d.]+) rows=(\d+)"', result.stdout)
    assert m, result.stderr[-2000:]
    assert float(m.group(1)) <= 1.0
    assert int(m.group(2)) == len(c_text.splitlines())
    assert "ERROR" not in result.stdout.split("<title>")[1].split("</title>")[0]
    assert "CONSOLE" not in result.stderr and "Uncaught" not in result.stderr


# --- C's integer arithmetic: random expressions against cc -------------------------

VARS = {  # name: (C type, bits, signed)
    "i": ("int", 32, True), "u": ("unsigned int", 32, False), "l": ("long", 64, True),
    "ul": ("unsigned long", 64, False), "ch": ("char", 8, True),
    "uc": ("unsigned char", 8, False), "s": ("short", 16, True),
    "us": ("unsigned short", 16, False), "sc": ("signed char", 8, True),
}
CASTS = ["int", "unsigned int", "unsigned char", "short", "unsigned short", "long",
         "unsigned long", "char"]


def value_for(name: str) -> st.SearchStrategy[int]:
    _t, bits, signed = VARS[name]
    lo, hi = (-(1 << (bits - 1)), (1 << (bits - 1)) - 1) if signed else (0, (1 << bits) - 1)
    return st.one_of(st.integers(lo, hi), st.sampled_from([lo, hi, 0, 1, -1 if signed else 2]))


def expressions() -> st.SearchStrategy[str]:
    leaf = st.one_of(st.sampled_from(sorted(VARS)),
                     st.integers(-300, 70000).map(str),
                     st.sampled_from(["'a'", "3u", "0xFFFFFFFF", "2147483647", "40000L"]))

    def extend(inner: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
        binop = st.tuples(inner, st.sampled_from(["+", "-", "*", "&", "|", "^", "<", ">=", "==",
                                                  "!=", "&&", "||"]), inner)
        return st.one_of(
            binop.map(lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, st.sampled_from(["/", "%"]),
                      st.sampled_from(["3", "-7", "2u", "10L"])).map(
                          lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(inner, st.sampled_from(["<<", ">>"]), st.integers(0, 12)).map(
                lambda t: f"({t[0]} {t[1]} {t[2]})"),
            st.tuples(st.sampled_from(["-", "~", "!"]), inner).map(lambda t: f"({t[0]}({t[1]}))"),
            st.tuples(st.sampled_from(CASTS), inner).map(lambda t: f"(({t[0]})({t[1]}))"),
            st.tuples(inner, inner, inner).map(lambda t: f"({t[0]} ? {t[1]} : {t[2]})"),
        )

    return st.recursive(leaf, extend, max_leaves=6)


@pytest.fixture(scope="module")
def ubsan(cc: str, tmp_path_factory: pytest.TempPathFactory) -> str:
    d = tmp_path_factory.mktemp("ubsan")
    (d / "p.c").write_text("int main(void) { return 0; }\n")
    probe = subprocess.run([cc, "-fsanitize=undefined", "-o", str(d / "p"), str(d / "p.c")],
                           capture_output=True, timeout=TIMEOUT)
    if probe.returncode != 0:
        pytest.skip("cc cannot build with -fsanitize=undefined")
    return cc


@settings(max_examples=6, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.generate])  # no shrinking: a batch is 40 cases
@given(values=st.fixed_dictionaries({n: value_for(n) for n in VARS}),
       exprs=st.lists(expressions(), min_size=40, max_size=40))
def test_integer_expressions_match_cc(ubsan: str, tmp_path_factory: pytest.TempPathFactory,
                                      values: dict[str, int], exprs: list[str]) -> None:
    d = tmp_path_factory.mktemp("expr")
    decls = "\n".join(f"    {VARS[n][0]} {n} = {v};" for n, v in values.items())
    uses = "\n".join(f"    (void){n};" for n in VARS)
    prints = "\n".join(f'    printf("%llu\\n", (unsigned long long)({e}));' for e in exprs)
    first = 6 + len(VARS) * 2
    source = (f"#include <stdio.h>\n\nint main(void)\n{{\n{decls}\n{uses}\n\n"
              f"{prints}\n    return 0;\n}}\n")
    assert source.split("\n")[first - 2] == ""  # the line before the first printf
    (d / "e.c").write_text(source)
    build = subprocess.run([ubsan, "-fsanitize=undefined", "-fno-sanitize=shift-base", "-o",
                            str(d / "e"), str(d / "e.c")], capture_output=True, text=True,
                           check=True, timeout=TIMEOUT)
    c_run = subprocess.run([str(d / "e")], capture_output=True, text=True, timeout=TIMEOUT)
    # undefined: what ubsan reports at run time, and what gcc folded with an overflow
    undefined = {int(m) - first for m in re.findall(r"e\.c:(\d+):\d+: runtime error",
                                                     c_run.stderr)}
    undefined |= {int(m) - first for m in re.findall(r"e\.c:(\d+):\d+: warning: [^\n]*"
                                                     r"overflow", build.stderr)}
    # a left shift of a negative value is undefined too (ubsan's shift-base, turned off
    # above as gcc reports it only under -std=c99 and later)
    (d / "e.py").write_text(port(source, "e.c").python)
    py_run = subprocess.run([sys.executable, str(d / "e.py")], capture_output=True, text=True,
                            timeout=TIMEOUT)
    assert py_run.returncode == 0, py_run.stderr
    c_out, py_out = c_run.stdout.splitlines(), py_run.stdout.splitlines()
    assert len(c_out) == len(py_out) == len(exprs)
    compared = 0
    for k, (a, b) in enumerate(zip(c_out, py_out, strict=True)):
        if k in undefined or "<<" in exprs[k]:
            continue
        assert a == b, f"{exprs[k]} with {values}: C {a}, Python {b}"
        compared += 1
    assert compared >= 10


def test_anonymous_struct_typedef_is_named_by_the_typedef() -> None:
    py = port("typedef struct { int x; } punto;\nint f(punto *p)\n{\n return p->x;\n}\n",
              "t.c").python
    assert 'c.cdef("""typedef struct { int x; } punto;""")' in py
    assert "return p.x" in py


# --- found porting the network programs (tests/port_network) ------------------------


def test_char_whose_address_is_taken_reads_as_a_char() -> None:
    """UNP's readline: read(fd, &c, 1), then *ptr++ = c and c == '\\n'. The boxed char
    is cffi's bytes: compared with b"\\n", converted with ch()/tochar() (it was compared
    with 10, always false, and stored with tochar(bytes), a TypeError)."""
    py = translate("char c, buf[4], *ptr = buf;\nchar *q = &c;\n*q = 'a';\n*ptr++ = c;\n"
                   "if (c == '\\n')\n return 1;\nreturn c + 1;")
    assert "((ptr := ptr + 1) - 1)[0] = tochar(ch(c_[0]))" in py
    assert 'if c_[0] == b"\\n":' in py
    assert "return ch(c_[0]) + 1" in py


def test_variadic_function_hands_its_arguments_to_vprintf() -> None:
    py = port("#include <stdarg.h>\n#include <stdio.h>\nstatic void err(const char *fmt, ...)\n"
              "{\n    va_list ap;\n\n    va_start(ap, fmt);\n    vfprintf(stderr, fmt, ap);\n"
              "    va_end(ap);\n}\nint main(void)\n{\n    err(\"%d\\n\", 3);\n    return 0;\n}\n",
              "t.c").python
    assert "def err(fmt, *va_args):\n    ap = va_args\n    fprintf(stderr, fmt, *ap)\n" \
        "    ap = ()\n" in py


@pytest.mark.parametrize(("lang", "text"), [
    ("", "t.c:7:9: cannot translate va_arg: reading the variable arguments one by one"),
    ("es", "t.c:7:9: no se puede traducir va_arg: leer los argumentos variables uno a uno"),
])
def test_va_arg_is_refused_with_a_reason(monkeypatch: pytest.MonkeyPatch, lang: str,
                                         text: str) -> None:
    monkeypatch.setenv("LANGUAGE", lang)
    code = ("#include <stdarg.h>\nstatic int sum(int n, ...)\n{\n    va_list ap;\n    int s = 0;"
            "\n    va_start(ap, n);\n    s = va_arg(ap, int);\n    va_end(ap);\n    return s;\n}\n")
    with pytest.raises(PortError) as info:
        port(code, "t.c")
    assert str(info.value).startswith(text)


def test_va_start_outside_a_variadic_function_is_refused() -> None:
    code = ("#include <stdarg.h>\nstatic void f(int n)\n{\n    va_list ap;\n"
            "    va_start(ap, n);\n    va_end(ap);\n}\n")
    with pytest.raises(PortError) as info:
        port(code, "t.c")
    assert str(info.value) == "t.c:5:5: cannot translate va_start: f has no variable " \
        "arguments (...)"


def test_string_literals_in_a_pointer_array_live_as_long_as_the_program() -> None:
    py = translate('static const char *m[] = {"a", NULL};\nreturn m[0][0];')
    assert 'new("char *[]", [literal(b"a"), NULL])' in py
    import gc

    import csock.c as c
    from csock.port.libc import literal
    table = c.new("char *[]", [literal(b"hola"), literal(b"")])
    gc.collect()
    assert c.string(table[0]) == b"hola"
    assert literal(b"hola") is literal(b"hola")


def test_define_continued_over_many_lines_is_one_directive() -> None:
    # Every continued line belongs to the #define, not only the first two.
    py = translate("return TWICE(\n4);", "#define TWICE(x) \\\n    ((x) \\\n     + \\\n     (x))")
    assert "return 4 + 4" in py


def test_macro_quotes_and_pastes_tokens() -> None:
    py = translate("int FIELD(a) = 1;\nCHECK(FIELD(a)  -  2);\nreturn 0;",
                   "#define FIELD(n) f_ ## n\n"
                   "#define CHECK(x) do { if ((x) < 0) perror(#x); } while (0)")
    assert "f_a = 1" in py
    assert 'perror(b"FIELD(a) - 2")' in py


def test_macro_argument_keeps_the_spaces_inside_its_literals() -> None:
    py = translate('SAY("a   b");\nreturn 0;', "#define SAY(s) puts(s)")
    assert 'puts(b"a   b")' in py


def test_offsetof_is_csock_offsetof() -> None:
    py = translate("return (int)offsetof(struct sockaddr_un, sun_path[2]);",
                   "#include <stddef.h>\n#include <sys/un.h>")
    assert 'offsetof("struct sockaddr_un", "sun_path", 2)' in py


def test_struct_cdef_carries_the_constants_it_names() -> None:
    py = port("#define LEN 8\n#define SLOTS (LEN / 2)\nstruct e { char name[LEN]; "
              "short s[SLOTS]; };\nint main(void)\n{\n    struct e x;\n"
              "    return (int)sizeof x;\n}\n", "t.c").python
    assert 'c.cdef("""#define LEN 8\n#define SLOTS (LEN / 2)\nstruct e {' in py


@pytest.mark.parametrize("name", ["h_errno", "optind", "opterr", "optopt"])
def test_c_globals_are_read_and_assigned_live(name: str) -> None:
    # C's variables that csock.c reads live are c.NAME: a star import never has them.
    py = translate(f"{name} = 1;\nreturn {name};", "#include <netdb.h>\n#include <unistd.h>")
    assert f"c.{name} = 1" in py and f"return c.{name}" in py
    assert "import csock.c as c" in py


def test_optarg_is_a_char_pointer_read_live() -> None:
    py = translate('if (getopt(1, 0, "p:") == \'p\' && optarg[0] == \'8\')\n    return 1;'
                   "\nreturn 0;", "#include <unistd.h>")
    assert 'c.optarg[0] == b"8"' in py
