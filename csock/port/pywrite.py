"""Writing Python: the translated lines laid out as the hand-written ports are
(blank lines where the C has them, PEP 8's around functions, long lines cut at
a bracket), with the C line each Python line comes from."""

from __future__ import annotations

from csock.port.translate import Line

MAX = 100


def _brackets(text: str) -> list[tuple[int, int]]:
    """(open, close) index pairs at depth 0, outside string literals."""
    pairs = []
    depth = 0
    start = 0
    quote = ""
    i = 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            if depth == 0:
                start = i
            depth += 1
        elif ch in ")]}":
            depth -= 1
            if depth == 0:
                pairs.append((start, i))
        i += 1
    return pairs


def _split_commas(text: str) -> list[str]:
    parts, depth, cur, quote, i = [], 0, 0, "", 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif ch == "," and depth == 0:
            parts.append(text[cur:i].strip())
            cur = i + 1
        i += 1
    parts.append(text[cur:].strip())
    return [p for p in parts if p]


def wrap(indent: int, text: str) -> list[str]:
    pad = "    " * indent
    if len(pad) + len(text) <= MAX or "\n" in text or text.lstrip().startswith("#"):
        return [pad + text]
    comment = ""
    for a, b in _brackets(text):
        if b - a < 3:
            continue
        head, body, tail = text[:a + 1], text[a + 1:b], text[b:]
        if "  # " in tail:
            tail, comment = tail.split("  # ", 1)
            comment = "  # " + comment
        if len(pad) + len(head) > MAX or len(pad) + len(tail) > MAX:
            continue
        inner = pad + "    "
        if len(inner) + len(body) <= MAX:
            return [pad + head, inner + body, pad + tail + comment]
        parts = _split_commas(body)
        if len(parts) > 1:
            return [pad + head, *[x for p in parts for x in wrap(indent + 1, p + ",")],
                    pad + tail + comment]
        return [pad + head, *wrap(indent + 1, body), pad + tail + comment]
    for word in ("if ", "elif ", "while "):
        # a long condition with no bracket to cut at: bracket it, one operand a line
        if text.startswith(word) and text.endswith(":"):
            cond = text[len(word):-1]
            for op in (" or ", " and "):
                parts = _split_words(cond, op)
                if len(parts) > 1:
                    inner = pad + "    "
                    return [pad + word + "(", inner + parts[0],
                            *[inner + op.lstrip() + p for p in parts[1:]], pad + "):"]
    return [pad + text]


def _split_words(text: str, word: str) -> list[str]:
    """text cut at word where it stands outside brackets and strings."""
    parts, depth, cur, quote, i = [], 0, 0, "", 0
    while i < len(text):
        ch = text[i]
        if quote:
            if ch == "\\":
                i += 2
                continue
            if ch == quote:
                quote = ""
        elif ch in "\"'":
            quote = ch
        elif ch in "([{":
            depth += 1
        elif ch in ")]}":
            depth -= 1
        elif depth == 0 and text.startswith(word, i):
            parts.append(text[cur:i].strip())
            cur = i + len(word)
            i = cur
            continue
        i += 1
    parts.append(text[cur:].strip())
    return parts


def render(lines: list[Line], c_text: str) -> tuple[str, list[int]]:
    """The Python file's text and, for each of its lines, the C line (0: none)."""
    c_lines = c_text.split("\n")

    def blank_between(a: int, b: int) -> bool:
        return any(not c_lines[k - 1].strip() for k in range(a + 1, b) if 0 < k <= len(c_lines))

    out: list[tuple[str, int]] = []
    prev: Line | None = None
    blanks = 0
    for ln in lines:
        if ln.text == "":
            blanks += 1
            continue
        want = 0
        if prev is not None:
            top_now = ln.indent == 0
            if top_now and prev.indent > 0:
                want = 2
            elif ln.text.startswith("def ") and ln.indent == 0 and not prev.text.startswith("@"):
                want = 2
            elif blanks:
                want = min(blanks, 2 if ln.indent == 0 else 1)
            if ln.cline and prev.cline and ln.cline > prev.cline and \
                    blank_between(prev.cline, ln.cline) and not prev.text.endswith(":"):
                want = max(want, 1)
            if prev.text.startswith(("import ", "from ")) and not ln.text.startswith(
                    ("import ", "from ")):
                want = max(want, 1)
            if ln.indent > 0:
                want = min(want, 1)
            if prev.text.endswith(":") and ln.indent > prev.indent or prev.text.startswith("@"):
                want = 0
        # comments directly above a def keep to it: the blank lines go above them
        out.extend(("", 0) for _ in range(want))
        for text in wrap(ln.indent, ln.text):
            out.append((text, ln.cline))
        prev = ln
        blanks = 0
    # PEP 8: two blank lines before a top-level def, counted above its comments
    fixed: list[tuple[str, int]] = []
    for i, (text, cl) in enumerate(out):
        fixed.append((text, cl))
        if text.startswith("def ") and i >= 1:
            j = len(fixed) - 2
            while j >= 0 and fixed[j][0].startswith(("#", "@")):
                j -= 1
            if j < len(fixed) - 2 and j >= 0:
                # comments above the def: move the blank lines above them
                block = fixed[j + 1:]
                k = j
                while k >= 0 and fixed[k][0] == "":
                    k -= 1
                inside = [b for b in block if b[0] != ""]
                fixed[k + 1:] = [("", 0), ("", 0), *inside]
    while fixed and fixed[0][0] == "":
        fixed.pop(0)
    text = "\n".join(t for t, _c in fixed).rstrip("\n") + "\n"
    return text, [c for _t, c in fixed]
