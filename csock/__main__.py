"""``python -m csock``: the tutorial's programs, on the raw C namespace csock.c.

Subcommands: demo, sizes, server, client, serve-file, fetch-file, explain. Run
``python -m csock SUBCOMMAND --help`` for each one's arguments and an example.
Failures print one line on stderr (``csock server: cannot bind
127.0.0.1:10000: Address already in use``) and exit with status 1. A reader
that goes away (``python -m csock demo | head -3``) ends the command quietly,
with status 141 as for a C program killed by SIGPIPE.
"""

from __future__ import annotations

import argparse
import contextlib
import errno
import os
import sys

from csock import _explain_cmd, _sizes_cmd
from csock._cli_c import CError, CliError

SERVER_PORT = 10000
FILE_PORT = 10001
DEFAULT_HOST = "127.0.0.1"


def port_number(text: str) -> int:
    """argparse type: a TCP port, 0 (any free port) to 65535."""
    try:
        port = int(text, 10)
    except ValueError:
        raise argparse.ArgumentTypeError(f"invalid port {text!r}: not a number") from None
    if not 0 <= port <= 65535:
        raise argparse.ArgumentTypeError(f"invalid port {port}: must be 0 to 65535")
    return port


def count(text: str) -> int:
    try:
        value = int(text, 10)
    except ValueError:
        value = -1
    if value < 0:
        raise argparse.ArgumentTypeError(f"invalid count {text!r}: must be 0 or more")
    return value


Formatter = argparse.RawDescriptionHelpFormatter


def _sub(subs: argparse._SubParsersAction[argparse.ArgumentParser], name: str,
         summary: str, description: str, example: str) -> argparse.ArgumentParser:
    return subs.add_parser(name, help=summary, description=description,
                           epilog="example:\n" + example, formatter_class=Formatter)


def _add_trace(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--trace", action="store_true",
                        help="write every C call and its result to stderr, as strace "
                             "and CSOCK_TRACE=1 print them")


def _listener_arguments(parser: argparse.ArgumentParser, port: int, max_clients: int,
                        max_help: str) -> None:
    """[PORT] --host --max-clients --trace: the arguments of a server."""
    parser.add_argument("port", nargs="?", type=port_number, default=port, metavar="PORT",
                        help=f"TCP port, 0 for any free one (default {port})")
    parser.add_argument("--host", default=DEFAULT_HOST, metavar="H",
                        help=f"numeric IPv4 address or localhost to bind (default {DEFAULT_HOST})")
    parser.add_argument("--max-clients", type=count, default=max_clients, metavar="N",
                        help=max_help)
    _add_trace(parser)


def _connect_arguments(parser: argparse.ArgumentParser, port: int,
                       *between: tuple[str, str, str]) -> None:
    """HOST [between...] [PORT] --trace: the arguments of a client."""
    parser.add_argument("host", metavar="HOST", help="numeric IPv4 address or localhost")
    for name, metavar, text in between:
        parser.add_argument(name, metavar=metavar, help=text)
    parser.add_argument("port", nargs="?", type=port_number, default=port, metavar="PORT",
                        help=f"TCP port (default {port})")
    _add_trace(parser)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="csock", formatter_class=Formatter,
        description="The C sockets tutorial's programs, written on csock.c "
                    "(the C Berkeley sockets API called from Python).",
        epilog="examples:\n  python -m csock demo\n  python -m csock server 10000\n"
               "  python -m csock client 127.0.0.1 10000")
    subs = parser.add_subparsers(dest="command", metavar="SUBCOMMAND", required=True)

    _sub(subs, "demo", "run server and client on loopback, showing every C call",
         "Start the tutorial server on 127.0.0.1 (a free port), connect a client, "
         "exchange the greeting and a line,\nthen send a 100 KiB generated file in "
         "1024-byte blocks over a second connection and check its sha256.\n"
         "Prints a transcript of the C calls and their results; exits 0 on success.",
         "  python -m csock demo")

    sizes = _sub(subs, "sizes", "print the sizes of the socket structs",
                 "Print sizeof() of each socket struct, as this machine's compiler "
                 "laid it out.", "  python -m csock sizes")
    _sizes_cmd.add_arguments(sizes)

    server = _sub(subs, "server", "the tutorial server: greet clients, print what they send",
                  "Listen on HOST:PORT (SO_REUSEADDR, backlog 2), print 'Escuchando en el "
                  "puerto N' on stderr,\ngreet each client with 'Bienvenido al Eagle14!' "
                  "and print '> [IP]: DATA' for what it sends.\nClients are served one "
                  "after another; Ctrl-C stops the server.",
                  "  python -m csock server 10000 --host 127.0.0.1\n"
                  "  python -m csock server 0 --max-clients 1   # any free port, one client")
    _listener_arguments(server, SERVER_PORT, max_clients=0,
                        max_help="exit after serving N clients (default 0: never)")

    client = _sub(subs, "client", "the tutorial client: print the greeting, send stdin lines",
                  "Connect to HOST:PORT, print the server's greeting, send each line read "
                  "from stdin;\nexit at end of input.",
                  "  printf 'hola\\n' | python -m csock client 127.0.0.1 10000")
    _connect_arguments(client, SERVER_PORT)

    serve = _sub(subs, "serve-file", "send a file to each client, in 1024-byte blocks",
                 "Listen on HOST:PORT and send FILE to each client that connects, in "
                 "1024-byte blocks,\nthen close the connection. FILE is checked before "
                 "any socket is created.",
                 "  python -m csock serve-file informe.pdf 10001 --max-clients 3")
    serve.add_argument("file", metavar="FILE", help="the file to send")
    _listener_arguments(serve, FILE_PORT, max_clients=1,
                        max_help="exit after N clients (default 1; 0: never)")

    fetch = _sub(subs, "fetch-file", "receive a file from serve-file",
                 "Connect to HOST:PORT and write everything received to OUTFILE, showing "
                 "progress on stderr;\nprint its sha256 and size on stdout at the end.",
                 "  python -m csock fetch-file 127.0.0.1 copia.pdf 10001")
    _connect_arguments(fetch, FILE_PORT, ("outfile", "OUTFILE", "where to write (replaced)"))

    explain = subs.add_parser("explain", help="a socket address's bytes, explained",
                              description=_explain_cmd.DESCRIPTION,
                              epilog=_explain_cmd.EXAMPLES, formatter_class=Formatter)
    _explain_cmd.add_arguments(explain)
    return parser


def _dispatch(args: argparse.Namespace) -> int:
    from csock import _cli_commands as cmd

    command: str = args.command
    if command == "demo":
        from csock._cli_demo import run_demo

        def out(line: str) -> None:
            print(line, flush=True)
        return run_demo(out)
    if command == "sizes":
        return _sizes_cmd.run(args)
    if command == "explain":
        try:
            return _explain_cmd.run(args)
        except _explain_cmd.ExplainError as exc:
            raise CliError(str(exc)) from None
    if command == "server":
        return cmd.run_server(args.host, args.port, args.max_clients, args.trace)
    if command == "client":
        return cmd.run_client(args.host, args.port, args.trace)
    if command == "serve-file":
        return cmd.run_serve_file(args.file, args.host, args.port, args.max_clients, args.trace)
    if command == "fetch-file":
        return cmd.run_fetch_file(args.host, args.outfile, args.port, args.trace)
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
    args = build_parser().parse_args(argv)
    command: str = args.command

    def fail(message: str, status: int = 1) -> int:
        print(f"csock {command}: {message}", file=sys.stderr, flush=True)
        return status

    def interrupted() -> int:
        return 0 if command in QUIET_ON_INTERRUPT else fail("interrupted", 130)

    try:
        try:
            return _dispatch(args)
        except (CError, CliError) as exc:
            if isinstance(exc, CError) and exc.errno == errno.EINTR:
                # Ctrl-C broke a blocking call; Python raises KeyboardInterrupt next.
                return interrupted()
            return fail(str(exc))
        except BrokenPipeError:  # our stdout or stderr, not a socket (those are CError)
            raise
        except OSError as exc:  # a Python-side file operation (the demo's temp files)
            return fail(f"{exc.strerror or exc}")
    except KeyboardInterrupt:
        return interrupted()


if __name__ == "__main__":
    sys.exit(main())
