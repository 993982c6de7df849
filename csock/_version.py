"""csock's version: the one number the package metadata, ``csock.__version__``
and ``python -m csock --version`` report."""

__version__ = "0.2.0"
