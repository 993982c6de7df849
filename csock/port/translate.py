"""The translation: pycparser's tree of a C program to Python lines on csock.c,
by C's rules, driven by the declared types."""

from __future__ import annotations

import keyword
import re
from dataclasses import dataclass, field
from typing import Any

from pycparser import c_ast, c_parser  # type: ignore[import-untyped]
from pycparser.c_parser import ParseError  # type: ignore[import-untyped]

from csock.port import ctype as T
from csock.port.cread import Source, expand, preprocess
from csock.port.ctype import CType
from csock.port.messages import PortError, _

# Python's precedence levels (higher binds tighter).
P_WALRUS, P_IF, P_OR, P_AND, P_NOT, P_CMP = 0, 1, 2, 3, 4, 5
P_BOR, P_XOR, P_BAND, P_SHIFT, P_ADD, P_MUL, P_UNARY, P_ATOM = 6, 7, 8, 9, 10, 11, 12, 16

_BINOPS = {"*": P_MUL, "/": P_MUL, "%": P_MUL, "+": P_ADD, "-": P_ADD, "<<": P_SHIFT,
           ">>": P_SHIFT, "&": P_BAND, "^": P_XOR, "|": P_BOR}
_CMP = {"==", "!=", "<", ">", "<=", ">="}
_MASK_NAMES = {1: "UCHAR_MAX", 2: "USHRT_MAX", 4: "UINT_MAX", 8: "ULONG_MAX"}
_RESERVED = {"c", "sys", "os", "new", "cast", "sizeof", "string", "buffer", "NULL", "ch",
             "tochar", "to_signed", "cdiv", "cmod", "literal", "ffi", "main_args", "va_args",
             "from_buffer",
             "addressof", "offsetof", "print", "len", "int", "bytes", "True", "False", "None"}


_VA_MACROS = {"va_start", "va_end", "va_copy", "va_arg"}
# the v... forms of csock.c's printf family: the same call with the va_list spread
_VPRINTF = {"vprintf": "printf", "vfprintf": "fprintf", "vsprintf": "sprintf",
            "vsnprintf": "snprintf"}

# C's lvalues that csock.c reads and assigns live, as c.NAME (never star-imported):
# the thread's errno and h_errno, getopt()'s variables.
_LIVE = {"errno": T.INT, "h_errno": T.INT, "optind": T.INT, "opterr": T.INT,
         "optopt": T.INT, "optarg": T.ptr(T.CHAR)}

_STDLIB_CALLS = {"exit": ("sys", "sys.exit"), "_exit": ("os", "os._exit")}


def _libc() -> tuple[set[str], dict[str, CType]]:
    from csock.port import libc
    return set(libc.__all__), {}


@dataclass
class E:
    """A translated expression: its text, C type, Python precedence, known value."""

    text: str
    type: CType
    prec: int = P_ATOM
    const: int | None = None
    is_cmp: bool = False

    def at(self, prec: int) -> str:
        return self.text if self.prec >= prec else f"({self.text})"


@dataclass
class Var:
    name: str  # in Python
    type: CType
    boxed: bool = False  # a scalar whose address is taken: a one-element cdata
    held: bool = False  # a struct local: a pointer cdata to it (new("struct x *"))
    is_global: bool = False
    func: bool = False


@dataclass
class Line:
    indent: int
    text: str
    cline: int  # the C line it comes from (0: none)


@dataclass
class Loop:
    kind: str  # for, while, do, switch
    next: list[c_ast.Node] = field(default_factory=list)
    cond: c_ast.Node | None = None
    cont_flag: str = ""  # a switch: the flag a continue sets


class Translator:
    def __init__(self, src: Source, keep_going: bool = False) -> None:
        from csock import c as cmod
        from csock._csock import ffi, lib
        self.src = src
        self.keep_going = keep_going
        self.ffi, self.lib = ffi, lib
        self.csock_names = set(cmod.__all__) | set(_LIVE) | cmod.NOT_STARRED
        self.not_starred = cmod.NOT_STARRED
        self.explicit_imports: set[str] = set()  # csock.c names the star import leaves out
        self.libc_names, _unused = _libc()
        self.lines: list[Line] = []
        self.indent = 0
        self.errors: list[PortError] = []
        self.scopes: list[dict[str, Var]] = [{}]
        self.typedefs: dict[str, CType] = {}
        self.structs: dict[str, dict[str, CType]] = {}  # the program's own, by "struct tag"
        self.loops: list[Loop] = []
        self.uses_libc = False
        self.uses_c = False
        self.stdlib: set[str] = set()  # Python modules the port imports
        self.has_main = False
        self.main_params = 0
        self.consumed_comments: set[int] = set()
        self.globals_assigned: set[str] = set()
        self.counter = 0
        self.cur_func_globals: set[str] = set()

    # ------------------------------------------------------------------ helpers

    def where(self, node: c_ast.Node | None) -> str:
        if node is None or node.coord is None:
            return f"{self.src.filename}:0:0"
        return f"{self.src.filename}:{node.coord.line}:{node.coord.column or 1}"

    def refuse(self, node: c_ast.Node | None, construct: str, why: str) -> PortError:
        return PortError(self.where(node), construct, why)

    def emit(self, text: str, cline: int = 0) -> None:
        self.lines.append(Line(self.indent, text, cline))

    def lookup(self, name: str) -> Var | None:
        for scope in reversed(self.scopes):
            if name in scope:
                return scope[name]
        return None

    def pyname(self, name: str) -> str:
        if keyword.iskeyword(name) or name in _RESERVED:
            return name + "_"
        return name

    def mask(self, t: CType) -> str:
        if t.name == "size_t":
            self.uses_libc = True
            return "SIZE_MAX"
        self.uses_libc = True
        return _MASK_NAMES[t.size]

    # ------------------------------------------------------------------ types

    def type_of_decl(self, node: Any) -> CType:
        """A pycparser type node as a CType."""
        if isinstance(node, c_ast.TypeDecl):
            return self.type_of_decl(node.type)
        if isinstance(node, c_ast.PtrDecl):
            return T.ptr(self.type_of_decl(node.type))
        if isinstance(node, c_ast.ArrayDecl):
            n = self.const_value(node.dim) if node.dim is not None else None
            return T.array(self.type_of_decl(node.type), n)
        if isinstance(node, c_ast.FuncDecl):
            params: list[CType] = []
            variadic = False
            if node.args is not None:
                for p in node.args.params:
                    if isinstance(p, c_ast.EllipsisParam):
                        variadic = True
                    elif isinstance(p, (c_ast.Decl, c_ast.Typename)):
                        pt = self.type_of_decl(p.type)
                        if pt.kind != "void":
                            params.append(T.ptr(pt.to) if pt.kind == "array" and pt.to else pt)
            return CType("func", "untyped" if node.args is None else "",
                         to=self.type_of_decl(node.type), params=tuple(params),
                         variadic=variadic)
        if isinstance(node, c_ast.IdentifierType):
            return self.named_type(" ".join(node.names), node)
        if isinstance(node, (c_ast.Struct, c_ast.Union)):
            kw = "struct" if isinstance(node, c_ast.Struct) else "union"
            cname = f"{kw} {node.name}"
            if node.decls is not None:
                self.structs[cname] = {d.name: self.type_of_decl(d.type) for d in node.decls}
            size = 0
            if cname not in self.structs:
                try:
                    size = self.ffi.sizeof(cname)
                except Exception:  # noqa: BLE001
                    size = 0
            return CType("struct", cname, size)
        if isinstance(node, c_ast.Enum):
            return T.INT
        if isinstance(node, c_ast.Typename):
            return self.type_of_decl(node.type)
        raise self.refuse(node, _("this construct"), _("the tool does not handle it yet"))

    def named_type(self, name: str, node: Any = None) -> CType:
        words = name.split()
        canon = {"signed": "int", "unsigned": "unsigned int", "short int": "short",
                 "long int": "long", "unsigned long int": "unsigned long",
                 "long long int": "long long", "signed char": "signed char",
                 "short unsigned int": "unsigned short", "unsigned short int": "unsigned short",
                 "signed int": "int", "long unsigned int": "unsigned long",
                 "signed long": "long", "signed short": "short"}
        spelled = canon.get(name, name)
        if spelled in T.BASIC:
            return T.BASIC[spelled]
        if name in ("jmp_buf", "sigjmp_buf"):
            raise self.refuse(node, _("setjmp/longjmp"),
                              _("a non-local jump has no line-by-line Python form"))
        if name in ("va_list", "__builtin_va_list", "__gnuc_va_list"):
            return T.VA_LIST
        if len(words) == 1:
            if name in self.typedefs:
                return self.typedefs[name]
            if name in T.EXTRA_INTS:
                size, signed = T.EXTRA_INTS[name]
                return T.integer(name, size, signed)
            if name == "FILE":
                return CType("struct", "FILE", 0)
            try:
                found = T.from_cffi(self.ffi, self.ffi.typeof(name))
            except Exception:  # noqa: BLE001
                found = None
            if found is not None:
                # keep the program's spelling (socklen_t, not uint32_t)
                return T.integer(name, found.size, found.signed) if found.is_int else found
        raise self.refuse(node, name, _("unknown name"))

    def field_type(self, struct: CType, name: str, node: Any) -> CType:
        if struct.name in self.structs:
            fields = self.structs[struct.name]
            if name in fields:
                return fields[name]
        else:
            try:
                for fname, f in self.ffi.typeof(struct.name).fields:
                    if fname == name:
                        return T.from_cffi(self.ffi, f.type)
            except Exception:  # noqa: BLE001
                pass
        raise self.refuse(node, f"{struct.name}.{name}", _("unknown name"))

    def const_value(self, node: Any) -> int | None:
        try:
            return self.expr(node).const
        except PortError:
            return None

    # ------------------------------------------------------------------ names

    def name_expr(self, node: c_ast.ID) -> E:
        name = node.name
        var = self.lookup(name)
        if var is not None:
            if var.boxed:
                # a one-element cdata: a plain char in it reads as cffi's bytes
                boxed = E(f"{var.name}[0]", var.type)
                boxed.mem = True  # type: ignore[attr-defined]
                return boxed
            const = getattr(var, "const", None)
            return E(var.name, var.type, const=const)
        if name in _LIVE:
            self.uses_c = True
            return E(f"c.{name}", _LIVE[name])
        if name in self.csock_names:
            if name in self.not_starred:
                self.explicit_imports.add(name)
            value = getattr(self.lib, name, None)
            if isinstance(value, int):
                return E(name, T.INT, P_ATOM, value)
            return E(name, self.csock_type(name))
        if name in self.libc_names:
            self.uses_libc = True
            if name in ("stdin", "stdout", "stderr"):
                return E(name, T.ptr(CType("struct", "FILE")))
            if name.startswith("SIG_"):
                return E(name, T.ptr(CType("func", to=T.VOID, params=(T.INT,))))
            return E(name, T.INT)
        if name in ("NULL",):
            return E("NULL", T.ptr(T.VOID))
        raise self.refuse(node, name, _("{name} is declared nowhere in the file nor in "
                                        "csock.c").format(name=name))

    def csock_type(self, name: str) -> CType:
        lib = self.lib
        for attr in (name, "csock_" + name):
            if hasattr(lib, attr):
                value = getattr(lib, attr)
                if isinstance(value, int):
                    return T.INT
                try:
                    return T.from_cffi(self.ffi, self.ffi.typeof(value))
                except Exception:  # noqa: BLE001
                    break
        if name == "open":
            return CType("func", to=T.INT, params=(T.ptr(T.CHAR), T.INT), variadic=True)
        if name == "fcntl":
            return CType("func", to=T.INT, params=(T.INT, T.INT), variadic=True)
        return T.INT

    # ------------------------------------------------------------------ integers

    @staticmethod
    def promote(t: CType) -> CType:
        if t.kind == "int" and t.size < 4:
            return T.INT
        return t

    def common(self, a: CType, b: CType) -> CType:
        if a.kind == "float" or b.kind == "float":
            return T.DOUBLE
        a, b = self.promote(a), self.promote(b)
        if a.kind != "int" or b.kind != "int":
            return a if a.kind != "int" else b
        if a.signed == b.signed:
            return a if a.size >= b.size else b
        u, s = (a, b) if not a.signed else (b, a)
        if u.size >= s.size:
            return u
        return s

    def convert(self, e: E, to: CType) -> E:
        """e's value as type to (C's conversion): wraps where Python's int would not."""
        if to.kind != "int" or e.type.kind != "int":
            return e
        if e.const is not None:
            lo, hi = (-(1 << (to.bits - 1)), (1 << (to.bits - 1)) - 1) if to.signed else (
                0, (1 << to.bits) - 1)
            if lo <= e.const <= hi:
                return E(e.text, to, e.prec, e.const)
        if to.name == "_Bool":
            return E(f"int(bool({e.text}))", to, P_ATOM)
        if not to.signed:
            fits = (not e.type.signed and e.type.size <= to.size)
            if fits:
                return E(e.text, to, e.prec, e.const)
            val = None if e.const is None else e.const & ((1 << to.bits) - 1)
            return E(f"{e.at(P_UNARY)} & {self.mask(to)}", to, P_BAND, val)
        fits = e.type.size < to.size or (e.type.size == to.size and e.type.signed)
        if fits:
            return E(e.text, to, e.prec, e.const)
        self.uses_libc = True
        return E(f"to_signed({e.text}, {to.bits})", to, P_ATOM)

    def as_int(self, e: E, ctx: str = "arith") -> E:
        """A char read from memory (cffi's bytes) or a comparison, as an int."""
        if e.type.name == "char" and e.type.kind == "int" and getattr(e, "mem", False):
            self.uses_libc = True
            return E(f"ch({e.text})", e.type, P_ATOM)
        if e.is_cmp and ctx == "arith":
            return E(f"int({e.text})", T.INT, P_ATOM)
        return e

    # ------------------------------------------------------------------ expressions

    def expr(self, node: Any, ctx: str = "value") -> E:  # noqa: C901
        """ctx: value (any use), cond (truth only), arith (an operand of arithmetic)."""
        if isinstance(node, c_ast.Constant):
            return self.constant(node)
        if isinstance(node, c_ast.ID):
            return self.name_expr(node)
        if isinstance(node, c_ast.BinaryOp):
            return self.binary(node, ctx)
        if isinstance(node, c_ast.UnaryOp):
            return self.unary(node, ctx)
        if isinstance(node, c_ast.Assignment):
            return self.assign_expr(node)
        if isinstance(node, c_ast.TernaryOp):
            c = self.expr(node.cond, "cond")
            a, b = self.value(node.iftrue), self.value(node.iffalse)
            t = self.common(a.type, b.type) if a.type.kind == "int" == b.type.kind else a.type
            if t.kind == "int" and a.type.kind == "int" == b.type.kind:
                a, b = self.convert(self.as_int(a), t), self.convert(self.as_int(b), t)
            return E(f"{a.at(P_IF + 1)} if {c.at(P_IF + 1)} else {b.at(P_IF)}", t, P_IF)
        if isinstance(node, c_ast.Cast):
            return self.cast(node)
        if isinstance(node, c_ast.FuncCall):
            return self.call(node)
        if isinstance(node, c_ast.StructRef):
            return self.structref(node)
        if isinstance(node, c_ast.ArrayRef):
            base = self.value(node.name)
            index = self.value(node.subscript)
            if not base.type.is_pointerish:
                base, index = index, base
            item = base.type.to or T.INT
            r = E(f"{base.at(P_ATOM)}[{index.text}]", item)
            r.mem = True  # type: ignore[attr-defined]
            return r
        if isinstance(node, c_ast.ExprList):
            parts = [self.expr(x) for x in node.exprs]
            if len(parts) == 1:
                return parts[0]
            return E(f"({', '.join(p.text for p in parts)})[-1]", parts[-1].type)
        if isinstance(node, c_ast.Typename):
            raise self.refuse(node, "type", _("the tool does not handle it yet"))
        raise self.refuse(node, type(node).__name__, _("the tool does not handle it yet"))

    def value(self, node: Any) -> E:
        """An expression used as a value (a plain char from memory becomes its int)."""
        return self.as_int(self.expr(node), "value")

    def constant(self, node: c_ast.Constant) -> E:
        v = node.value
        if node.type == "string":
            return E("b" + self.pybytes(node.value), T.array(T.CHAR, len(self.cbytes(v)) + 1))
        if node.type == "char":
            data = self.cbytes(v[1:-1].replace('"', '\\"'), quote="'")
            code = data[0] if data else 0
            code = code - 256 if code > 127 else code
            ch = chr(code) if 32 <= code < 127 else None
            if ch is not None and ch not in "\\\"'":
                return E(f'ord("{ch}")', T.INT, P_ATOM, code)
            return E(str(code), T.INT, P_ATOM if code >= 0 else P_UNARY, code)
        if node.type in ("double", "float"):
            return E(v.rstrip("fFlL"), T.DOUBLE)
        text = v.rstrip("uUlL")
        suffix = v[len(text):].lower()
        if text.startswith(("0x", "0X")):
            num = int(text, 16)
        elif text.startswith(("0b", "0B")):
            num = int(text, 2)
        elif len(text) > 1 and text.startswith("0"):
            num = int(text, 8)
            text = "0o" + text[1:]
        else:
            num = int(text)
        decimal = text.isdigit()
        unsigned = "u" in suffix
        longish = "l" in suffix
        # C's rule for an integer constant's type
        if not longish and num < 2**31 and not unsigned:
            t = T.INT
        elif not longish and not unsigned and num < 2**32 and not decimal:
            t = T.UINT
        elif not longish and unsigned and num < 2**32:
            t = T.UINT
        elif not unsigned and num < 2**63:
            t = T.LONG
        else:
            t = T.ULONG
        return E(text, t, P_ATOM, num)

    _ESC = {"n": 10, "t": 9, "r": 13, "0": 0, "\\": 92, "'": 39, '"': 34, "a": 7, "b": 8,
            "f": 12, "v": 11, "?": 63, "e": 27}

    def cbytes(self, literal: str, quote: str = '"') -> bytes:
        body = literal[1:-1] if literal.startswith('"') and quote == '"' else literal
        out = bytearray()
        i = 0
        raw = body.encode("utf-8")
        while i < len(raw):
            ch = raw[i]
            if ch != 92:
                out.append(ch)
                i += 1
                continue
            nxt = chr(raw[i + 1])
            if nxt in "01234567":
                m = re.match(rb"[0-7]{1,3}", raw[i + 1:])
                assert m is not None
                out.append(int(m.group(0), 8) & 0xFF)
                i += 1 + len(m.group(0))
            elif nxt == "x":
                m = re.match(rb"[0-9a-fA-F]+", raw[i + 2:])
                assert m is not None
                out.append(int(m.group(0), 16) & 0xFF)
                i += 2 + len(m.group(0))
            else:
                out.append(self._ESC.get(nxt, ord(nxt)))
                i += 2
        return bytes(out)

    def pybytes(self, literal: str) -> str:
        """A C string literal (adjacent ones already joined) as Python bytes text."""
        data = self.cbytes(literal)
        out = []
        for i, b in enumerate(data):
            if b == 34:
                out.append('\\"')
            elif b == 92:
                out.append("\\\\")
            elif b == 10:
                out.append("\\n")
            elif b == 9:
                out.append("\\t")
            elif b == 13:
                out.append("\\r")
            elif 32 <= b < 127:
                out.append(chr(b))
            elif b == 0 and (i + 1 == len(data) or not 48 <= data[i + 1] <= 55):
                out.append("\\0")
            else:
                out.append(f"\\x{b:02x}")
        return '"' + "".join(out) + '"'

    def binary(self, node: c_ast.BinaryOp, ctx: str) -> E:
        op = node.op
        if op in ("&&", "||"):
            a, b = self.expr(node.left, "cond"), self.expr(node.right, "cond")
            pyop, prec = ("and", P_AND) if op == "&&" else ("or", P_OR)
            text = f"{a.at(prec)} {pyop} {b.at(prec + 1)}"
            if ctx == "cond":
                return E(text, T.INT, prec)
            return E(f"int(bool({text}))", T.INT, P_ATOM)
        a, b = self.expr(node.left), self.expr(node.right)
        if op in _CMP:
            for x, y in ((a, b), (b, a)):
                if op in ("==", "!=") and getattr(x, "mem", False) and x.type.name == "char" \
                        and y.const is not None and 0 <= y.const < 128 and y.type == T.INT:
                    lit = "b" + self.pybytes('"' + (chr(y.const) if 32 <= y.const < 127
                                                     and chr(y.const) not in "\\\"" else
                                                     f"\\{y.const:o}") + '"')
                    left, right = (x.text, lit) if x is a else (lit, x.text)
                    return E(f"{left} {op} {right}", T.INT, P_CMP, is_cmp=True)
            if a.type.kind == "int" and b.type.kind == "int":
                t = self.common(a.type, b.type)
                a, b = self.convert(self.as_int(a), t), self.convert(self.as_int(b), t)
            else:
                a, b = self.as_int(a), self.as_int(b)
            text = f"{a.at(P_CMP + 1)} {op} {b.at(P_CMP + 1)}"
            return E(text, T.INT, P_CMP, is_cmp=True)
        a, b = self.as_int(a), self.as_int(b)
        # pointer arithmetic: cffi does it as C does
        if a.type.is_pointerish or b.type.is_pointerish:
            if op == "-" and a.type.is_pointerish and b.type.is_pointerish:
                return E(f"{a.at(P_ADD)} - {b.at(P_ADD + 1)}", integer_ptrdiff(), P_ADD)
            p = a if a.type.is_pointerish else b
            assert p.type.to is not None
            t = T.ptr(p.type.to)
            return E(f"{a.at(P_ADD)} {op} {b.at(P_ADD + 1)}", t, P_ADD)
        if a.type.kind == "float" or b.type.kind == "float":
            prec = _BINOPS[op]
            return E(f"{a.at(prec)} {op} {b.at(prec + 1)}", T.DOUBLE, prec)
        if op in ("<<", ">>"):
            t = self.promote(a.type)
            a = self.convert(a, t)
        else:
            t = self.common(a.type, b.type)
            a, b = self.convert(a, t), self.convert(b, t)
        const = None
        if a.const is not None and b.const is not None:
            try:
                const = _fold(op, a.const, b.const, t)
            except ZeroDivisionError:
                const = None
        prec = _BINOPS[op]
        if op in ("/", "%"):
            nonneg = not t.signed or (a.const is not None and a.const >= 0
                                      and b.const is not None and b.const > 0)
            if nonneg:
                pyop = "//" if op == "/" else "%"
                return E(f"{a.at(prec)} {pyop} {b.at(prec + 1)}", t, prec, const)
            self.uses_libc = True
            fn = "cdiv" if op == "/" else "cmod"
            return E(f"{fn}({a.text}, {b.text})", t, P_ATOM, const)
        r = E(f"{a.at(prec)} {op} {b.at(prec + 1)}", t, prec, const)
        if not t.signed and op in ("+", "-", "*", "<<"):
            if const is None or not 0 <= const < (1 << t.bits):
                return E(f"({r.text}) & {self.mask(t)}", t, P_BAND, const)
        return r

    def unary(self, node: c_ast.UnaryOp, ctx: str) -> E:
        op = node.op
        if op == "sizeof":
            return self.sizeof(node.expr)
        if op == "&":
            return self.address(node.expr)
        if op == "*":
            p = self.value(node.expr)
            item = p.type.to if p.type.is_pointerish and p.type.to else T.INT
            if item.kind == "func":
                return p
            r = E(f"{p.at(P_ATOM)}[0]", item)
            r.mem = True  # type: ignore[attr-defined]
            return r
        if op == "!":
            e = self.expr(node.expr, "cond")
            text = f"not {e.at(P_NOT)}"
            if ctx == "cond":
                return E(text, T.INT, P_NOT)
            return E(f"int({text})", T.INT, P_ATOM)
        if op in ("p++", "p--", "++", "--"):
            return self.incdec_expr(node)
        e = self.as_int(self.value(node.expr))
        t = self.promote(e.type) if e.type.kind == "int" else e.type
        e = self.convert(e, t)
        if op == "+":
            return e
        pyop = "-" if op == "-" else "~"
        const = None
        if e.const is not None:
            const = -e.const if op == "-" else ~e.const
        r = E(f"{pyop}{e.at(P_UNARY)}", t, P_UNARY, const)
        if t.kind == "int" and not t.signed:
            if const is None or not 0 <= const < (1 << t.bits):
                return E(f"{r.at(P_BAND + 1)} & {self.mask(t)}", t, P_BAND,
                         None if const is None else const & ((1 << t.bits) - 1))
        return r

    def address(self, node: Any) -> E:
        if isinstance(node, c_ast.ID):
            var = self.lookup(node.name)
            if var is not None and (var.boxed or var.held):
                return E(var.name, T.ptr(var.type))
            if var is not None and var.type.kind == "array":
                return E(var.name, T.ptr(var.type))
            if var is not None and var.func:
                return E(var.name, T.ptr(var.type))
            raise self.refuse(node, f"&{node.name}", _("the tool does not handle it yet"))
        if isinstance(node, c_ast.UnaryOp) and node.op == "*":
            return self.value(node.expr)
        if isinstance(node, c_ast.ArrayRef):
            base, index = self.value(node.name), self.value(node.subscript)
            t = T.ptr(base.type.to or T.INT)
            if index.const == 0:
                return E(f"{base.at(P_ATOM)} + 0", t, P_ADD)
            return E(f"{base.at(P_ADD)} + {index.at(P_ADD + 1)}", t, P_ADD)
        if isinstance(node, c_ast.StructRef):
            e = self.structref(node)
            return E(f'addressof({self.struct_base(node)}, "{node.field.name}")',
                     T.ptr(e.type), P_ATOM)
        raise self.refuse(node, "&", _("the tool does not handle it yet"))

    def struct_base(self, node: c_ast.StructRef) -> str:
        # addressof() takes the struct's pointer itself (p->f, or a struct held in new())
        base = self.expr(node.name)
        if node.type == "->":
            return base.at(P_ATOM)
        if isinstance(node.name, c_ast.ID):
            var = self.lookup(node.name.name)
            if var is not None and var.held:
                return var.name
        return base.text

    def structref(self, node: c_ast.StructRef) -> E:
        base = self.expr(node.name)
        st = base.type
        if node.type == "->":
            st = st.to if st.to is not None else st
        fname = node.field.name
        if fname == "h_addr" and st.name == "struct hostent":
            return E(f"h_addr({base.text})", T.ptr(T.CHAR), P_ATOM)
        ft = self.field_type(st, fname, node)
        r = E(f"{base.at(P_ATOM)}.{fname}", ft)
        r.mem = True  # type: ignore[attr-defined]
        return r

    def sizeof(self, node: Any) -> E:
        if isinstance(node, c_ast.Typename):
            t = self.type_of_decl(node.type)
            return E(f'sizeof("{t.spelling()}")', T.SIZE_T, P_ATOM, self.size_value(t))
        if isinstance(node, c_ast.ID):
            var = self.lookup(node.name)
            if var is not None and var.held:
                return E(f"sizeof({var.name}[0])", T.SIZE_T, P_ATOM, self.size_value(var.type))
            if var is not None and var.type.kind == "array":
                return E(f"sizeof({var.name})", T.SIZE_T, P_ATOM, self.size_value(var.type))
        e = self.expr(node)
        if e.type.kind == "array" and isinstance(node, c_ast.Constant):
            return E(str(e.type.length), T.SIZE_T, P_ATOM, e.type.length)
        if e.type.kind == "array" and isinstance(node, c_ast.StructRef):
            # a member array: its own size (a length the tool cannot compute stays right)
            return E(f"sizeof({e.text})", T.SIZE_T, P_ATOM, self.size_value(e.type))
        return E(f'sizeof("{e.type.spelling()}")', T.SIZE_T, P_ATOM, self.size_value(e.type))

    def offsetof(self, typename: c_ast.Typename, member: Any) -> E:
        """offsetof(TYPE, a.b[2]): csock.c's offsetof("TYPE", "a", "b", 2)."""
        t = self.type_of_decl(typename.type)
        path: list[str] = []
        while not isinstance(member, c_ast.ID):
            if isinstance(member, c_ast.StructRef) and member.type == ".":
                path.insert(0, f'"{member.field.name}"')
                member = member.name
            elif isinstance(member, c_ast.ArrayRef):
                path.insert(0, self.value(member.subscript).text)
                member = member.name
            else:
                raise self.refuse(member, "offsetof", _("the tool does not handle it yet"))
        path.insert(0, f'"{member.name}"')
        return E(f'offsetof("{t.spelling()}", {", ".join(path)})', T.SIZE_T, P_ATOM)

    def size_value(self, t: CType) -> int | None:
        if t.kind == "array" and t.length is not None and t.to is not None:
            inner = self.size_value(t.to)
            return None if inner is None else inner * t.length
        if t.kind == "struct":
            try:
                return int(self.ffi.sizeof(t.name))
            except Exception:  # noqa: BLE001  # the program's own struct
                return None
        return t.size or None

    def cast(self, node: c_ast.Cast) -> E:
        to = self.type_of_decl(node.to_type.type)
        e = self.value(node.expr)
        if to.kind == "void":
            return e
        if to.kind == "int" and e.type.kind == "int":
            return self.convert(e, to)
        if to.kind == "int" and e.type.is_pointerish:
            return E(f'int(cast("{to.spelling()}", {e.text}))', to, P_ATOM)
        if to.kind == "float":
            return E(f"float({e.text})", to, P_ATOM)
        if to.kind == "int" and e.type.kind == "float":
            return E(f"int({e.text})", to, P_ATOM)
        return E(f'cast("{to.spelling()}", {e.text})', to, P_ATOM)

    def call(self, node: c_ast.FuncCall) -> E:
        if not isinstance(node.name, c_ast.ID):
            f = self.expr(node.name)
            if f.type.kind == "ptr" and f.type.to is not None and f.type.to.kind == "func":
                ft = f.type.to
            else:
                raise self.refuse(node, _("function pointer"),
                                  _("a call through a pointer whose type the tool cannot tell"))
            fname = f.at(P_ATOM)
        else:
            name = node.name.name
            if name in _VA_MACROS and self.lookup(name) is None:
                if name == "va_arg":
                    raise self.refuse(node, "va_arg", _(_VA_ARG_WHY))
                raise self.refuse(node, name, _("it is a statement of its own in a line-by-line "
                                                "port, not part of an expression"))
            if name in _VPRINTF and self.lookup(name) is None:
                return self.vprintf_call(node, name)
            if name == "offsetof" and self.lookup(name) is None and node.args is not None \
                    and len(node.args.exprs) == 2 \
                    and isinstance(node.args.exprs[0], c_ast.Typename):
                return self.offsetof(node.args.exprs[0], node.args.exprs[1])
            if name in ("setjmp", "longjmp", "sigsetjmp", "siglongjmp"):
                raise self.refuse(node, _("setjmp/longjmp"),
                                  _("a non-local jump has no line-by-line Python form"))
            f = self.name_expr(node.name)
            ft = f.type
            if ft.kind == "ptr" and ft.to is not None and ft.to.kind == "func":
                ft = ft.to
                if ft.name == "untyped":
                    raise self.refuse(node, _("function pointer"),
                                      _("a call through a pointer whose type the tool "
                                        "cannot tell"))
            elif ft.kind != "func" and name not in self.libc_names:
                var = self.lookup(name)
                if var is not None:
                    raise self.refuse(node, _("function pointer"),
                                      _("a call through a pointer whose type the tool "
                                        "cannot tell"))
            fname = f.text
            if name in _STDLIB_CALLS and self.lookup(name) is None:
                # exit() and _exit() as Python spells them (same status, same flushing)
                module, fname = _STDLIB_CALLS[name]
                self.stdlib.add(module)
        args = node.args.exprs if node.args is not None else []
        params = ft.params if ft.kind == "func" else ()
        texts = []
        user = self.lookup(fname) is not None
        for i, a in enumerate(args):
            pt = params[i] if i < len(params) else None
            if isinstance(a, c_ast.Constant) and a.type == "string" and not user:
                texts.append("b" + self.pybytes(a.value))
                continue
            e = self.value(a)
            if e.type.kind == "array" and isinstance(a, c_ast.Constant):
                e = E(f'new("char[]", {e.text})', e.type, P_ATOM)
            if pt is not None and pt.kind == "int" and e.type.kind == "int":
                e = self.convert(e, pt)
            texts.append(e.text)
        ret = ft.to if ft.kind == "func" and ft.to is not None else T.INT
        return E(f"{fname}({', '.join(texts)})", ret, P_ATOM)

    # -- assignment and ++/-- inside expressions (Python's :=)

    def simple_target(self, node: Any) -> Var | None:
        if isinstance(node, c_ast.ID):
            var = self.lookup(node.name)
            if var is not None and not var.boxed and not var.held:
                return var
        return None

    def assign_expr(self, node: c_ast.Assignment) -> E:
        var = self.simple_target(node.lvalue)
        if var is not None and var.is_global:
            self.cur_func_globals.add(var.name)
        if var is None:
            raise self.refuse(node, _("assignment inside an expression"),
                              _("only a plain variable can be assigned inside an expression "
                                "(Python's :=)"))
        rhs = self.rhs(node, var.type)
        return E(f"({var.name} := {rhs.text})", var.type, P_ATOM)

    def rhs(self, node: c_ast.Assignment, t: CType) -> E:
        """The value an assignment stores (compound operators computed by C's rules)."""
        if node.op == "=":
            e = self.value(node.rvalue)
            if isinstance(node.rvalue, c_ast.Constant) and node.rvalue.type == "string":
                e = E(f'new("char[]", {e.text})', e.type, P_ATOM)
        else:
            e = self.binary(c_ast.BinaryOp(node.op[:-1], node.lvalue, node.rvalue,
                                           node.coord), "value")
        return self.convert(e, t) if t.kind == "int" and e.type.kind == "int" else e

    def incdec_expr(self, node: c_ast.UnaryOp) -> E:
        var = self.simple_target(node.expr)
        if var is None:
            raise self.refuse(node, _("assignment inside an expression"),
                              _("only a plain variable can be assigned inside an expression "
                                "(Python's :=)"))
        if var.is_global:
            self.cur_func_globals.add(var.name)
        op = "+" if "++" in node.op else "-"
        one = c_ast.Constant("int", "1", node.coord)
        new = self.rhs(c_ast.Assignment(op + "=", node.expr, one, node.coord), var.type)
        if node.op.startswith("p"):
            back = "-" if op == "+" else "+"
            if var.type.kind == "int" and not var.type.signed:
                return E(f"({var.name} := {new.text}) {back} 1 & {self.mask(var.type)}",
                         var.type, P_BAND)
            if var.type.kind == "int" and var.type.size < 4:
                raise self.refuse(node, node.op.strip("p"), _("the tool does not handle it yet"))
            return E(f"({var.name} := {new.text}) {back} 1", var.type, P_ADD)
        return E(f"({var.name} := {new.text})", var.type, P_ATOM)

    # ------------------------------------------------------------------ statements

    def lvalue(self, node: Any) -> tuple[str, CType, bool]:
        """(text, type, is a plain char in memory)."""
        if isinstance(node, c_ast.ID) and node.name in _LIVE and self.lookup(node.name) is None:
            self.uses_c = True
            return f"c.{node.name}", _LIVE[node.name], False
        e = self.expr(node)
        return e.text, e.type, bool(getattr(e, "mem", False)) and e.type.name == "char"

    def store(self, node: c_ast.Node, target: Any, value: E, cline: int) -> None:
        text, t, mem_char = self.lvalue(target)
        value = self.implicit(value, t)
        if isinstance(target, c_ast.ID):
            var = self.lookup(target.name)
            if var is not None and var.held:
                text = f"{var.name}[0]"
            if var is not None and var.is_global and not var.boxed and not var.held:
                self.cur_func_globals.add(var.name)
        if mem_char:
            if isinstance(value.const, int) and value.text.startswith("ord("):
                value = E("b" + value.text[4:-1], t)
            else:
                self.uses_libc = True
                value = E(f"tochar({value.text})", t, P_ATOM)
        self.emit(f"{text} = {value.text}", cline)

    def statement(self, node: Any) -> None:  # noqa: C901
        line = node.coord.line if node is not None and node.coord else 0
        try:
            self._statement(node, line)
        except PortError as err:
            if not self.keep_going:
                raise
            self.errors.append(err)
            for k in _c_lines(self.src, node):
                self.consumed_comments.add(k)
            self.emit(f"# {_('untranslated')} ({self.src.filename}:{line}): {err.why}", line)
            self.emit("pass", line)

    def _statement(self, node: Any, line: int) -> None:  # noqa: C901
        self.comments_before(line)
        if isinstance(node, c_ast.Compound):
            for item in node.block_items or []:
                self.statement(item)
            return
        if isinstance(node, c_ast.Decl):
            self.local_decl(node)
            return
        if isinstance(node, c_ast.DeclList):
            for d in node.decls:
                self.local_decl(d)
            return
        if isinstance(node, c_ast.Assignment):
            var = self.simple_target(node.lvalue)
            if node.op != "=" and var is not None and var.type.kind in ("ptr",) or (
                    node.op != "=" and var is not None and var.type.kind == "int"
                    and var.type.signed and var.type.size >= 4 and node.op in ("+=", "-=",
                                                                               "*=", "|=",
                                                                               "&=", "^=",
                                                                               "<<=", ">>=")):
                if var.is_global:
                    self.cur_func_globals.add(var.name)
                r = self.value(node.rvalue)
                if var.type.kind == "int" and r.type.kind == "int":
                    t = self.common(var.type, r.type)
                    if t == var.type or t.signed:
                        self.emit(f"{var.name} {node.op} {self.convert(r, var.type).text}"
                                  if t == var.type else f"{var.name} {node.op} {r.text}",
                                  line)
                        return
                elif var.type.kind == "ptr":
                    self.emit(f"{var.name} {node.op} {r.text}", line)
                    return
            _text, t, _m = self.lvalue(node.lvalue)
            if node.op != "=" and t.kind == "int" and not t.signed and node.op in ("+=",) \
                    and var is not None:
                pass
            value = self.rhs(node, t)
            if node.op == "=" and t.kind == "struct":
                value = self.value(node.rvalue)
                if isinstance(node.rvalue, c_ast.ID):
                    rv = self.lookup(node.rvalue.name)
                    if rv is not None and rv.held:
                        value = E(f"{rv.name}[0]", rv.type)
            self.store(node, node.lvalue, value, line)
            return
        if isinstance(node, c_ast.UnaryOp) and node.op in ("p++", "++", "p--", "--"):
            op = "+=" if "++" in node.op else "-="
            self._statement(c_ast.Assignment(op, node.expr, c_ast.Constant("int", "1"),
                                             node.coord), line)
            return
        if isinstance(node, c_ast.Cast) and self.type_of_decl(node.to_type.type).kind == "void":
            e = self.value(node.expr)
            if isinstance(node.expr, c_ast.FuncCall):
                self.emit(e.text, line)
            else:
                self.emit(f"_ = {e.text}", line)
            return
        if isinstance(node, (c_ast.FuncCall,)):
            if isinstance(node.name, c_ast.ID) and node.name.name in _VA_MACROS:
                self.va_statement(node, line)
                return
            self.emit(self.expr(node).text, line)
            return
        if isinstance(node, c_ast.If):
            self.if_chain(node, line, "if")
            return
        if isinstance(node, c_ast.While):
            self.emit(f"while {self.cond(node.cond)}:", line)
            self.loops.append(Loop("while"))
            self.body(node.stmt)
            self.loops.pop()
            return
        if isinstance(node, c_ast.DoWhile):
            self.emit("while True:", line)
            self.loops.append(Loop("do", cond=node.cond))
            self.body(node.stmt, end=False)
            self.indent += 1
            cl = node.cond.coord.line if node.cond.coord else line
            self.emit(f"if not ({self.cond(node.cond)}):", cl)
            self.indent += 1
            self.emit("break", cl)
            self.indent -= 2
            self.loops.pop()
            return
        if isinstance(node, c_ast.For):
            if node.init is not None:
                if isinstance(node.init, c_ast.ExprList):
                    for x in node.init.exprs:
                        self._statement(x, line)
                else:
                    self._statement(node.init, line)
            cond = self.cond(node.cond) if node.cond is not None else "True"
            self.emit(f"while {cond}:", line)
            nxt = []
            if node.next is not None:
                nxt = list(node.next.exprs) if isinstance(node.next, c_ast.ExprList) \
                    else [node.next]
            self.loops.append(Loop("for", next=nxt))
            self.body(node.stmt, end=False)
            self.indent += 1
            last = next((ln for ln in reversed(self.lines)
                         if ln.text and not ln.text.startswith("#")), None)
            ends = last is not None and last.indent == self.indent and (
                last.text in ("break", "continue") or last.text.startswith(
                    ("return", "sys.exit(", "raise ")))
            if not ends:  # after a body that always leaves, the step is never reached
                for x in nxt:
                    self._statement(x, line)
            self.indent -= 1
            self.loops.pop()
            return
        if isinstance(node, c_ast.Continue):
            self.do_continue(line)
            return
        if isinstance(node, c_ast.Break):
            self.emit("break", line)
            return
        if isinstance(node, c_ast.Return):
            if node.expr is None:
                self.emit("return", line)
            else:
                e = self.value(node.expr)
                if self.ret_type.kind == "int" and e.type.kind == "int":
                    e = self.convert(e, self.ret_type)
                self.emit(f"return {e.text}", line)
            return
        if isinstance(node, c_ast.Switch):
            self.switch(node, line)
            return
        if isinstance(node, c_ast.EmptyStatement):
            self.emit("pass", line)
            return
        if isinstance(node, c_ast.Label):  # the gotos to it are refused; it is harmless
            self._statement(node.stmt, line)
            return
        if isinstance(node, c_ast.Goto):
            raise self.refuse(node, _("goto"),
                              _("Python has no jump to a label: rewrite it as a loop, break "
                                "or a function"))
        if isinstance(node, c_ast.Pragma):
            return
        e = self.expr(node)
        if isinstance(node, c_ast.Assignment) or e.text.startswith("("):
            self.emit(f"_ = {e.text}", line)
        else:
            self.emit(f"_ = {e.text}", line)

    def va_list_name(self, node: Any) -> str:
        """The va_list variable a va_* macro or a v...printf call is given."""
        var = self.lookup(node.name) if isinstance(node, c_ast.ID) else None
        if var is None or var.type != T.VA_LIST:
            raise self.refuse(node, "va_list",
                              _("only a local va_list variable can hold the variable "
                                "arguments"))
        return var.name

    def va_statement(self, node: c_ast.FuncCall, line: int) -> None:
        """va_start(ap, last): ap is the tuple of the variable arguments; va_copy(d, s):
        d is s; va_end(ap): ap holds nothing any more."""
        name = node.name.name
        args = node.args.exprs if node.args is not None else []
        if name == "va_arg":
            self.expr(node)  # refused there
        if name == "va_start":
            if not self.variadic:
                raise self.refuse(node, "va_start",
                                  _("{name} has no variable arguments (...)").format(
                                      name=self.func_name))
            self.emit(f"{self.va_list_name(args[0])} = va_args", line)
        elif name == "va_copy":
            self.emit(f"{self.va_list_name(args[0])} = {self.va_list_name(args[1])}", line)
        else:  # va_end
            self.emit(f"{self.va_list_name(args[0])} = ()", line)

    def vprintf_call(self, node: c_ast.FuncCall, name: str) -> E:
        """vprintf(fmt, ap) is printf(fmt, *ap): csock.c's printf family converts each
        argument as its conversion says, as the v form does with the va_list."""
        args = list(node.args.exprs if node.args is not None else [])
        if not args:
            raise self.refuse(node, name, _("the tool does not handle it yet"))
        ap = self.va_list_name(args[-1])
        plain = c_ast.FuncCall(c_ast.ID(_VPRINTF[name], node.name.coord),
                               c_ast.ExprList(args[:-1], node.coord), node.coord)
        e = self.call(plain)
        return E(f"{e.text[:-1]}, *{ap})", e.type, P_ATOM)

    def cond(self, node: Any) -> str:
        e = self.expr(node, "cond")
        if getattr(e, "mem", False) and e.type.name == "char":
            return f"{self.as_int(e).text} != 0"
        return e.text

    def do_continue(self, line: int) -> None:
        for depth, loop in enumerate(reversed(self.loops)):
            if loop.kind == "switch":
                if not loop.cont_flag:
                    self.counter += 1
                    loop.cont_flag = f"continue_{self.counter}"
                self.emit(f"{loop.cont_flag} = True", line)
                self.emit("break", line)
                return
            if loop.kind == "for":
                for x in loop.next:
                    self._statement(x, line)
                self.emit("continue", line)
                return
            if loop.kind == "do":
                assert loop.cond is not None
                self.emit(f"if {self.cond(loop.cond)}:", line)
                self.indent += 1
                self.emit("continue", line)
                self.indent -= 1
                self.emit("break", line)
                return
            if loop.kind == "while":
                self.emit("continue", line)
                return
            del depth
        self.emit("continue", line)

    def body(self, node: Any, end: bool = True) -> None:
        self.indent += 1
        before = len(self.lines)
        self.statement(node)
        if len(self.lines) == before or all(
                ln.text.startswith("#") for ln in self.lines[before:]):
            self.emit("pass", node.coord.line if node.coord else 0)
        self.indent -= 1

    def if_chain(self, node: c_ast.If, line: int, word: str) -> None:
        cond = node.cond
        first = cond.left if isinstance(cond, c_ast.BinaryOp) and cond.op in (
            "==", "!=", "<", ">", "<=", ">=") else cond
        if word == "if" and isinstance(first, c_ast.Assignment) and \
                self.simple_target(first.lvalue) is None:
            # if ((x[0] = f()) == -1): := cannot store into memory; the store is
            # evaluated first anyway, so it comes out just above the if
            self._statement(first, line)
            cond = first.lvalue if first is cond else c_ast.BinaryOp(
                cond.op, first.lvalue, cond.right, cond.coord)
        self.emit(f"{word} {self.cond(cond)}:", line)
        self.body(node.iftrue)
        if node.iffalse is not None:
            fl = node.iffalse.coord.line if node.iffalse.coord else line
            if isinstance(node.iffalse, c_ast.If):
                self.comments_before(fl)
                self.if_chain(node.iffalse, fl, "elif")
            else:
                self.emit("else:", fl)
                self.body(node.iffalse)

    def switch(self, node: c_ast.Switch, line: int) -> None:
        e = self.value(node.cond)
        self.counter += 1
        sw = f"switch_{self.counter}"
        fall = f"fall_{self.counter}"
        cases = [x for x in (node.stmt.block_items or [])
                 if isinstance(x, (c_ast.Case, c_ast.Default))]
        labels = [self.value(c.expr).text for c in cases if isinstance(c, c_ast.Case)]
        self.emit(f"{sw} = {e.text}", line)
        self.emit(f"{fall} = False", line)
        self.emit("while True:", line)
        self.indent += 1
        loop = Loop("switch")
        self.loops.append(loop)
        for case in cases:
            cl = case.coord.line if case.coord else line
            if isinstance(case, c_ast.Case):
                test = f"{sw} == {self.value(case.expr).at(P_CMP + 1)}"
            else:
                test = f"{sw} not in ({', '.join(labels)}{',' if len(labels) == 1 else ''})"
            self.emit(f"if {fall} or {test}:", cl)
            self.indent += 1
            self.emit(f"{fall} = True", cl)
            for s in case.stmts or []:
                self.statement(s)
            self.indent -= 1
        self.emit("break", line)
        self.indent -= 1
        self.loops.pop()
        if loop.cont_flag:
            self.lines.insert(len(self.lines) - 0, Line(self.indent, "", 0))
            self.lines.pop()
            # the flag is set before the switch and read after it
            idx = next(i for i in range(len(self.lines) - 1, -1, -1)
                       if self.lines[i].text == f"{sw} = {e.text}")
            self.lines.insert(idx, Line(self.indent, f"{loop.cont_flag} = False", line))
            self.emit(f"if {loop.cont_flag}:", line)
            self.indent += 1
            self.do_continue(line)
            self.indent -= 1

    # ------------------------------------------------------------------ declarations

    def init_value(self, t: CType, init: Any, node: Any) -> str:
        if isinstance(init, c_ast.InitList):
            return self.init_list(t, init)
        if isinstance(init, c_ast.Constant) and init.type == "string":
            if t.kind == "ptr":
                # a pointer in an array or a struct: cffi takes no bytes there, and the
                # literal must outlive the statement, as C's static literal does
                self.uses_libc = True
                return f"literal(b{self.pybytes(init.value)})"
            return "b" + self.pybytes(init.value)
        e = self.implicit(self.value(init), t)
        if t.kind == "int" and e.type.kind == "int":
            e = self.convert(e, t)
        return e.text

    def implicit(self, e: E, t: CType) -> E:
        """C converts void * to any object pointer silently; cffi needs the cast."""
        if t.kind == "ptr" and t.to is not None and t.to.kind not in ("void", "func") \
                and e.type.kind == "ptr" and e.type.to is not None \
                and e.type.to.kind == "void" and e.text != "NULL":
            return E(f'cast("{t.spelling()}", {e.text})', t, P_ATOM)
        return e

    def init_list(self, t: CType, init: c_ast.InitList) -> str:
        items = []
        named = False
        for x in init.exprs:
            if isinstance(x, c_ast.NamedInitializer):
                named = True
                key = x.name[0].name if isinstance(x.name[0], c_ast.ID) else None
                if key is None:
                    raise self.refuse(x, _("this construct"), _("the tool does not handle it yet"))
                ft = self.field_type(t, key, x) if t.kind == "struct" else (t.to or T.INT)
                items.append(f'"{key}": {self.init_value(ft, x.expr, x)}')
            else:
                sub = t.to if t.kind == "array" and t.to else T.INT
                if t.kind == "struct":
                    sub = T.INT
                items.append(self.init_value(sub, x, x))
        if named:
            return "{" + ", ".join(items) + "}"
        return "[" + ", ".join(items) + "]"

    def local_decl(self, node: c_ast.Decl, is_global: bool = False) -> None:
        line = node.coord.line if node.coord else 0
        if node.name is None:
            # a struct/union/enum definition
            self.type_decl(node)
            return
        if "typedef" in node.storage:
            t = self.type_of_decl(node.type)
            if t.kind == "struct" and t.name.endswith(" None"):  # typedef struct { ... } name;
                self.structs[node.name] = self.structs.pop(t.name, {})
                t = CType("struct", node.name, 0)
            self.typedefs[node.name] = t
            self.cdef_text(node)
            return
        if "extern" in node.storage:
            return
        t = self.type_of_decl(node.type)
        if t.kind == "func":
            self.scopes[0][node.name] = Var(self.pyname(node.name), t, func=True)
            return
        if isinstance(node.type, c_ast.TypeDecl) and isinstance(node.type.type,
                                                                 (c_ast.Struct, c_ast.Union)) \
                and node.type.type.decls is not None:
            if node.type.type.name is None and t.kind == "struct":
                # an anonymous struct or union: cffi takes its text as the type's name
                spelled = self.braced_text(node.type.type)
                self.structs[spelled] = self.structs.pop(t.name, {})
                t = CType("struct", spelled, t.size)
            else:
                self.cdef_text(node)
        static_local = "static" in node.storage and not is_global
        name = self.pyname(node.name)
        if static_local:
            name = f"{self.func_name}_{node.name}"
        boxed = t.kind in ("int", "float", "ptr") and node.name in self.address_taken
        held = t.kind == "struct"
        var = Var(name, t, boxed=boxed, held=held, is_global=is_global or static_local)
        if t.kind == "array" and t.length is None and isinstance(node.init, c_ast.Constant):
            var.type = T.array(t.to or T.CHAR, len(self.cbytes(node.init.value)) + 1)
        scope = self.scopes[0] if static_local else self.scopes[-1]
        outer = scope.get(node.name)
        scope[node.name] = var  # in scope in its own initializer (sizeof *p), as in C
        try:
            text = self.decl_value(var, node)
        except PortError:
            if outer is not None:
                scope[node.name] = outer
            raise
        if text is None:
            return
        if static_local:
            self.statics.append(Line(0, f"{name} = {text}", line))
            return
        self.emit(f"{name} = {text}", line)

    def decl_value(self, var: Var, node: c_ast.Decl) -> str | None:
        t = var.type
        init = node.init
        if var.held:
            if init is None:
                return f'new("{T.ptr(t).spelling()}")'
            if isinstance(init, c_ast.InitList):
                return f'new("{T.ptr(t).spelling()}", {self.init_list(t, init)})'
            e = self.value(init)
            return f'new("{T.ptr(t).spelling()}", {e.text})'
        if t.kind == "array":
            item = t.to or T.CHAR
            if init is None:
                n = self.expr(node.type.dim).text if node.type.dim is not None else ""
                if isinstance(node.type.dim, c_ast.Node) and item.kind != "array":
                    return f'new("{item.spelling()}[]", {n})'
                return f'new("{t.spelling()}")'
            if isinstance(init, c_ast.Constant) and init.type == "string":
                size = t.length
                lit = "b" + self.pybytes(init.value)
                if size is not None and size != len(self.cbytes(init.value)) + 1:
                    return f'new("char[{size}]", {lit})'
                return f'new("char[]", {lit})'
            return f'new("{t.spelling()}", {self.init_value(t, init, node)})'
        if var.boxed:
            if init is None:
                return f'new("{T.ptr(t).spelling()}")'
            value = self.init_value(t, init, node)
            if t.kind == "int" and t.name == "char":  # cffi's char holds a 1-byte bytes
                if value.startswith("ord(") and value.endswith(")"):
                    value = "b" + value[4:-1]
                else:
                    self.uses_libc = True
                    value = f"tochar({value})"
            return f'new("{T.ptr(t).spelling()}", {value})'
        if init is None:
            if var.is_global:
                return "NULL" if t.kind == "ptr" else "0"
            return None
        if isinstance(init, c_ast.Constant) and init.type == "string":
            return f'new("char[]", b{self.pybytes(init.value)})'
        return self.init_value(t, init, node)

    def type_decl(self, node: c_ast.Decl) -> None:
        t = node.type
        if isinstance(t, c_ast.Enum):
            value = 0
            for en in t.values.enumerators if t.values else []:
                if en.value is not None:
                    e = self.value(en.value)
                    value = e.const if e.const is not None else value
                    text = e.text
                else:
                    text = str(value)
                self.scopes[0][en.name] = Var(en.name, T.INT)
                self.scopes[0][en.name].const = value  # type: ignore[attr-defined]
                self.emit(f"{en.name} = {text}", en.coord.line if en.coord else 0)
                value += 1
            return
        self.type_of_decl(t)
        self.cdef_text(node)

    def braced_text(self, node: c_ast.Node) -> str:
        """``union { ... }`` as the source spells it, on one line."""
        code = self.src.code.split("\n")
        first = node.coord.line if node.coord else 1
        text = "\n".join(code[first - 1:])
        start = text.find("union" if isinstance(node, c_ast.Union) else "struct")
        depth = 0
        for k in range(text.index("{", start), len(text)):
            depth += (text[k] == "{") - (text[k] == "}")
            if depth == 0:
                return " ".join(text[start:k + 1].split())
        raise self.refuse(node, "union", _("the tool does not handle it yet"))

    def cdef_text(self, node: c_ast.Node) -> None:
        """The program's own type, declared to cffi in its own words (c.cdef)."""
        first = node.coord.line if node.coord else 0
        code = self.src.code.split("\n")
        last = _last_line(node)
        # the declaration runs to the ';' after its braces close (the AST ends at the last member)
        depth, seen, end = 0, False, last
        for k in range(first - 1, len(code)):
            for ch in code[k]:
                depth += (ch == "{") - (ch == "}")
                seen = seen or ch == "{"
            if (not seen or depth == 0) and ";" in code[k].split("}")[-1]:
                end = k + 1
                break
        text = "\n".join(x.rstrip() for x in code[first - 1:max(end, last)]).strip()
        # the file's constants it names (an array's NAMELEN): C's compiler sees them too
        known = {m.name: m for m in self.src.constants}
        needed: dict[str, Any] = {}
        todo = re.findall(r"[A-Za-z_]\w*", text)
        while todo:
            name = todo.pop()
            if name in known and name not in needed:
                needed[name] = known[name]
                todo += re.findall(r"[A-Za-z_]\w*", known[name].body)
        defines = [f"#define {m.name} {m.body}\n"
                   for m in sorted(needed.values(), key=lambda m: m.line)]
        text = "".join(defines) + text
        self.uses_c = True
        self.emit(f'c.cdef("""{text}""")', first)
        self.cdef_lines.add(first)

    # ------------------------------------------------------------------ comments

    def comments_before(self, line: int) -> None:
        """Every unplaced comment that starts before this C line, in place."""
        for i, cm in enumerate(self.src.comments):
            if i in self.consumed_comments or cm.line > line:
                continue
            if cm.trailing and cm.line == line:
                continue
            self.consumed_comments.add(i)
            if cm.trailing:
                self.trailing.setdefault(cm.line, []).append(cm.text)
                continue
            for text in cm.text.split("\n"):
                self.emit(f"# {text}".rstrip(), cm.line)

    def take_trailing(self) -> None:
        for i, cm in enumerate(self.src.comments):
            if cm.trailing and i not in self.consumed_comments:
                self.trailing.setdefault(cm.line, []).append(cm.text)

    # ------------------------------------------------------------------ the file

    def translate(self, ast: c_ast.FileAST) -> list[Line]:
        self.trailing: dict[int, list[str]] = {}
        self.statics: list[Line] = []
        self.cdef_lines: set[int] = set()
        self.take_trailing()
        for i, cm in enumerate(self.src.comments):
            if cm.trailing:
                self.consumed_comments.add(i)
        self.address_taken: set[str] = set()
        self.func_name = ""
        self.ret_type = T.INT
        docstring = self.module_docstring(ast)
        self.constant_macros()
        for ext in ast.ext:  # a function may be called above its definition
            if isinstance(ext, c_ast.FuncDef) and ext.coord and ext.coord.file == self.src.filename:
                self.scopes[0].setdefault(ext.decl.name, Var(self.pyname(ext.decl.name),
                                                             CType("func", to=T.INT), func=True))
        own = {ext.decl.name for ext in ast.ext if isinstance(ext, c_ast.FuncDef)}
        self.handlers = _function_values(ast, own)
        for ext in ast.ext:
            if ext.coord is None or ext.coord.line == 0 or ext.coord.file != self.src.filename:
                continue  # the fake system typedefs
            if isinstance(ext, c_ast.FuncDef):
                self.funcdef(ext)
            else:
                line = ext.coord.line if ext.coord else 0
                self.comments_before(line)
                try:
                    self.local_decl(ext, is_global=True)
                except PortError as err:
                    if not self.keep_going:
                        raise
                    self.errors.append(err)
                    self.emit(f"# {_('untranslated')} ({self.src.filename}:{line}): "
                              f"{err.why}", line)
        self.comments_before(10**9)
        body = self.lines
        self.lines = []
        # statics: module level, before the functions
        if self.statics:
            first_def = next((i for i, ln in enumerate(body) if ln.text.startswith("def ")),
                             len(body))
            body[first_def:first_def] = self.statics
        if self.has_main:
            body.append(Line(0, "", 0))
            body.append(Line(0, 'if __name__ == "__main__":', 0))
            if self.main_params >= 2:
                body.append(Line(1, "main_args = [new(\"char[]\", os.fsencode(a)) "
                                 "for a in sys.argv]", 0))
                body.append(Line(1, "sys.exit(main(len(main_args), new(\"char *[]\", "
                                 "main_args + [NULL])))", 0))
            else:
                body.append(Line(1, "sys.exit(main())", 0))
        head = [*docstring, *self.imports()]
        for ln in body:
            extra = self.trailing.pop(ln.cline, None) if ln.cline and not ln.text.startswith(
                ("#", "def ")) else None
            if extra:
                ln.text += "  # " + " ".join(x.replace("\n", " ") for x in extra)
        return head + body

    def module_docstring(self, ast: c_ast.FileAST) -> list[Line]:
        first_code = min([n for n, _h in self.src.includes]
                         + [m.line for m in self.src.macros.values()]
                         + [e.coord.line for e in ast.ext
                            if e.coord and e.coord.line and e.coord.file == self.src.filename]
                         + [10**9])
        if self.src.comments and self.src.comments[0].line < first_code \
                and not self.src.comments[0].trailing:
            self.consumed_comments.add(0)
            cm = self.src.comments[0]
            text = cm.text.replace("\\", "\\\\").replace('"""', '\\"""')
            lines = text.split("\n")
            top = cm.line + cm.skipped
            out = [Line(0, f'"""{lines[0]}', top)]
            out += [Line(0, x, top + i + 1) for i, x in enumerate(lines[1:])]
            if len(lines) == 1:
                out[0].text += '"""'
            else:
                out.append(Line(0, '"""', cm.end))
            return out
        return []

    def imports(self) -> list[Line]:
        if self.has_main:
            self.stdlib.add("sys")
            if self.main_params >= 2:
                self.stdlib.add("os")
        std = [f"import {m}" for m in sorted(self.stdlib)]
        first = self.src.includes[0][0] if self.src.includes else 0
        out = [Line(0, "", 0)] if self.lines or True else []
        for s in std:
            out.append(Line(0, s, first))
        if std:
            out.append(Line(0, "", 0))
        if self.uses_c:
            out.append(Line(0, "import csock.c as c", first))
        out.append(Line(0, "from csock.c import *", first))
        if self.explicit_imports:
            names = ", ".join(sorted(self.explicit_imports))
            out.append(Line(0, f"from csock.c import {names}", first))
        if self.uses_libc:
            out.append(Line(0, "from csock.port.libc import *", first))
        return out

    def constant_macros(self) -> None:
        for mac in self.src.constants:
            self.comments_before(mac.line)
            node = _parse_expr(mac.body, self.typedefs)
            e = self.value(node) if node is not None else None
            if e is None:
                continue
            var = Var(mac.name, e.type)
            var.const = e.const  # type: ignore[attr-defined]
            text = e.text
            if e.type.kind == "array":
                text = f'new("char[]", {e.text})'
            self.scopes[0][mac.name] = var
            self.emit(f"{mac.name} = {text}", mac.line)

    def funcdef(self, fd: c_ast.FuncDef) -> None:
        line = fd.coord.line if fd.coord else 0
        name = fd.decl.name
        ft = self.type_of_decl(fd.decl.type)
        self.scopes[0][name] = Var(self.pyname(name), ft, func=True)
        # the comment block just above becomes the docstring
        doc = None
        for i, cm in enumerate(self.src.comments):
            if i not in self.consumed_comments and not cm.trailing and cm.end in (line - 1,
                                                                                line):
                doc = (i, cm)
        self.comments_before(line - 1 if doc is None else doc[1].line - 1)
        if doc is not None:
            self.consumed_comments.add(doc[0])
        self.emit("", 0)
        self.emit("", 0)
        params = []
        func_decl = fd.decl.type
        self.address_taken = _address_taken(fd.body)
        self.func_name = name
        self.ret_type = ft.to or T.INT
        self.variadic = False
        self.scopes.append({})
        boxes = []
        if func_decl.args is not None:
            for p in func_decl.args.params:
                if isinstance(p, c_ast.EllipsisParam):
                    # C's variable arguments: a tuple, handed on by va_start() (va_list)
                    params.append("*va_args")
                    self.variadic = True
                    continue
                if p.name is None:
                    continue
                pt = self.type_of_decl(p.type)
                if pt.kind == "array":
                    pt = T.ptr(pt.to or T.CHAR)
                pn = self.pyname(p.name)
                var = Var(pn, pt)
                if pt.kind in ("int", "ptr", "float") and p.name in self.address_taken:
                    var.boxed = True
                    boxes.append(f'{pn} = new("{T.ptr(pt).spelling()}", {pn})')
                if pt.kind == "struct":
                    var.held = True
                    boxes.append(f'{pn} = new("{T.ptr(pt).spelling()}", {pn})')
                self.scopes[-1][p.name] = var
                params.append(pn)
        if name == "main":
            self.has_main = True
            self.main_params = len(params)
        if name in self.handlers and len(params) == 1 and ft.to is not None \
                and ft.to.kind == "void":
            # used as a value (sa_handler, signal()): a C function pointer, void (*)(int)
            self.emit("@sighandler", line)
        self.emit(f"def {self.pyname(name)}({', '.join(params)}):", line)
        self.indent += 1
        start = len(self.lines)
        if doc is not None:
            text = doc[1].text.replace("\\", "\\\\").replace('"""', '\\"""')
            dl = text.split("\n")
            if len(dl) == 1:
                self.emit(f'"""{dl[0]}"""', doc[1].line)
            else:
                self.emit(f'"""{dl[0]}', doc[1].line)
                for k, x in enumerate(dl[1:]):
                    self.lines.append(Line(0 if not x else self.indent, x, doc[1].line + k + 1))
                self.emit('"""', doc[1].end)
        for b in boxes:
            self.emit(b, line)
        self.cur_func_globals = set()
        body_start = len(self.lines)
        self.statement(fd.body)
        if self.cur_func_globals:
            self.lines.insert(body_start, Line(self.indent,
                                               f"global {', '.join(sorted(self.cur_func_globals))}",
                                               line))
        if len(self.lines) == start:
            self.emit("pass", line)
        self.indent -= 1
        self.scopes.pop()


def integer_ptrdiff() -> CType:
    return T.integer("ptrdiff_t", 8, True)


def _fold(op: str, a: int, b: int, t: CType) -> int:
    if op == "+":
        r = a + b
    elif op == "-":
        r = a - b
    elif op == "*":
        r = a * b
    elif op == "/":
        q = abs(a) // abs(b)
        r = q if (a < 0) == (b < 0) else -q
    elif op == "%":
        q = abs(a) // abs(b)
        r = a - (q if (a < 0) == (b < 0) else -q) * b
    elif op == "<<":
        r = a << b
    elif op == ">>":
        r = a >> b
    elif op == "&":
        r = a & b
    elif op == "|":
        r = a | b
    else:
        r = a ^ b
    if not t.signed:
        r &= (1 << t.bits) - 1
    return r


def _address_taken(node: Any) -> set[str]:
    found: set[str] = set()

    class V(c_ast.NodeVisitor):  # type: ignore[misc]
        def visit_UnaryOp(self, n: c_ast.UnaryOp) -> None:  # noqa: N802
            if n.op == "&" and isinstance(n.expr, c_ast.ID):
                found.add(n.expr.name)
            self.generic_visit(n)

    V().visit(node)
    return found


def _function_values(node: Any, functions: set[str]) -> set[str]:
    """The program's functions named other than in a call: used as pointers."""
    found: set[str] = set()

    class V(c_ast.NodeVisitor):  # type: ignore[misc]
        def visit_FuncCall(self, n: c_ast.FuncCall) -> None:  # noqa: N802
            if n.args is not None:
                self.visit(n.args)
            if not isinstance(n.name, c_ast.ID):
                self.visit(n.name)

        def visit_FuncDef(self, n: c_ast.FuncDef) -> None:  # noqa: N802
            self.visit(n.body)

        def visit_ID(self, n: c_ast.ID) -> None:  # noqa: N802
            if n.name in functions:
                found.add(n.name)

    V().visit(node)
    return found


def _last_line(node: Any) -> int:
    last = node.coord.line if node.coord else 0
    for _name, child in node.children():
        if child.coord is not None:
            last = max(last, _last_line(child))
    return last


def _c_lines(src: Source, node: Any) -> range:
    first = node.coord.line if node is not None and node.coord else 0
    return range(first, _last_line(node) + 1) if node is not None else range(0)


# ---------------------------------------------------------------------- parsing

_FAKE_TYPES = ["size_t", "ssize_t", "ptrdiff_t", "intptr_t", "uintptr_t", "int8_t", "uint8_t",
               "int16_t", "uint16_t", "int32_t", "uint32_t", "int64_t", "uint64_t",
               "sig_atomic_t", "bool", "FILE", "va_list", "jmp_buf", "sigjmp_buf"]


def fake_libc() -> str:
    """typedefs that stand for the system headers' types (pycparser's fake libc)."""
    from csock._csock import ffi
    names = sorted(set(ffi.list_types()[0]) | set(_FAKE_TYPES))
    return "".join(f"typedef int {n};\n" for n in names if not n.startswith("csockrt"))


def _parse_expr(text: str, typedefs: dict[str, CType]) -> Any:
    try:
        parser = c_parser.CParser()
        ast = parser.parse(fake_libc() + "".join(f"typedef int {n};\n" for n in typedefs)
                           + f"void f(void) {{ (void)({text}); }}\n")
    except ParseError:
        return None
    return ast.ext[-1].body.block_items[0].expr


_ASM = re.compile(r"\b(?:__asm__|asm|__asm)\b")
_VA_ARG = re.compile(r"\bva_arg\s*\(")
_VA_ARG_WHY = ("reading the variable arguments one by one has no line-by-line form: pass "
               "them on to a v...printf function, or give the function fixed parameters")


def parse(src: Source) -> c_ast.FileAST:
    """pycparser's tree; the fake typedefs go on line 0 so the program's lines stay."""
    m = _ASM.search(src.code)
    if m is not None:
        line = src.code.count("\n", 0, m.start()) + 1
        col = m.start() - src.code.rfind("\n", 0, m.start())
        raise PortError(f"{src.filename}:{line}:{col}", _("inline assembly"),
                        _("machine instructions cannot run in Python"))
    m = _VA_ARG.search(src.code)
    if m is not None:  # its second argument is a type: no C expression pycparser reads
        line = src.code.count("\n", 0, m.start()) + 1
        col = m.start() - src.code.rfind("\n", 0, m.start())
        raise PortError(f"{src.filename}:{line}:{col}", "va_arg", _(_VA_ARG_WHY))
    fake = fake_libc().replace("\n", " ")
    text = fake + "\n#line 1\n" + src.code
    text = "#line 0\n" + fake + "\n#line 1 \"" + src.filename + "\"\n" + src.code
    try:
        return c_parser.CParser().parse(text, src.filename)
    except ParseError as exc:
        msg = str(exc)
        m2 = re.match(r"(.*?):(\d+):(\d+): (.*)", msg)
        if m2:
            raise PortError(f"{src.filename}:{m2.group(2)}:{m2.group(3)}", _("syntax"),
                            m2.group(4)) from None
        raise PortError(f"{src.filename}:0:0", _("syntax"), msg) from None


_CONST_MACRO = re.compile(
    r"^(?:[\s()+\-*/%<>&|^~!?:]|\d[\w.]*|\"(?:\\.|[^\"\\])*\"|'(?:\\.|[^'\\])*'|\w+)+$")


def prepare(filename: str, text: str) -> Source:
    """Preprocess: constant-like object macros stay names; the rest expand in the code."""
    src = preprocess(filename, text)
    expanding = {}
    for mac in src.macros.values():
        names = re.findall(r"[A-Za-z_]\w*", re.sub(r'"(?:\\.|[^"\\])*"', "", mac.body))
        constant = (mac.params is None and mac.body and _CONST_MACRO.match(mac.body)
                    and all(n in src.macros or n.isupper() for n in names)
                    and _parse_expr(mac.body, {}) is not None)
        if constant:
            src.constants.append(mac)
        else:
            expanding[mac.name] = mac
    if expanding:
        src.code = expand(src.code, expanding)
    return src


def translate_source(filename: str, text: str, keep_going: bool = False
                     ) -> tuple[list[Line], list[PortError]]:
    src = prepare(filename, text)
    ast = parse(src)
    tr = Translator(src, keep_going)
    lines = tr.translate(ast)
    return lines, tr.errors
