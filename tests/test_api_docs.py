"""Every public name of the Pythonic layer and of csock.layout has a docstring
(the API reference is built from them: docs/reference/)."""

from __future__ import annotations

import inspect

import pytest

import csock
import csock.layout


def _doc(obj: object) -> str:
    if isinstance(obj, property):
        obj = obj.fget
    return inspect.getdoc(obj) or ""


@pytest.mark.parametrize("name", sorted(n for n in dir(csock.Socket) if not n.startswith("_")))
def test_socket_method_has_docstring(name: str) -> None:
    assert _doc(getattr(csock.Socket, name)).strip(), f"csock.Socket.{name} has no docstring"


@pytest.mark.parametrize("name", sorted(
    n for n in csock.__all__ if inspect.isfunction(getattr(csock, n))))
def test_module_function_has_docstring(name: str) -> None:
    assert _doc(getattr(csock, name)).strip(), f"csock.{name} has no docstring"


@pytest.mark.parametrize("name", sorted(
    n for n in dir(csock.layout) if not n.startswith("_")
    and getattr(getattr(csock.layout, n), "__module__", "") == "csock.layout"))
def test_layout_name_has_docstring(name: str) -> None:
    assert _doc(getattr(csock.layout, name)).strip(), f"csock.layout.{name} has no docstring"
