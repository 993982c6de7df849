"""Writing the page: the C on the left, the port on the right, each C line
beside the Python lines it became, csock.c's names linked to their reference."""

from __future__ import annotations

import html
import re

from csock.port import Port

_STYLE = """
body { font-family: sans-serif; margin: 1em; }
table { border-collapse: collapse; width: 100%; table-layout: fixed; }
td { vertical-align: top; padding: 0 0.5em; border-bottom: 1px solid #eee; }
td.n { width: 3em; color: #888; text-align: right; font-family: monospace; }
pre { margin: 0; font-family: monospace; font-size: 13px; line-height: 18px;
      white-space: pre-wrap; word-break: break-all; }
th { text-align: left; }
a { color: #05a; text-decoration: none; }
"""


def _c_names() -> set[str]:
    from csock import c
    return {n for n in c.__all__ if callable(getattr(c, n, None))}


def _link(line: str, names: set[str], base_url: str) -> str:
    out = []
    pos = 0
    for m in re.finditer(r"\"(?:\\.|[^\"\\])*\"|[A-Za-z_]\w*", line):
        out.append(html.escape(line[pos:m.start()]))
        word = m.group(0)
        nxt = line[m.end():m.end() + 1]
        if word in names and nxt == "(":
            out.append(f'<a href="{html.escape(base_url)}reference/c.html#{word.lower()}">'
                       f"{html.escape(word)}</a>")
        else:
            out.append(html.escape(word))
        pos = m.end()
    out.append(html.escape(line[pos:]))
    return "".join(out)


def rows(c_text: str, result: Port) -> list[tuple[int, str, list[str]]]:
    """(C line number or 0, C line, the Python lines beside it)."""
    c_lines = c_text.split("\n")
    if c_lines and c_lines[-1] == "":
        c_lines.pop()
    py_lines = result.python.rstrip("\n").split("\n")
    out: list[tuple[int, str, list[str]]] = []
    done = 0
    pending: list[str] = []
    pairs = list(zip(py_lines, result.c_lines, strict=True))
    for i, (text, cl) in enumerate(pairs):
        if cl == 0 and out:
            # a line of its own (a blank, the main call): with the row its neighbours share
            after = next((c for _t, c in pairs[i + 1:] if c), None)
            if after is not None and after <= done:
                out[-1][2].append(text)
                continue
        if cl > done:
            for k in range(done + 1, cl):
                out.append((k, c_lines[k - 1], pending))
                pending = []
            out.append((cl, c_lines[cl - 1], [*pending, text]))
            pending = []
            done = cl
        elif out and cl:
            out[-1][2].append(text)
        else:
            pending.append(text)
    for k in range(done + 1, len(c_lines) + 1):
        out.append((k, c_lines[k - 1], pending))
        pending = []
    if pending:
        out.append((0, "", pending))
    return out


def page(c_text: str, result: Port, filename: str, base_url: str = "") -> str:
    names = _c_names()
    body = []
    in_doc = False
    for n, c_line, py in rows(c_text, result):
        cells = []
        for x in py:
            quoted = in_doc or x.lstrip().startswith(('"""', "#"))
            if x.count('"""') % 2:
                in_doc = not in_doc
            code, hash_, note = x.partition("  # ")
            cells.append(html.escape(x) if quoted
                         else _link(code, names, base_url) + html.escape(hash_ + note))
        body.append(
            f'<tr id="l{n}"><td class="n">{n or ""}</td><td class="c"><pre>'
            f"{html.escape(c_line) or ' '}</pre></td><td class=\"py\"><pre>"
            + ("\n".join(cells) or " ") + "</pre></td></tr>")
    title = html.escape(filename)
    return ("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">"
            f"<title>{title}: C and Python</title><style>{_STYLE}</style></head><body>\n"
            f"<h1>{title}</h1>\n<table><colgroup><col style=\"width:3em\"><col><col>"
            "</colgroup>\n<tr><th></th><th>C</th><th>Python (csock.c)</th></tr>\n"
            + "\n".join(body) + "\n</table></body></html>\n")
