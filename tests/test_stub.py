"""csock/_csock.pyi agrees with the compiled module and with tools/gen_stub.py."""

from __future__ import annotations

import ast
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path
from types import BuiltinFunctionType, ModuleType

import pytest

import csock._csock
from csock._csock import ffi, lib

ROOT = Path(__file__).resolve().parent.parent
STUB = ROOT / "csock" / "_csock.pyi"
GEN_STUB = ROOT / "tools" / "gen_stub.py"


def _load_gen_stub() -> ModuleType:
    spec = importlib.util.spec_from_file_location("_csock_gen_stub", GEN_STUB)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _stub_tree() -> ast.Module:
    return ast.parse(STUB.read_text(), filename=str(STUB))


def _lib_class() -> ast.ClassDef:
    classes = [n for n in _stub_tree().body if isinstance(n, ast.ClassDef) and n.name == "_Lib"]
    assert len(classes) == 1, "the stub must define exactly one class _Lib"
    return classes[0]


def _members() -> tuple[dict[str, ast.AnnAssign], dict[str, ast.FunctionDef]]:
    attrs: dict[str, ast.AnnAssign] = {}
    funcs: dict[str, ast.FunctionDef] = {}
    seen: list[str] = []
    for node in _lib_class().body:
        if isinstance(node, ast.AnnAssign):
            assert isinstance(node.target, ast.Name)
            attrs[node.target.id] = node
            seen.append(node.target.id)
        elif isinstance(node, ast.FunctionDef):
            funcs[node.name] = node
            seen.append(node.name)
        else:
            pytest.fail(f"unexpected statement in _Lib: {ast.dump(node)}")
    dups = sorted({n for n in seen if seen.count(n) > 1})
    assert not dups, f"names declared twice in _Lib: {dups}"
    return attrs, funcs


ATTRS, FUNCS = _members()
LIB_NAMES = sorted(n for n in dir(lib) if not n.startswith("__"))  # _exit, _IONBF are C's
# cdata objects are callable too (function pointers): test for builtin functions
LIB_FUNCS = sorted(n for n in LIB_NAMES if isinstance(getattr(lib, n), BuiltinFunctionType))


def test_lib_has_names() -> None:
    # guards the parametrized tests below against passing vacuously
    assert len(LIB_FUNCS) > 50
    assert len(LIB_NAMES) > 300
    assert len(FUNCS) == len(LIB_FUNCS)


def test_every_lib_name_is_in_stub() -> None:
    missing = sorted(set(LIB_NAMES) - set(ATTRS) - set(FUNCS))
    assert not missing, f"in lib but not in the stub's _Lib: {missing}"


def test_every_stub_name_is_in_lib() -> None:
    extra = sorted((set(ATTRS) | set(FUNCS)) - set(LIB_NAMES))
    assert not extra, f"in the stub's _Lib but not in lib: {extra}"


def test_functions_are_functions_and_attributes_are_not() -> None:
    assert sorted(FUNCS) == LIB_FUNCS
    assert sorted(ATTRS) == sorted(set(LIB_NAMES) - set(LIB_FUNCS))


@pytest.mark.parametrize("name", sorted(ATTRS))
def test_attribute_annotation(name: str) -> None:
    value = getattr(lib, name)
    annotation = ast.unparse(ATTRS[name].annotation)
    if isinstance(value, int):
        assert annotation == "int"
    else:
        assert isinstance(value, ffi.CData)
        assert annotation == "Any"  # cdata is typed Any (struct fields are dynamic)


def _expected_annotation(ctype: ffi.CType) -> str:
    if ctype.kind == "void":
        return "None"
    if ctype.kind == "primitive":
        if ctype.cname in ("float", "double"):
            return "float"  # the runtime's deadlines (csockrt_*)
        return "bytes" if ctype.cname == "char" else "int"
    assert ctype.kind in ("pointer", "array", "struct", "union"), ctype
    return "Any"  # cdata: types-cffi's CData knows no struct fields


@pytest.mark.parametrize("name", LIB_FUNCS)
def test_function_signature(name: str) -> None:
    node = FUNCS[name]
    ftype = ffi.typeof(getattr(lib, name))
    args = node.args
    assert not (args.vararg or args.kwarg or args.kwonlyargs or args.defaults)
    params = args.posonlyargs + args.args
    assert params[0].arg == "self"
    params = params[1:]
    assert len(params) == len(ftype.args), (
        f"{name}: stub has {len(params)}, C has {len(ftype.args)}"
    )
    for param, ctype in zip(params, ftype.args, strict=True):
        # __-prefixed names are positional-only for type checkers, like cffi's functions
        assert param.arg.startswith("__")
        assert param.annotation is not None
        assert ast.unparse(param.annotation) == _expected_annotation(ctype), (name, ctype)
    assert node.returns is not None
    assert ast.unparse(node.returns) == _expected_annotation(ftype.result)


def test_module_level_names() -> None:
    annotated = {
        node.target.id: ast.unparse(node.annotation)
        for node in _stub_tree().body
        if isinstance(node, ast.AnnAssign) and isinstance(node.target, ast.Name)
    }
    assert annotated == {"ffi": "Any", "lib": "_Lib"}


def test_stub_is_what_gen_stub_renders() -> None:
    gen_stub = _load_gen_stub()
    assert STUB.read_text() == gen_stub.render(), "stale stub: run python tools/gen_stub.py"


def test_gen_stub_script_writes_the_same_stub(tmp_path: Path) -> None:
    # Run the script itself on a copy of the tree: it writes <root>/csock/_csock.pyi.
    (tmp_path / "tools").mkdir()
    shutil.copy(GEN_STUB, tmp_path / "tools" / "gen_stub.py")
    shutil.copy(ROOT / "build_ffi.py", tmp_path / "build_ffi.py")
    pkg = tmp_path / "csock"
    shutil.copytree(ROOT / "csock" / "_cdefs", pkg / "_cdefs")
    (pkg / "__init__.py").write_text("")
    # The compiled module that was imported (the checkout's or an installed one).
    so = Path(csock._csock.__file__)
    os.symlink(so, pkg / so.name)
    proc = subprocess.run(
        [sys.executable, str(tmp_path / "tools" / "gen_stub.py")],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=50,
        env={**os.environ, "PYTHONPATH": ""},
    )
    assert proc.returncode == 0, proc.stderr
    written = pkg / "_csock.pyi"
    assert f"wrote {written}" in proc.stdout
    assert written.read_text() == STUB.read_text()


def test_constant_names_stub_is_current() -> None:
    # csock's constants are made at run time; this stub shows them to mypy.
    spec = importlib.util.spec_from_file_location(
        "_csock_gen_constants_stub", ROOT / "tools" / "gen_constants_stub.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    stub = ROOT / "csock" / "_constant_names.pyi"
    assert stub.read_text() == module.render(), (
        "stale stub: run python tools/gen_constants_stub.py"
    )
