"""The interface's messages, in English or Spanish, through gettext.

Here, not in csock.cli, so that the library's own texts (explain, hints) can
be translated without the library importing the command line.

Every user-facing string the command prints goes through :func:`_` (or
:func:`ngettext`); ``pybabel extract`` collects them into
``csock/locale/csock.pot`` and the Spanish catalog
``csock/locale/es/LC_MESSAGES/csock.po``, compiled to ``csock.mo`` when the
package is built (setup.py), never committed.

The language is gettext's choice (LANGUAGE, LC_ALL, LC_MESSAGES, LANG, in that
order) unless ``--lang es|en`` says otherwise; :func:`use` applies it, to
argparse's own strings (usage:, options, its errors) too, and to C's messages
(strerror, perror) through setlocale(LC_MESSAGES). ``CSOCK_LOCALEDIR`` points
at another catalog directory (the tests' pseudo-locale).
"""

from __future__ import annotations

import argparse
import gettext
import os
from collections.abc import Sequence

DOMAIN = "csock"
LANGUAGES = ("en", "es")
# The C locale --lang es asks setlocale for (glibc's own catalogs, libc-l10n).
_C_LOCALES = {"es": ("es_ES.UTF-8", "es_ES.utf8", "es_MX.UTF-8", "es_ES"), "en": ("C",)}

# None until first needed: then the environment's choice, unless use() said.
_translation: gettext.NullTranslations | None = None


def localedir() -> str:
    """Where the compiled catalogs are: $CSOCK_LOCALEDIR, else csock/locale."""
    return os.environ.get("CSOCK_LOCALEDIR") or os.path.join(
        os.path.dirname(os.path.abspath(__file__)), "locale")


def _(message: str) -> str:
    """The message in the interface's language."""
    return _current().gettext(message)


def ngettext(singular: str, plural: str, n: int) -> str:
    """The singular or plural message for n, in the interface's language."""
    return _current().ngettext(singular, plural, n)


def _current() -> gettext.NullTranslations:
    global _translation
    if _translation is None:
        _translation = translation(None)
    return _translation


def N_(message: str) -> str:
    """Marks message for extraction; it is translated later, where it is shown."""
    return message


def translation(lang: str | None = None) -> gettext.NullTranslations:
    """The catalog for lang (None: the environment's choice); English if none."""
    languages = None if lang is None else [lang]
    return gettext.translation(DOMAIN, localedir(), languages=languages, fallback=True)


def use(lang: str | None = None, *, c_messages: bool = True) -> None:
    """Speak lang from now on (None: as the environment says), argparse too.

    c_messages: also set C's LC_MESSAGES, so that strerror and perror follow
    (where the system has es_ES.UTF-8 and glibc's translations).
    """
    global _translation
    _translation = translation(lang)
    # argparse looks its gettext and ngettext up at each call: ours answer.
    argparse._ = _  # type: ignore[attr-defined]
    argparse.ngettext = ngettext  # type: ignore[attr-defined]
    if c_messages:
        set_c_messages(lang)


def set_c_messages(lang: str | None) -> bool:
    """setlocale(LC_MESSAGES) for lang (None: from the environment, as a C
    program's setlocale(LC_ALL, "") would). Only LC_MESSAGES: numbers and
    everything else C formats stay as they were. False if refused."""
    import csock.c as c

    candidates = ("",) if lang is None else _C_LOCALES.get(lang, ("",))
    for name in candidates:
        if c.setlocale(c.LC_MESSAGES, name.encode()) != c.NULL:
            return True
    return False


def lang_from_argv(argv: Sequence[str]) -> str | None:
    """The value of the last ``--lang X`` / ``--lang=X`` before ``--``, if any.

    Read before the parser is built: its help texts are translated then.
    """
    lang = None
    args = list(argv)
    for i, arg in enumerate(args):
        if arg == "--":
            break
        if arg == "--lang" and i + 1 < len(args):
            lang = args[i + 1]
        elif arg.startswith("--lang="):
            lang = arg.partition("=")[2]
    return lang if lang in LANGUAGES else None


__all__ = ["DOMAIN", "LANGUAGES", "N_", "_", "lang_from_argv", "localedir", "ngettext",
           "set_c_messages", "translation", "use"]
