"""The cast lesson (explain --as, --no-htons), csock.c.explain, show/explain's REPL
convention, and every teaching output fitting a projector's 80 columns."""

from __future__ import annotations

import re

import pytest

import csock.c as c
from csock import layout
from csock._show import Text
from csock.cli.main import main

WIDTH = 80
# Exempt: trace lines (they must equal strace's), explain's strace line (strace's
# notation, on one line), netstat's table rows.
TRACE_LINE = re.compile(r"^  (server|client) +[a-z_0-9]+\(")


def output(capsys: pytest.CaptureFixture[str], *argv: str) -> str:
    try:
        status = main(list(argv))
    except SystemExit as exc:  # --help
        status = exc.code  # type: ignore[assignment]
    out, err = capsys.readouterr()
    assert status == 0, err
    return out


TEACHING = [
    ["demo"], ["demo", "--states"], ["sizes"],
    ["explain", "sockaddr_in", "127.0.0.1:10000"],
    ["explain", "sockaddr_in6", "[::1]:10000"],
    ["explain", "sockaddr_un", "/tmp/x.sock"],
    ["explain", "sockaddr_un", "@name"],
    ["explain", "sockaddr_storage"], ["explain", "addrinfo"], ["explain", "msghdr"],
    ["explain", "sockaddr_in", "127.0.0.1:10000", "--as", "sockaddr", "--no-htons"],
    ["explain", "sockaddr", "[::1]:10000"],
    ["explain", "sockaddr_in", "127.0.0.1:10000", "--as", "sockaddr_in6"],
    ["--help"], *[[cmd, "--help"] for cmd in (
        "demo", "sizes", "server", "client", "serve-file", "fetch-file", "explain",
        "netstat")],
]


@pytest.mark.parametrize("argv", TEACHING, ids=" ".join)
def test_teaching_output_fits_80_columns(argv: list[str], capsys: pytest.CaptureFixture[str],
                                        monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("COLUMNS", str(WIDTH))  # argparse wraps to the terminal
    text = output(capsys, *argv)
    assert text.strip()
    wide = [line for line in text.splitlines() if len(line) > WIDTH
            and not TRACE_LINE.match(line) and not line.startswith("strace: ")]
    assert wide == []


def test_every_struct_explained_fits_80_columns() -> None:
    for name in layout.names():
        text = c.explain(c.new(layout.layout(name).cname + " *"))
        wide = [ln for ln in text.splitlines()[:-1] if len(ln) > WIDTH]
        assert wide == [], name


# ------------------------------------------------------------------ the cast lesson

def table(text: str) -> list[list[str]]:
    return [re.split(r"  +", ln.strip()) for ln in text.splitlines()
            if re.match(r"\d+(-\d+)?  ", ln)]


def test_explain_as_sockaddr_side_by_side(capsys: pytest.CaptureFixture[str]) -> None:
    text = output(capsys, "explain", "sockaddr_in", "127.0.0.1:10000", "--as", "sockaddr")
    assert text.startswith("The same 16 bytes as struct sockaddr_in and as struct sockaddr:")
    fam = " ".join(f"{b:02x}" for b in c.AF_INET.to_bytes(2, "little"))
    assert table(text) == [
        ["0-1", fam, "sin_family", "sa_family"],
        ["2-3", "27 10", "sin_port", "sa_data[0-1]"],
        ["4-7", "7f 00 00 01", "sin_addr", "sa_data[2-5]"],
        ["8-15", "00 00 00 00 00 00 00 00", "sin_zero", "sa_data[6-13]"],
    ]
    assert "    sin_port: htons(10000): network byte order" in text
    assert "    sa_data[0-1]: plain bytes of sa_data" in text
    assert "sockaddr_in and sockaddr are both 16 bytes." in text
    assert "without htons" not in text
    # the tutorial's own spelling: explain sockaddr ADDRESS is that cast
    assert output(capsys, "explain", "sockaddr", "127.0.0.1:10000") == text


@pytest.mark.skipif(c.htons(1) == 1, reason="a big-endian host: htons changes nothing")
def test_explain_no_htons_column(capsys: pytest.CaptureFixture[str]) -> None:
    text = output(capsys, "explain", "sockaddr_in", "127.0.0.1:10000", "--as", "sockaddr",
                  "--no-htons")
    rows = table(text)
    assert rows[0][2] == "same"
    assert rows[1] == ["2-3", "27 10", "10 27", "sin_port", "sa_data[0-1]"]
    assert rows[2] == ["4-7", "7f 00 00 01", "01 00 00 7f", "sin_addr", "sa_data[2-5]"]
    assert "without htons(): the bytes would be 10 27, read as port 4135" in text
    assert "without htonl(): the bytes would be 01 00 00 7f, read as 1.0.0.127" in text


def test_explain_cast_of_a_bigger_struct_says_what_is_cut(
        capsys: pytest.CaptureFixture[str]) -> None:
    text = output(capsys, "explain", "sockaddr", "[::1]:10000")
    rows = table(text)
    assert rows[-1] == ["24-27", "00 00 00 00", "sin6_scope_id", "(past the end)"]
    assert "sockaddr: past the end (sizeof struct sockaddr is 16)" in text
    assert "truncates it to 16 bytes" in text.replace("\n", " ")


def test_no_htons_needs_as(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["explain", "sockaddr_in", "127.0.0.1:1", "--no-htons"]) == 2
    assert capsys.readouterr().err == (
        "csock explain: --no-htons goes with --as STRUCT (try --as sockaddr)\n")
    assert main(["explain", "sockaddr_in", "127.0.0.1:1", "--as", "nosuch"]) == 2
    assert "unknown struct 'nosuch'" in capsys.readouterr().err


# ------------------------------------------------------------------ csock.c.explain, REPL

def test_c_explain_of_a_learners_struct() -> None:
    servidor = c.new("struct sockaddr_in *")
    servidor.sin_family = c.AF_INET
    servidor.sin_port = c.htons(4135)  # a forgotten htons, seen in the bytes
    text = c.explain(servidor)
    assert isinstance(text, Text) and text == layout.dump(servidor)
    assert "htons(4135): network byte order, 4135 = 0x1027" in text.replace("\n" + " " * 12,
                                                                            " ")
    assert text.splitlines()[-1] == ("strace: {sin_family=AF_INET, sin_port=htons(4135), "
                                     'sin_addr=inet_addr("0.0.0.0")}')
    assert c.explain(servidor[0]) == text  # the struct itself, as show() takes it
    with pytest.raises(ValueError):
        c.explain(c.cast("struct sockaddr_in *", c.NULL))
    assert "explain" in c.__all__


def test_show_and_explain_read_well_at_the_repl(capsys: pytest.CaptureFixture[str]) -> None:
    linger = c.new("struct linger *", {"l_onoff": 1, "l_linger": 5})
    shown = c.show(linger)
    assert shown == "{l_onoff=1, l_linger=5}" and isinstance(shown, str)
    assert repr(shown) == "{l_onoff=1, l_linger=5}"  # what >>> show(p) prints
    assert repr(c.explain(linger)) == str(c.explain(linger))
    assert "\\n" not in repr(c.explain(linger))
    assert capsys.readouterr() == ("", "")  # they return the text, print nothing
    # an ordinary str otherwise
    assert shown.upper() == "{L_ONOFF=1, L_LINGER=5}" and shown + "" == shown
