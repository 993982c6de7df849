"""csock.Socket's hot paths: recv, recv_into, send, sendall (all of its sends,
when the socket has no timeout) and recvmmsg, C functions on CPython's
stable C API in csock's cffi-built module (see csock/_cdefs/csock_hot.py).
Importing this module installs them here."""

from csock._csock import lib

if lib.csockrt_hot_install(__name__.encode()) != 0:
    raise ImportError("csock: the C runtime could not install its hot paths in " + __name__)
