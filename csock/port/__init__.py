"""``python -m csock port``: a C socket program in, its line-by-line Python port
on csock.c out.

Reading C (``cread``: comments, the program's own preprocessor directives),
the translation (``translate``: by C's rules, driven by the declared types),
writing Python (``pywrite``) and the side-by-side page (``page``). C's
integer rules that csock.c lacks come from ``csock.port.libc``.
"""

from __future__ import annotations

from dataclasses import dataclass

from csock.port.messages import PortError

__all__ = ["Port", "PortError", "port"]


@dataclass
class Port:
    """A translation: the Python text, each of its lines' C line, what was refused."""

    python: str
    c_lines: list[int]
    errors: list[PortError]


def port(c_text: str, filename: str = "program.c", keep_going: bool = False) -> Port:
    """Translate a C program; raises PortError at the first construct it cannot
    translate, unless keep_going (then each is marked in the output)."""
    from csock.port.pywrite import render
    from csock.port.translate import translate_source

    lines, errors = translate_source(filename, c_text, keep_going)
    text, c_lines = render(lines, c_text)
    return Port(text, c_lines, errors)
