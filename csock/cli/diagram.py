"""``python -m csock demo --diagram demo.svg``: the demo as a sequence diagram.

A self-contained SVG (no script, no external font or style): the client and
the server as two lifelines, each C call in the order it was made (the
traced line in a tooltip), arrows for the bytes that cross (connect's
handshake, each send, close's FIN), and the sockets' states as the kernel
reported them after the calls that changed them.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import TYPE_CHECKING
from xml.sax.saxutils import escape, quoteattr

from csock.cli.i18n import _

if TYPE_CHECKING:
    from csock.cli.demo import Event

WIDTH = 1100
X = {"client": 400, "server": 760}
ROW = 22
TOP = 70
CALL = re.compile(r"^(?P<name>[a-z_0-9]+)\((?P<args>.*)\)\s+= (?P<result>.*)$")
FIRST_ARG = re.compile(r"^(\d+)")
STRING = re.compile(r'"((?:[^"\\]|\\.)*)"(\.\.\.)?')

STYLE = """
text { font-family: DejaVu Sans Mono, Menlo, Consolas, monospace; font-size: 12px; }
.title { font-size: 16px; font-weight: bold; }
.role { font-size: 14px; font-weight: bold; }
.step { font-weight: bold; fill: #333; }
.call { fill: #000; }
.note { fill: #555; font-style: italic; }
.bytes { fill: #0b5394; }
.state { fill: #38761d; font-size: 11px; }
.life { stroke: #999; stroke-dasharray: 4 3; }
.arrow { stroke: #0b5394; stroke-width: 1.5; marker-end: url(#head); }
.band { fill: #eee; }
"""


def _short(name: str, args: str, result: str) -> str:
    """A call as it fits beside a lifeline: name(first argument, ...) = result."""
    first = FIRST_ARG.match(args)
    inner = (first.group(1) + (", ..." if len(args) > len(first.group(1)) else "")
             if first else ("..." if args else ""))
    result = result.split(" (")[0] if result.startswith("-1") else result.split(" ")[0]
    return f"{name}({inner}) = {result}"


def _payload(args: str) -> str:
    m = STRING.search(args)
    if not m:
        return ""
    text = m.group(1)
    return '"' + (text[:24] + "..." if len(text) > 24 or m.group(2) else text) + '"'


class _Svg:
    def __init__(self) -> None:
        self.parts: list[str] = []
        self.y = TOP

    def text(self, x: float, y: float, text: str, cls: str, anchor: str = "start",
             title: str | None = None) -> None:
        tip = f"<title>{escape(title)}</title>" if title else ""
        self.parts.append(f'<text x="{x}" y="{y}" class="{cls}" text-anchor="{anchor}">'
                          f"{tip}{escape(text)}</text>")

    def arrow(self, x1: float, x2: float, y: float, label: str) -> None:
        self.parts.append(f'<line x1="{x1}" y1="{y}" x2="{x2}" y2="{y}" class="arrow"/>')
        self.text((x1 + x2) / 2, y - 4, label, "bytes", "middle")


def render(events: Sequence[Event], title: str = "") -> str:
    """The SVG text for the demo's events (csock.cli.demo.Event)."""
    svg = _Svg()
    connected: dict[str, set[int]] = {"client": set(), "server": set()}
    for event in events:
        kind, role, text = event.kind, event.role, event.text
        if kind == "step":
            svg.y += 8
            svg.parts.append(f'<rect x="10" y="{svg.y - 14}" width="{WIDTH - 20}" '
                             f'height="{ROW - 2}" class="band"/>')
            svg.text(20, svg.y, text, "step")
            svg.y += ROW
        elif kind == "call" and role in X:
            m = CALL.match(text)
            other = "server" if role == "client" else "client"
            side = "end" if role == "client" else "start"
            dx = -10 if role == "client" else 10
            if not m:
                svg.text(X[role] + dx, svg.y, text, "call", side, title=text)
                svg.y += ROW
                continue
            name, args, result = m.group("name"), m.group("args"), m.group("result")
            svg.text(X[role] + dx, svg.y, _short(name, args, result), "call", side, title=text)
            svg.parts.append(f'<circle cx="{X[role]}" cy="{svg.y - 4}" r="3" fill="#000"/>')
            fd = FIRST_ARG.match(args)
            label = ""
            if name == "connect" and result.startswith("0"):
                label = _("handshake: SYN, SYN-ACK, ACK")
                connected[role].add(int(fd.group(1)) if fd else -1)
            elif name == "accept" and result.split()[0].isdigit():
                connected[role].add(int(result.split()[0]))
            elif name in ("sendto", "send", "write") and fd and int(fd.group(1)) in \
                    connected[role] and result.split()[0].isdigit() and int(result.split()[0]):
                label = _("{n} bytes {data}").format(n=result.split()[0], data=_payload(args))
            elif name == "close" and fd and int(fd.group(1)) in connected[role]:
                connected[role].discard(int(fd.group(1)))
                label = _("FIN: no more data from the {role}").format(role=_(role))
            if label:
                svg.y += ROW - 6
                svg.arrow(X[role], X[other], svg.y, label)
            svg.y += ROW
        elif kind == "note":
            x, side = ((X[role] - 10, "end") if role == "client" else
                       (X[role] + 10, "start") if role == "server" else (WIDTH / 2, "middle"))
            svg.text(x, svg.y, text, "note", side)
            svg.y += ROW
        elif kind == "states":
            rows: dict[str, list[str]] = {"client": [], "server": []}
            for state in event.states:
                who = f"fd {state.fd}" if state.fd is not None else _("(no fd)")
                rows[state.role].append(f"{who} {state.state}")
            height = max(len(rows["client"]), len(rows["server"]), 1)
            for role_name, lines in rows.items():
                x, side = ((X[role_name] + 8, "start") if role_name == "client"
                           else (X[role_name] - 8, "end"))
                for i, line in enumerate(lines):
                    svg.text(x, svg.y + i * 14, line, "state", side)
            svg.y += height * 14 + 6
    bottom = svg.y + ROW
    head = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<svg xmlns="http://www.w3.org/2000/svg" width="{WIDTH}" height="{bottom}" '
        f'viewBox="0 0 {WIDTH} {bottom}">',
        f"<title>{escape(title or _('csock demo: the C calls of a client and a server'))}"
        "</title>",
        f"<style>{STYLE}</style>",
        '<defs><marker id="head" markerWidth="8" markerHeight="8" refX="7" refY="4" '
        'orient="auto"><path d="M0,0 L8,4 L0,8 z" fill="#0b5394"/></marker></defs>',
        f'<rect x="0" y="0" width="{WIDTH}" height="{bottom}" fill="#fff"/>',
    ]
    svg_title = title or _("csock demo: the C calls of a client and a server")
    head.append(f'<text x="{WIDTH / 2}" y="24" class="title" text-anchor="middle">'
                f"{escape(svg_title)}</text>")
    for role in ("client", "server"):
        head.append(f'<text x="{X[role]}" y="50" class="role" text-anchor="middle" '
                    f"id={quoteattr(role)}>{escape(_(role))}</text>")
        head.append(f'<line x1="{X[role]}" y1="56" x2="{X[role]}" y2="{bottom - 10}" '
                    'class="life"/>')
    return "\n".join([*head, *svg.parts, "</svg>"]) + "\n"


def write(path: str, events: Sequence[Event], title: str = "") -> None:
    with open(path, "w", encoding="utf-8") as f:
        f.write(render(events, title))
