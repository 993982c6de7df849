"""The ``csock`` command (``python -m csock``): one module per subcommand.

The library's layers (the binding csock.c, the Pythonic csock.Socket) never
import this package; it is built on them, as a learner's program would be.
"""

from __future__ import annotations

from csock.cli.main import main

__all__ = ["main"]
