"""``python -m csock sizes``: struct sizes, as the compiler laid them out."""

from __future__ import annotations

import argparse

from csock._csock import ffi

# Every struct the binding declares, by its C spelling.
STRUCTS = [
    "struct sockaddr",
    "struct sockaddr_in",
    "struct in_addr",
    "struct sockaddr_in6",
    "struct in6_addr",
    "struct sockaddr_un",
    "struct sockaddr_storage",
    "struct hostent",
    "struct servent",
    "struct addrinfo",
    "struct linger",
    "struct timeval",
    "struct pollfd",
    "fd_set",
    "struct msghdr",
    "struct iovec",
    "struct cmsghdr",
]


def estructurastam_line() -> str:
    """The line the tutorial's estructurastam.c prints, sizes from sizeof."""
    return "Sockaddr: %d bytes y Sockaddr_in: %d bytes" % (
        ffi.sizeof("struct sockaddr"),
        ffi.sizeof("struct sockaddr_in"),
    )


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Options of the sizes subcommand (none yet)."""


def run(args: argparse.Namespace) -> int:
    print(estructurastam_line())
    for name in STRUCTS:
        print(f"{name}: {ffi.sizeof(name)} bytes")
    return 0
