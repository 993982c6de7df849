"""Reading C: comments by line, the program's preprocessor directives, and
pycparser's syntax tree (with fake typedefs standing for the system headers)."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from csock.port.messages import PortError, _

# A C token stream cut just enough to find comments, strings and directives.
_LEXEME = re.compile(
    r'(?P<comment>/\*.*?\*/|//[^\n]*)|(?P<string>"(?:\\.|[^"\\\n])*"|\'(?:\\.|[^\'\\\n])*\')'
    r"|(?P<other>[^/\"']+|/)",
    re.S,
)
_IDENT = re.compile(r"[A-Za-z_]\w*")


@dataclass
class Comment:
    line: int  # first line (1-based)
    end: int  # last line
    text: str  # without the /* */ or //, lines stripped of a leading " * "
    trailing: bool  # code before it on its first line
    skipped: int = 0  # blank lines dropped at its start (a lone "/*")


@dataclass
class Macro:
    name: str
    params: list[str] | None  # None: object-like
    body: str
    line: int
    comment: str = ""


@dataclass
class Source:
    """The program as pycparser gets it (directives blanked), and what they said."""

    filename: str
    text: str  # the original
    code: str  # comments and directives blanked, macros expanded, lines kept
    comments: list[Comment] = field(default_factory=list)
    includes: list[tuple[int, str]] = field(default_factory=list)
    macros: dict[str, Macro] = field(default_factory=dict)
    constants: list[Macro] = field(default_factory=list)  # object-like, kept as names


def _clean_comment(raw: str) -> str:
    if raw.startswith("//"):
        return raw[2:].strip()
    lines = raw[2:-2].split("\n")
    out = []
    for line in lines:
        line = line.strip()
        if line.startswith("*"):
            line = line[1:]
            line = line[1:] if line.startswith(" ") else line
        out.append(line.rstrip())
    while out and not out[0]:
        out.pop(0)
    while out and not out[-1]:
        out.pop()
    return "\n".join(out)


def strip_comments(text: str) -> tuple[str, list[Comment]]:
    """The text with every comment blanked (newlines kept), and the comments."""
    out: list[str] = []
    comments: list[Comment] = []
    line = 1
    line_has_code = False
    for m in _LEXEME.finditer(text):
        piece = m.group(0)
        if m.group("comment"):
            end = line + piece.count("\n")
            cleaned = _clean_comment(piece)
            inner = piece[2:].lstrip(" \t*")
            skipped = len(inner) - len(inner.lstrip("\n")) if cleaned else 0
            comments.append(Comment(line, end, cleaned, line_has_code, skipped))
            out.append(" " + "\n" * piece.count("\n"))
        else:
            out.append(piece)
        nl = piece.count("\n")
        if nl:
            line += nl
            tail = piece.rsplit("\n", 1)[1]
            line_has_code = bool(tail.strip()) and not m.group("comment")
        elif piece.strip() and not m.group("comment"):
            line_has_code = True
    return "".join(out), comments


def _split_args(text: str, start: int) -> tuple[list[str], int] | None:
    """Macro call arguments from the '(' at start: (args, index after ')')."""
    depth = 0
    args: list[str] = []
    cur = start + 1
    i = start
    in_str: str | None = None
    while i < len(text):
        ch = text[i]
        if in_str:
            if ch == "\\":
                i += 2
                continue
            if ch == in_str:
                in_str = None
        elif ch in "\"'":
            in_str = ch
        elif ch == "(":
            depth += 1
        elif ch == ")":
            depth -= 1
            if depth == 0:
                args.append(text[cur:i])
                return args, i + 1
        elif ch == "," and depth == 1:
            args.append(text[cur:i])
            cur = i + 1
        i += 1
    return None


def _substitute(body: str, binding: dict[str, str]) -> str:
    return _IDENT.sub(lambda t: binding.get(t.group(0), t.group(0)), body)


# A macro body that is a statement: not wrapped in parentheses where it expands.
_STATEMENT = re.compile(r"\s*(?:do\b|if\b|while\b|for\b|switch\b|return\b|\{)")
# In a function-like macro's body: a string or character literal, "a ## b", "#param".
_BODY_TOKEN = re.compile(
    r'(?P<lit>"(?:\\.|[^"\\])*"|\'(?:\\.|[^\'\\])*\')'
    r"|(?P<paste>\s*##\s*)|#\s*(?P<quote>[A-Za-z_]\w*)|(?P<ident>[A-Za-z_]\w*)")


def _collapse(arg: str) -> str:
    """A macro argument's text: trimmed, each run of white space outside its
    literals one space (as C's # quotes it)."""
    return "".join(m.group(0) if m.group("string") else re.sub(r"\s+", " ", m.group(0))
                   for m in _LEXEME.finditer(arg.strip()))


def _stringify(arg: str) -> str:
    """C's #param: the argument's text as a string literal (whitespace already
    collapsed; the quotes and backslashes of its own literals escaped)."""
    out = []
    for m in _LEXEME.finditer(arg):
        piece = m.group(0)
        out.append(piece.replace("\\", "\\\\").replace('"', '\\"') if m.group("string")
                   else piece)
    return '"' + "".join(out) + '"'


def _substitute_params(body: str, raw: dict[str, str]) -> str:
    """A function-like macro's body with its arguments in: "#p" quotes p's text,
    "a ## b" joins the two tokens' texts, any other parameter becomes its
    argument in parentheses (C's rules, simplified: the arguments next to # and
    ## are not expanded first, the others are expanded after substitution)."""
    tokens = list(_BODY_TOKEN.finditer(body))
    out: list[str] = []
    pos = 0
    for k, t in enumerate(tokens):
        out.append(body[pos:t.start()])
        pos = t.end()
        if t.group("lit"):
            out.append(t.group(0))
        elif t.group("paste"):
            out.append("")
        elif t.group("quote") is not None and t.group("quote") in raw:
            out.append(_stringify(raw[t.group("quote")]))
        elif t.group("ident") is not None and t.group("ident") in raw:
            pasted = (k > 0 and tokens[k - 1].group("paste") and tokens[k - 1].end() == t.start()) \
                or (k + 1 < len(tokens) and tokens[k + 1].group("paste")
                    and tokens[k + 1].start() == t.end())
            arg = raw[t.group("ident")]
            out.append(arg if pasted else "(" + arg + ")")
        else:
            out.append(t.group(0))
    out.append(body[pos:])
    return "".join(out)


def expand(text: str, macros: dict[str, Macro], depth: int = 0) -> str:
    """Expand the macros in text (C's rules, simplified: no # or ##)."""
    if depth > 32:
        return text
    out: list[str] = []
    pos = 0
    changed = False
    for m in _IDENT.finditer(text):
        if m.start() < pos:
            continue
        mac = macros.get(m.group(0))
        if mac is None:
            continue
        before = text[:m.start()]
        if before.count('"') % 2:  # inside a string literal
            continue
        if mac.params is None:
            out.append(text[pos:m.start()])
            out.append(mac.body)
            pos = m.end()
            changed = True
            continue
        j = m.end()
        while j < len(text) and text[j] in " \t":
            j += 1
        if j >= len(text) or text[j] != "(":
            continue
        split = _split_args(text, j)
        if split is None:
            continue
        args, after = split
        if args == [""] and not mac.params:
            args = []
        raw = {p: _collapse(a) for p, a in zip(mac.params, args, strict=False)}
        body = _substitute_params(mac.body, raw)
        out.append(text[pos:m.start()])
        # an expression keeps its grouping; a statement (do { } while (0)) stays one
        out.append(body if _STATEMENT.match(body) else "(" + body + ")")
        # keep the line count: newlines inside the call move after it
        out.append("\n" * text[m.start():after].count("\n"))
        pos = after
        changed = True
    out.append(text[pos:])
    result = "".join(out)
    return expand(result, macros, depth + 1) if changed else result


_DIRECTIVE = re.compile(r"^[ \t]*#[ \t]*(\w*)(.*)$")


def _eval_condition(expr: str, macros: dict[str, Macro], where: str) -> bool:
    """#if's expression over the file's own macros (an unknown name is refused)."""
    expr = re.sub(r"\bdefined\s*\(\s*(\w+)\s*\)|\bdefined\s+(\w+)",
                  lambda m: "1" if (m.group(1) or m.group(2)) in macros else "0", expr)
    expr = expand(expr, {k: v for k, v in macros.items() if v.params is None})
    for name in _IDENT.findall(expr):
        raise PortError(where, _("#if on a macro this file does not define"),
                        _("{name} would come from a header or the compiler: "
                          "define it in the file or remove the condition").format(name=name))
    py = expr.replace("&&", " and ").replace("||", " or ").replace("/", "//")
    py = re.sub(r"!(?!=)", " not ", py)
    py = re.sub(r"(\d+)[uUlL]+\b", r"\1", py)
    try:
        return bool(eval(py, {"__builtins__": {}}, {}))  # noqa: S307  # digits and operators
    except Exception as exc:  # noqa: BLE001
        raise PortError(where, _("#if expression"), str(exc)) from None


def preprocess(filename: str, text: str) -> Source:
    """Handle the directives; blank them, keeping every line where it is."""
    code, comments = strip_comments(text)
    lines = code.split("\n")
    # a directive continued with backslashes: join it on its first line
    i = 0
    while i < len(lines):
        if _DIRECTIVE.match(lines[i]):
            j = i
            while lines[i].endswith("\\") and j + 1 < len(lines):
                lines[i] = lines[i][:-1] + " " + lines[j + 1]
                lines[j + 1] = ""
                j += 1
            i = j
        i += 1
    src = Source(filename, text, "")
    src.comments = comments
    active: list[tuple[bool, bool]] = []  # (this branch on, some branch taken)

    def on() -> bool:
        return all(a for a, _taken in active)

    for n, line in enumerate(lines, 1):
        m = _DIRECTIVE.match(line)
        where = f"{filename}:{n}:{line.index('#') + 1}" if m else ""
        if not m:
            if not on():
                lines[n - 1] = ""
            continue
        lines[n - 1] = ""
        word, rest = m.group(1), m.group(2).strip()
        if word in ("ifdef", "ifndef"):
            taken = (rest in src.macros) == (word == "ifdef")
            if on() and not taken and rest not in src.macros and word == "ifdef":
                _eval_condition(rest, src.macros, where)  # refuses unknown names
            active.append((taken, taken))
            continue
        if word == "if":
            taken = _eval_condition(rest, src.macros, where) if on() else False
            active.append((taken, taken))
            continue
        if word in ("elif", "else", "endif"):
            if not active:
                raise PortError(where, f"#{word}", _("no #if before it"))
            if word == "endif":
                active.pop()
                continue
            _was, taken = active.pop()
            outer = all(a for a, _t in active)
            now = False
            if not taken:
                now = True if word == "else" else (
                    _eval_condition(rest, src.macros, where) if outer else False)
            active.append((now, taken or now))
            continue
        if not on():
            continue
        if word == "include":
            header = rest.strip("<>\"")
            src.includes.append((n, header))
        elif word == "define":
            dm = re.match(r"(\w+)(\(([^)]*)\))?\s*(.*)$", rest)
            if dm is None:
                raise PortError(where, "#define", _("cannot read it"))
            params = None
            if dm.group(2):
                params = [p.strip() for p in dm.group(3).split(",") if p.strip()]
            mac = Macro(dm.group(1), params, dm.group(4).strip(), n)
            # a function-like macro's # and ## are C's rules (expand() applies them)
            if params is None and "#" in re.sub(r'"(?:\\.|[^"\\])*"', "", mac.body):
                raise PortError(where, _("macro") + f" {mac.name}",
                                _("it pastes or quotes tokens (# or ##), which has no "
                                  "Python form"))
            src.macros[mac.name] = mac
        elif word == "undef":
            src.macros.pop(rest, None)
        elif word == "":
            pass
        else:
            raise PortError(where, f"#{word}",
                            _("only #include, #define, #undef and conditionals are handled"))
    if active:
        raise PortError(f"{filename}:{len(lines)}:1", "#if", _("no #endif"))
    src.code = "\n".join(lines)
    return src
