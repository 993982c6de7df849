"""The ``port`` command: arguments and running (the CLI only calls this)."""

from __future__ import annotations

import argparse
import os
import sys

from csock._i18n import N_
from csock._i18n import _ as _ui  # the command line's catalog (csock/locale)
from csock.port.messages import LANGUAGE, PortError, _

DESCRIPTION = N_(
    "Translate a C socket program into its line-by-line Python port on csock.c: the same\n"
    "functions, variables and comments, in the same order, making the same system calls.\n"
    "A construct it cannot translate (goto, setjmp, inline assembly, ...) stops it with\n"
    "FILE:LINE:COLUMN: cannot translate CONSTRUCT: why, and nothing is written.")
EXAMPLE = ("  python -m csock port servidor.c -o servidor.py\n"
           "  python -m csock port servidor.c -o servidor.py --html servidor.html")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("program", metavar="PROGRAM.c", help=_ui("the C source to translate"))
    parser.add_argument("-o", "--output", metavar="PROGRAM.py",
                        help=_ui("where to write the port (default: PROGRAM.py beside it, "
                                 "which must not exist yet)"))
    parser.add_argument("--html", metavar="SIDE.html",
                        help=_ui("also write a page with the C and the port side by side"))
    parser.add_argument("--keep-going", action="store_true",
                        help=_ui("write the port even where a statement cannot be translated "
                                 "(each one marked with a comment naming its line)"))
    parser.add_argument("--base-url", default="", metavar="URL",
                        help=_ui("where csock.c's reference (docs/reference/c.md as HTML) "
                                 "lives, for the page's links"))


def run(args: argparse.Namespace) -> int:
    token = LANGUAGE.set(getattr(args, "lang", None))  # --lang es|en, for this run only
    try:
        return _run(args)
    finally:
        LANGUAGE.reset(token)


def _run(args: argparse.Namespace) -> int:
    from csock.port import port
    from csock.port.page import page

    try:
        with open(args.program, encoding="utf-8", errors="surrogateescape") as f:
            text = f.read()
    except OSError as exc:
        print(f"csock port: {args.program}: {exc.strerror}", file=sys.stderr)
        return 1
    try:
        result = port(text, args.program, args.keep_going)
    except PortError as exc:
        print(str(exc), file=sys.stderr)
        return 1
    output = args.output or os.path.splitext(args.program)[0] + ".py"
    if not args.output and os.path.lexists(output):
        # The default name may be a hand-written port beside the C: never
        # replaced unless asked for by name.
        print(_("{path} exists already: to replace it, name it with -o").format(path=output),
              file=sys.stderr)
        return 1
    with open(output, "w", encoding="utf-8") as f:
        f.write(result.python)
    if args.html:
        with open(args.html, "w", encoding="utf-8") as f:
            f.write(page(text, result, args.program, args.base_url))
    for err in result.errors:
        print(f"{err}", file=sys.stderr)
    if result.errors:
        print(_("{count} statement(s) left untranslated (marked in the output)").format(
            count=len(result.errors)), file=sys.stderr)
        return 1
    return 0
