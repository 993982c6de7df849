"""The interface's messages, marked for translation.

Every user-facing string the command prints goes through :func:`_`, so that
the gettext catalogs (English and Spanish, chosen by the locale or
``--lang es|en``) can be extracted from the source. Until those catalogs
exist, ``_`` returns its argument unchanged.
"""

from __future__ import annotations


def _(message: str) -> str:
    """The message in the interface's language (today: as written)."""
    return message
