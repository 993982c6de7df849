"""Sphinx configuration: the guides (Markdown, through MyST) and the API reference.

Build: python -m sphinx -W -b html docs docs/_build/html (CI does, warnings as
errors), offline. Sphinx rather than MkDocs: autodoc reads the docstrings and
type hints as Python's own documentation does, with no plugin in between,
and MyST keeps the guides in the Markdown they are written (and tested) in.
"""

from __future__ import annotations

import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.append(os.path.dirname(HERE))  # after an installed csock

from csock import __version__  # noqa: E402

project = "csock"
author = "The csock authors"
copyright = "2026, The csock authors"  # noqa: A001 - Sphinx's name
release = version = __version__

extensions = [
    "myst_parser",
    "sphinx.ext.autodoc",
]
source_suffix = {".md": "markdown"}
root_doc = "index"
exclude_patterns = ["_build"]
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3
autodoc_member_order = "bysource"
autodoc_typehints = "signature"
autodoc_default_options = {"members": True, "undoc-members": False}
html_theme = "alabaster"
html_title = f"csock {release}"
# "type" in type[ctypes.Structure] also names Socket.type and Field.type:
# Sphinx's ambiguity warning, about a builtin, is noise.
suppress_warnings = ["ref.python"]
