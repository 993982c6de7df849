"""``python -m csock``: the tutorial's programs, on the raw C namespace csock.c.

Subcommands: demo, sizes, server (or servidor), client (or cliente),
serve-file, fetch-file, explain, netstat. Every message is in English or
Spanish (gettext, csock/locale): the locale chooses, or ``--lang es|en``
anywhere on the command line (read before the parser is built, whose help
texts are translated as it is built). Run
``python -m csock SUBCOMMAND --help`` for each one's arguments and an example.
Every failure prints one line on stderr (``csock server: cannot bind
127.0.0.1:10000: Address already in use``), never a traceback, and exits
non-zero: 1 (2 for a usage error, 130 for a reported Ctrl-C). A reader that
goes away (``python -m csock demo | head -3``) ends the command quietly, with
status 141 as for a C program killed by SIGPIPE.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import math
import os
import re
import sys
import textwrap
from typing import NoReturn

from csock._version import __version__
from csock.cli import explain as _explain_cmd
from csock.cli import i18n
from csock.cli import sizes as _sizes_cmd
from csock.cli.cbridge import CError, CliError, shown
from csock.cli.i18n import _

SERVER_PORT = 10000
FILE_PORT = 10001
DEFAULT_HOST = "127.0.0.1"
DEFAULT_TIMEOUT = 30.0
MAX_TIMEOUT = 2_000_000.0  # seconds: poll() takes an int of milliseconds

# Decimal digits only: int() would also take " 1_0 " or Arabic-Indic digits.
_DIGITS = re.compile(r"[0-9]{1,20}")


def _decimal(text: str) -> int | None:
    return int(text) if _DIGITS.fullmatch(text) else None


def port_number(text: str) -> int:
    """argparse type: a TCP port, 0 (any free port) to 65535."""
    port = _decimal(text)
    if port is None and re.fullmatch(r"-[0-9]{1,20}", text):  # a number, out of range
        port = int(text)
    if port is None:
        raise argparse.ArgumentTypeError(_("invalid port {text!r}: not a number").format(
            text=text))
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(_("invalid port {port}: must be 0 to 65535").format(
            port=port))
    return port


def count(text: str) -> int:
    value = _decimal(text)
    if value is None:
        raise argparse.ArgumentTypeError(_("invalid count {text!r}: must be 0 or more").format(
            text=text))
    return value


def process_id(text: str) -> int:
    """argparse type: a process ID (netstat --pid)."""
    value = _decimal(text)
    if value is None or value == 0:
        raise argparse.ArgumentTypeError(
            _("invalid PID {text!r}: want a process number, 1 or more").format(text=text))
    return value


def seconds(text: str) -> float:
    """argparse type: a timeout in seconds, 0 (none) or more."""
    try:
        value = float(text)
    except ValueError:
        value = -1.0
    if not (math.isfinite(value) and 0 <= value <= MAX_TIMEOUT):
        raise argparse.ArgumentTypeError(
            _("invalid timeout {text!r}: seconds from 0 (no timeout) to {max:g}").format(
                text=text, max=MAX_TIMEOUT))
    return value


def timeout_ms(value: float) -> int | None:
    """--timeout in poll()'s milliseconds; None for 0 (wait forever)."""
    return max(1, round(value * 1000)) if value > 0 else None


def sha256_hex(text: str) -> str:
    """argparse type: a sha256 as 64 hex digits."""
    if not re.fullmatch(r"[0-9a-fA-F]{64}", text):
        raise argparse.ArgumentTypeError(_("invalid sha256 {text!r}: want 64 hex digits").format(
            text=text))
    return text.lower()


class Parser(argparse.ArgumentParser):
    """argparse, with a usage error on one line (the CLI's error contract)."""

    def error(self, message: str) -> NoReturn:
        self.exit(2, _("{prog}: error: {message} (see {prog} --help)").format(
            prog=self.prog, message=message) + "\n")


Formatter = argparse.RawDescriptionHelpFormatter


def fit(text: str, width: int = 79) -> str:
    """A help text refilled to fit 80 columns: its lines run together into
    paragraphs, but for indented lines (examples, tables), kept as written."""
    out: list[str] = []
    para: list[str] = []
    for line in [*text.split("\n"), ""]:
        if line.strip() and not line.startswith("  "):
            para.append(line)
            continue
        if para:
            out.append(textwrap.fill(" ".join(para), width, break_on_hyphens=False))
            para = []
        out.append(line)
    return "\n".join(out).rstrip("\n")


def _sub(subs: argparse._SubParsersAction[Parser], name: str,
         summary: str, description: str, example: str) -> argparse.ArgumentParser:
    parser = subs.add_parser(name, help=summary, description=fit(description),
                             epilog=_("example:") + "\n" + example, formatter_class=Formatter,
                             aliases=ALIASES.get(name, []))
    add_lang(parser, argparse.SUPPRESS)
    return parser


# Spanish names of the tutorial's two programs (servidor.c, cliente.c).
ALIASES = {"server": ["servidor"], "client": ["cliente"]}
COMMAND_OF_ALIAS = {alias: name for name, aliases in ALIASES.items() for alias in aliases}


def add_lang(parser: argparse.ArgumentParser, default: str | None) -> None:
    """--lang es|en: the interface's language (read before parsing, see main)."""
    parser.add_argument("--lang", choices=i18n.LANGUAGES, default=default,
                        help=_("language of the messages: es (Spanish) or en (English); "
                               "default: as the locale says (LANGUAGE, LC_ALL, "
                               "LC_MESSAGES, LANG)"))


def _add_trace(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trace", action="store_true",
                        help=_("write every C call and its result to stderr, as strace "
                               "and CSOCK_TRACE=1 print them"))


def _add_hints(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--hints", action="store_true",
                        help=_("the trace, plus one short line under a failed or "
                               "suspicious call saying what probably went wrong (as "
                               "CSOCK_TRACE=hints)"))


def _listener_arguments(parser: argparse.ArgumentParser, port: int, max_clients: int,
                        max_help: str) -> None:
    """[PORT] --host --max-clients --trace: the arguments of a server."""
    parser.add_argument("port", nargs="?", type=port_number, default=port, metavar="PORT",
                        help=_("TCP port, 0 for any free one (default {port})").format(port=port))
    parser.add_argument("--host", default=DEFAULT_HOST, metavar="H",
                        help=_("address to bind (default {host}): {hint}").format(
                            host=DEFAULT_HOST, hint=_(HOST_HELP)))
    parser.add_argument("--max-clients", type=count, default=max_clients, metavar="N",
                        help=max_help)
    _add_trace(parser)


HOST_HELP = i18n.N_("numeric address: a dotted-quad IPv4 address (127.0.0.1), an IPv6 "
                    "literal (::1) or localhost; names are never looked up, and short IPv4 "
                    "forms (1.2.3) are refused")


_CONNECT_TIMEOUT_HELP = i18n.N_("give up when connect, or any one send or recv, makes no "
                                "progress for SECONDS (default {default:g}; 0: wait forever)")
# serve-file connects nowhere and receives nothing: its timeout is the sends'.
_SEND_TIMEOUT_HELP = i18n.N_("give up on a client (and reset it) when any one send makes no "
                             "progress for SECONDS (default {default:g}; 0: wait forever)")


def _add_timeout(parser: argparse.ArgumentParser, text: str = _CONNECT_TIMEOUT_HELP) -> None:
    parser.add_argument("--timeout", type=seconds, default=DEFAULT_TIMEOUT, metavar="SECONDS",
                        help=_(text).format(default=DEFAULT_TIMEOUT))


def _connect_arguments(parser: argparse.ArgumentParser, port: int,
                       *between: tuple[str, str, str]) -> None:
    """HOST [between...] [PORT] --timeout --trace: the arguments of a client."""
    parser.add_argument("host", metavar="HOST", help=_(HOST_HELP))
    for name, metavar, text in between:
        parser.add_argument(name, metavar=metavar, help=text)
    parser.add_argument("port", nargs="?", type=port_number, default=port, metavar="PORT",
                        help=_("TCP port (default {port})").format(port=port))
    _add_timeout(parser)
    _add_trace(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="csock", formatter_class=Formatter,
        description=fit(_("The C sockets tutorial's programs, written on csock.c "
                          "(the C Berkeley sockets API called from Python).")),
        epilog=_("examples:") + "\n"
               "  python -m csock demo\n  python -m csock server 10000\n"
               "  python -m csock client 127.0.0.1 10000")
    parser.add_argument("--version", action="version", version=f"csock {__version__}",
                        help=_("print csock's version and exit"))
    add_lang(parser, None)
    subs = parser.add_subparsers(dest="command", metavar=_("SUBCOMMAND"), required=True)

    demo = _sub(subs, "demo", _("run server and client on loopback, showing every C call"),
         _("Start the tutorial server on 127.0.0.1 (a free port), connect a client, "
           "exchange the greeting and a line,\nthen send a 100 KiB generated file in "
           "1024-byte blocks over a second connection and check its sha256.\n"
           "Prints a transcript of the C calls and their results; exits 0 on success."),
         "  python -m csock demo")
    demo.add_argument("--states", action="store_true",
                      help=_("after each call that changes them, the states of the demo's "
                             "sockets as the kernel reports them (LISTEN, ESTABLISHED, "
                             "TIME_WAIT...)"))
    demo.add_argument("--diagram", metavar="FILE.svg",
                      help=_("also draw the demo as a sequence diagram (SVG): client and "
                             "server, each C call, the bytes that cross, the states"))
    _add_hints(demo)
    demo.add_argument("--step", action="store_true",
                      help=_("wait for Enter between steps (for a class); goes on at end "
                             "of input"))

    sizes = _sub(subs, "sizes", _("print the sizes of the socket structs"),
                 _("Print sizeof() of each socket struct, as this machine's compiler "
                   "laid it out. The first line is estructurastam.c's own output, in "
                   "Spanish as the C program prints it, whatever --lang says."),
                 "  python -m csock sizes")
    _sizes_cmd.add_arguments(sizes)

    server = _sub(subs, "server",
                  _("the tutorial server: greet clients, print what they send"),
                  _("Listen on HOST:PORT (SO_REUSEADDR, backlog 2), print 'Escuchando en el "
                    "puerto N' on stderr,\ngreet each client with 'Bienvenido al Eagle14!' "
                    "and print '> [IP]: DATA' for what it sends.\nClients are served one "
                    "after another; Ctrl-C stops the server."),
                  "  python -m csock server 10000 --host 127.0.0.1\n"
                  "  python -m csock server 0 --max-clients 1   # "
                  + _("any free port, one client"))
    _listener_arguments(server, SERVER_PORT, max_clients=0,
                        max_help=_("exit after serving N clients (default 0: never)"))
    _add_hints(server)

    client = _sub(subs, "client",
                  _("the tutorial client: print the greeting, send stdin lines"),
                  _("Connect to HOST:PORT, print the server's greeting, send each line read "
                    "from stdin;\nexit at end of input."),
                  "  printf 'hola\\n' | python -m csock client 127.0.0.1 10000")
    _connect_arguments(client, SERVER_PORT)
    _add_hints(client)

    serve = _sub(subs, "serve-file", _("send a file to each client, in 1024-byte blocks"),
                 _("Listen on HOST:PORT and send FILE to each client that connects, in "
                 "1024-byte blocks,\nthen close the connection. FILE (a regular file) is "
                 "read before any socket is created,\nand its size and sha256 printed on "
                 "stdout as the options fetch-file checks them with:\n"
                 "  --expect-size 1234 --expect-sha256 abcd...\n"
                 "A client that cannot get the whole file (an error, a timeout, Ctrl-C) is "
                 "reset (SO_LINGER 0),\nso it sees a failure, never a short file that looks "
                 "complete. Ctrl-C while idle exits 0;\nCtrl-C in the middle of a file "
                 "exits 130. Exit status 1 if any client's transfer failed."),
                 "  python -m csock serve-file informe.pdf 10001 --max-clients 3")
    serve.add_argument("file", metavar="FILE", help=_("the file to send"))
    _listener_arguments(serve, FILE_PORT, max_clients=1,
                        max_help=_("exit after N clients (default 1; 0: never)"))
    _add_timeout(serve, _SEND_TIMEOUT_HELP)

    fetch = _sub(subs, "fetch-file", _("receive a file from serve-file"),
                 _("Connect to HOST:PORT and write everything received to OUTFILE.part, "
                 "showing progress on stderr;\nafter a clean end of stream (and the "
                 "--expect-* checks) rename it over OUTFILE and print\nits sha256 and "
                 "size on stdout. On a reset, a timeout, Ctrl-C, a write error or a failed\n"
                 "check, OUTFILE is left as it was, what arrived stays in OUTFILE.part, and "
                 "the status is\nnon-zero (130 for Ctrl-C). The tutorial's protocol ends "
                 "a file by closing the connection,\nso a sender killed outright looks "
                 "like a complete file: --expect-size and --expect-sha256\n(serve-file "
                 "prints both) tell the two apart."),
                 "  python -m csock fetch-file 127.0.0.1 copia.pdf 10001\n"
                 "  python -m csock fetch-file 127.0.0.1 copia.pdf 10001 \\\n"
                 "      --expect-size 1234 --expect-sha256 abcd...")
    _connect_arguments(fetch, FILE_PORT, ("outfile", "OUTFILE",
                                          _("where to write (replaced only by a whole "
                                            "copy)")))
    fetch.add_argument("--expect-size", type=count, metavar="N",
                       help=_("fail unless exactly N bytes arrive (serve-file prints N)"))
    fetch.add_argument("--expect-sha256", type=sha256_hex, metavar="HEX",
                       help=_("fail unless the copy's sha256 is HEX (serve-file prints "
                              "it)"))

    explain = subs.add_parser("explain", help=_("a socket address's bytes, explained"),
                              description=fit(_(_explain_cmd.DESCRIPTION)),
                              epilog=_(_explain_cmd.EXAMPLES), formatter_class=Formatter)
    add_lang(explain, argparse.SUPPRESS)
    _explain_cmd.add_arguments(explain)

    from csock.cli import netstat
    ns = subs.add_parser("netstat", help=_("the machine's sockets and their states"),
                         description=fit(_(netstat.DESCRIPTION)),
                         epilog=_(netstat.EXAMPLES), formatter_class=Formatter)
    add_lang(ns, argparse.SUPPRESS)
    netstat.add_arguments(ns)

    from csock.port import cli as port_cli
    port_cmd = _sub(subs, "port", _("translate a C socket program into its Python port"),
                    _(port_cli.DESCRIPTION), port_cli.EXAMPLE)
    port_cli.add_arguments(port_cmd)
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    from csock.cli import commands as cmd

    command: str = COMMAND_OF_ALIAS.get(args.command, args.command)
    if command == "demo":
        from csock.cli.demo import run_demo

        def out(line: str) -> None:
            print(line, flush=True)
        return run_demo(out, states=args.states, step=args.step, diagram=args.diagram,
                        hints=args.hints)
    if command == "sizes":
        return _sizes_cmd.run(args)
    if command == "explain":
        try:
            return _explain_cmd.run(args)
        except _explain_cmd.ExplainError as exc:
            usage = CliError(str(exc))
            usage.status = 2  # bad STRUCT or ADDRESS: a usage error, as sizes --struct
            raise usage from None
    if command == "netstat":
        from csock.cli import netstat

        return netstat.run(args)
    if command == "port":
        from csock.port import cli as port_cli

        return port_cli.run(args)
    if command == "server":
        return cmd.run_server(args.host, args.port, args.max_clients, args.trace,
                              args.hints)
    if command == "client":
        return cmd.run_client(args.host, args.port, args.trace, timeout_ms(args.timeout),
                              hints=args.hints)
    if command == "serve-file":
        return cmd.run_serve_file(args.file, args.host, args.port, args.max_clients, args.trace,
                                  timeout_ms(args.timeout))
    if command == "fetch-file":
        return cmd.run_fetch_file(args.host, args.outfile, args.port, args.trace,
                                  timeout_ms(args.timeout), args.expect_size, args.expect_sha256)
    raise AssertionError(command)


# Ctrl-C is the normal way to stop these; the others report an interruption.
QUIET_ON_INTERRUPT = {"server", "serve-file", "client"}


# The status of a C program killed by SIGPIPE, as the shell reports it.
EXIT_BROKEN_PIPE = 128 + 13


def main(argv: list[str] | None = None) -> int:
    """Run the command; a reader that went away (``csock demo | head -3``) ends it quietly."""
    try:
        status = _main(argv)
        sys.stdout.flush()  # here, not at exit, where a closed pipe prints a warning
        return status
    except BrokenPipeError:
        _silence_closed_pipes()
        return EXIT_BROKEN_PIPE


def _silence_closed_pipes() -> None:
    """Point a closed stdout or stderr at /dev/null, so the flush at exit is silent.

    As the Python documentation advises for SIGPIPE: the reader is gone, the
    rest of the output has nowhere to go, and that is not an error to report.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        for stream in (sys.stdout, sys.stderr):
            try:
                stream.flush()
            except (OSError, ValueError):  # closed: no more output, and none at exit
                with contextlib.suppress(OSError, ValueError):
                    os.dup2(devnull, stream.fileno())
    finally:
        os.close(devnull)


def _main(argv: list[str] | None) -> int:
    if argv is None:
        argv = sys.argv[1:]
    # The language first: the parser's help texts are translated as it is built.
    i18n.use(i18n.lang_from_argv(argv))
    args = build_parser().parse_args(argv)
    command: str = args.command

    def fail(message: str, status: int = 1) -> int:
        print(f"csock {command}: {message}", file=sys.stderr, flush=True)
        return status

    def interrupted() -> int:
        return 0 if COMMAND_OF_ALIAS.get(command, command) in QUIET_ON_INTERRUPT \
            else fail(_("interrupted"), 130)

    try:
        try:
            return _dispatch(args)
        except (CError, CliError) as exc:
            if isinstance(exc, CError) and exc.errno == errno.EINTR:
                # Ctrl-C broke a blocking call; Python raises KeyboardInterrupt next.
                return interrupted()
            return fail(str(exc), exc.status if isinstance(exc, CliError) else 1)
        except BrokenPipeError:  # our stdout or stderr, not a socket (those are CError)
            raise
        except OSError as exc:  # a Python-side file operation (the demo's temp files)
            if isinstance(exc.filename, (str, bytes)) and exc.strerror:
                return fail(f"{shown(os.fsdecode(exc.filename))}: {exc.strerror}")
            return fail(f"{exc.strerror or exc}")
        except Exception as exc:  # a bug: still one line, naming the exception
            return fail(_("internal error (please report it): {kind}: {exc}").format(
                kind=type(exc).__name__, exc=exc))
    except KeyboardInterrupt:
        return interrupted()


if __name__ == "__main__":
    sys.exit(main())
