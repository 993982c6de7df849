"""Helpers shared by the tests that run one body against socket and csock."""

from __future__ import annotations

import socket

import pytest

import csock

# The two implementations the mirrored tests run against.
MODS = [pytest.param(socket, id="socket"), pytest.param(csock, id="csock")]


class Index:
    """An int through __index__ (as numpy integers are)."""

    def __init__(self, value: int) -> None:
        self.value = value

    def __index__(self) -> int:
        return self.value

    def __repr__(self) -> str:
        return f"Index({self.value})"
