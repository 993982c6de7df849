"""``python -m csock``: the command lives in :mod:`csock.cli`."""

from __future__ import annotations

import sys

from csock.cli.main import main

__all__ = ["main"]

if __name__ == "__main__":
    sys.exit(main())
