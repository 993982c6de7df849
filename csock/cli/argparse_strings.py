"""argparse's own messages, marked so that ``pybabel extract`` puts them in
csock's catalog: :func:`csock.cli.i18n.use` makes argparse look them up
there (argparse asks gettext's 'argparse' domain, which no system ships in
Spanish). The texts are argparse's, from CPython 3.11 to 3.13."""

from __future__ import annotations

from csock.cli.i18n import N_

MESSAGES = [
    N_("usage: "),
    N_("positional arguments"),
    N_("options"),
    N_("subcommands"),
    N_("show this help message and exit"),
    N_("show program's version number and exit"),
    N_("%(heading)s:"),
    N_(" (default: %(default)s)"),
    N_("%(prog)s: error: %(message)s\n"),
    N_("%(prog)s: warning: %(message)s\n"),
    N_("the following arguments are required: %s"),
    N_("unrecognized arguments: %s"),
    N_("invalid choice: %(value)r (choose from %(choices)s)"),
    N_("argument %(argument_name)s: %(message)s"),
    N_("invalid %(type)s value: %(value)r"),
    N_("ambiguous option: %(option)s could match %(matches)s"),
    N_("not allowed with argument %s"),
    N_("one of the arguments %s is required"),
    N_("expected one argument"),
    N_("expected at least one argument"),
    N_("expected at most one argument"),
    N_("ignored explicit argument %r"),
    N_("unexpected option string: %s"),
    N_("can't open '%(filename)s': %(error)s"),
    N_("unknown parser %(parser_name)r (choices: %(choices)s)"),
    N_("option '%(option)s' is deprecated"),
    N_("argument '%(argument_name)s' is deprecated"),
    N_("command '%(parser_name)s' is deprecated"),
]
# ngettext's: "expected %s argument" / "expected %s arguments" is translated
# as a plural in the catalog (pybabel extracts it from here).
if False:  # pragma: no cover - for extraction only
    from csock.cli.i18n import ngettext

    ngettext("expected %s argument", "expected %s arguments", 2)
