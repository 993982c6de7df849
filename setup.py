"""setuptools entry: cffi has no pyproject key, so the extension is named here.

The extension is built on the limited API (cffi's default on CPython), so
the wheel is tagged cp311-abi3 and serves every CPython from 3.11.

The interface's translations (csock/locale/*/LC_MESSAGES/csock.po) are
compiled to .mo here, at build time, by the small msgfmt below: a build
needs no Babel (it is a dev tool, for pybabel extract/update), and the .mo
files are never committed. An editable install compiles them in place.
"""

import ast
import os
import struct

from setuptools import setup
from setuptools.command.build_py import build_py

LOCALE = os.path.join("csock", "locale")


def _unquote(text: str) -> str:
    return ast.literal_eval(text) if text.startswith('"') else ""


def read_po(path: str) -> dict[bytes, bytes]:
    """msgid -> msgstr (plural forms joined by NUL) of a .po file; fuzzy and
    untranslated entries are left out, as msgfmt does."""
    entries: dict[bytes, bytes] = {}
    cur: dict[str, str] = {}
    fuzzy = False
    last = ""

    def flush() -> None:
        nonlocal fuzzy
        strs = [cur[k] for k in sorted(cur) if k.startswith("msgstr")]
        if "msgid" in cur and any(strs) and (not fuzzy or cur["msgid"] == ""):
            msgid = cur["msgid"]
            if "msgid_plural" in cur:
                msgid += "\0" + cur["msgid_plural"]
            if "msgctxt" in cur:
                msgid = cur["msgctxt"] + "\x04" + msgid
            entries[msgid.encode()] = "\0".join(strs).encode()
        cur.clear()
        fuzzy = False

    with open(path, encoding="utf-8") as f:
        for raw in f:
            line = raw.strip()
            has_str = any(k.startswith("msgstr") for k in cur)
            if line.startswith("#"):  # obsolete (#~) entries are comments too
                if has_str:
                    flush()
                if line.startswith("#,") and "fuzzy" in line:
                    fuzzy = True
            elif line.startswith('"'):
                cur[last] += _unquote(line)
            elif line:
                word, _, rest = line.partition(" ")
                if word in ("msgctxt", "msgid") and has_str:
                    flush()
                last = word
                cur[word] = _unquote(rest.strip())
    flush()
    return entries


def write_mo(entries: dict[bytes, bytes], path: str) -> None:
    """The GNU .mo format (little-endian, no hash table), as msgfmt writes it."""
    keys = sorted(entries)
    ids = strs = b""
    offsets = []
    for k in keys:
        offsets.append((len(ids), len(k), len(strs), len(entries[k])))
        ids += k + b"\0"
        strs += entries[k] + b"\0"
    start = 7 * 4 + 16 * len(keys)
    table = b"".join(struct.pack("<2I", n, start + o) for o, n, _, _ in offsets)
    table += b"".join(struct.pack("<2I", n, start + len(ids) + o) for _, _, o, n in offsets)
    header = struct.pack("<7I", 0x950412DE, 0, len(keys), 28, 28 + 8 * len(keys), 0, 0)
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "wb") as f:
        f.write(header + table + ids + strs)


def compile_catalogs(src_root: str, dest_root: str) -> list[str]:
    out = []
    base = os.path.join(src_root, LOCALE)
    for lang in sorted(os.listdir(base)) if os.path.isdir(base) else []:
        po = os.path.join(base, lang, "LC_MESSAGES", "csock.po")
        if os.path.isfile(po):
            mo = os.path.join(dest_root, LOCALE, lang, "LC_MESSAGES", "csock.mo")
            write_mo(read_po(po), mo)
            out.append(mo)
    return out


class BuildPyWithCatalogs(build_py):
    """build_py, then the .po catalogs compiled to .mo beside the package."""

    def run(self) -> None:
        super().run()
        here = os.path.dirname(os.path.abspath(__file__))
        # Editable: the package is imported from the source tree.
        dest = here if self.editable_mode else self.build_lib
        self._catalogs = compile_catalogs(here, dest)

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        return list(super().get_outputs(include_bytecode)) + list(
            getattr(self, "_catalogs", []))


if __name__ == "__main__":
    setup(
        cffi_modules=["build_ffi.py:ffibuilder"],
        options={"bdist_wheel": {"py_limited_api": "cp311"}},
        cmdclass={"build_py": BuildPyWithCatalogs},
    )
