"""The command line's gettext helpers: see :mod:`csock._i18n`."""

from __future__ import annotations

from csock._i18n import (
    DOMAIN,
    LANGUAGES,
    N_,
    _,
    lang_from_argv,
    localedir,
    ngettext,
    set_c_messages,
    translation,
    use,
)

__all__ = ["DOMAIN", "LANGUAGES", "N_", "_", "lang_from_argv", "localedir", "ngettext",
           "set_c_messages", "translation", "use"]
