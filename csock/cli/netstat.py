"""``python -m csock netstat``: the machine's sockets, as ``netstat -putona`` lists them.

Source: the kernel's NETLINK_SOCK_DIAG interface, as ``ss`` reads it (one
dump request per family and protocol: TCP and UDP over IPv4 and IPv6, and
AF_UNIX), sent and received with csock.c's own socket(), sendto() and recv()
on an AF_NETLINK socket. Why not /proc/net/tcp as netstat reads it: the
netlink answer is binary structs (``struct inet_diag_msg``, ``struct
unix_diag_msg``, declared in csock/_cdefs/linux_sock_diag.py), so reading it
is itself a lesson in C structs and byte order, and it is the interface the
kernel keeps extending (/proc/net is kept for compatibility). States are
always what the kernel reports, never inferred from the calls a program made.

Each socket's inode is matched to the process holding it by reading
/proc/PID/fd (``socket:[INODE]`` links), as netstat -p does; a process of
another user shows ``-`` unless csock runs as root. A Python process is named
by its script (``servidor.py``), or its module for ``python -m``, not
``python``. Sockets without an inode (TIME_WAIT, or a connection still
waiting in a listener's backlog) belong to no process yet.
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

import csock.c as c

# The owner lookup lives in the library (the trace's hints use it too).
from csock._owners import program_name as program_name
from csock._owners import socket_owners
from csock.cli.cbridge import CError
from csock.cli.i18n import N_, _

# Untraced: the demo's transcript (csock.c.tracing) must show its own calls only.
lib = c.lib

ALL_STATES = 0xFFFFFFFF
RECV_SIZE = 65536

# The kernel's numbering (include/net/tcp_states.h), by csock.c's constants.
TCP_STATES = {
    c.TCP_ESTABLISHED: "ESTABLISHED", c.TCP_SYN_SENT: "SYN_SENT", c.TCP_SYN_RECV: "SYN_RECV",
    c.TCP_FIN_WAIT1: "FIN_WAIT1", c.TCP_FIN_WAIT2: "FIN_WAIT2", c.TCP_TIME_WAIT: "TIME_WAIT",
    c.TCP_CLOSE: "CLOSE", c.TCP_CLOSE_WAIT: "CLOSE_WAIT", c.TCP_LAST_ACK: "LAST_ACK",
    c.TCP_LISTEN: "LISTEN", c.TCP_CLOSING: "CLOSING",
}
# netstat's words: a UDP socket is ESTABLISHED once connect()ed, else blank;
# an AF_UNIX socket is LISTENING, CONNECTED or blank (netstat -x).
UDP_STATES = {c.TCP_ESTABLISHED: "ESTABLISHED"}
UNIX_STATES = {c.TCP_LISTEN: "LISTENING", c.TCP_ESTABLISHED: "CONNECTED",
               c.TCP_SYN_SENT: "CONNECTING"}
UNIX_TYPES = {c.SOCK_STREAM: "STREAM", c.SOCK_DGRAM: "DGRAM", c.SOCK_SEQPACKET: "SEQPACKET"}


@dataclass(frozen=True)
class Row:
    """One socket, as the kernel reports it."""

    proto: str  # tcp, tcp6, udp, udp6, unix
    recv_q: int
    send_q: int
    local: str
    foreign: str
    state: str  # netstat's word for the state ("" for an unconnected UDP socket)
    kstate: int  # the kernel's number (TCP_LISTEN...)
    inode: int
    local_port: int = 0
    foreign_port: int = 0
    pid: int | None = None
    program: str = ""
    kind: str = ""  # an AF_UNIX socket's type: STREAM, DGRAM, SEQPACKET

    @property
    def owner(self) -> str:
        return f"{self.pid}/{self.program}" if self.pid is not None else "-"

    def listening(self) -> bool:
        """netstat -l: a listening socket, or a UDP socket waiting for anyone."""
        return self.kstate == c.TCP_LISTEN or (
            self.proto.startswith("udp") and self.kstate == c.TCP_CLOSE)


# ---------------------------------------------------------------- netlink

def _align(n: int) -> int:
    """NLMSG_ALIGN: netlink messages and attributes start at multiples of 4."""
    a = int(c.NLMSG_ALIGNTO)
    return (n + a - 1) & ~(a - 1)


HDR = c.sizeof("struct nlmsghdr")
ATTR = c.sizeof("struct nlattr")


def _dump(req_type: str, fill: dict[str, int]) -> Iterator[tuple[c.CData, int]]:
    """Send one SOCK_DIAG_BY_FAMILY dump request; yield (payload pointer, length)."""
    fd = lib.socket(c.AF_NETLINK, c.SOCK_RAW | c.SOCK_CLOEXEC, c.NETLINK_SOCK_DIAG)
    if fd < 0:
        raise CError(c.errno, _("cannot open a NETLINK_SOCK_DIAG socket"))
    try:
        size = HDR + c.sizeof(req_type)
        msg = c.new("char[]", size)
        hdr = c.cast("struct nlmsghdr *", msg)
        hdr.nlmsg_len = size
        hdr.nlmsg_type = c.SOCK_DIAG_BY_FAMILY
        hdr.nlmsg_flags = c.NLM_F_REQUEST | c.NLM_F_DUMP
        hdr.nlmsg_seq = 1
        req = c.cast(req_type + " *", msg + HDR)
        for name, value in fill.items():
            setattr(req, name, value)
        kernel = c.new("struct sockaddr_nl *", {"nl_family": c.AF_NETLINK})
        if lib.sendto(fd, msg, size, 0, c.cast("struct sockaddr *", kernel),
                      c.sizeof("struct sockaddr_nl")) < 0:
            raise CError(c.errno, _("cannot ask the kernel for its sockets"))
        buf = c.new("char[]", RECV_SIZE)
        while True:
            n = lib.recv(fd, buf, RECV_SIZE, 0)
            if n < 0:
                raise CError(c.errno, _("cannot read the kernel's socket table"))
            off = 0
            while off + HDR <= n:
                h = c.cast("struct nlmsghdr *", buf + off)
                length = int(h.nlmsg_len)
                if length < HDR or off + length > n:
                    return  # a malformed message: stop rather than read past it
                if h.nlmsg_type == c.NLMSG_DONE:
                    return
                if h.nlmsg_type == c.NLMSG_ERROR:
                    err = -int(c.cast("struct nlmsgerr *", buf + off + HDR).error)
                    if err:
                        raise CError(err, _("the kernel refused the socket dump"))
                    return
                yield buf + off + HDR, length - HDR
                off += _align(length)
            if n == 0:
                return
    finally:
        lib.close(fd)


def _ntop(family: int, ptr: c.CData) -> str:
    out = c.new("char[]", 64)
    if lib.inet_ntop(family, ptr, out, 64) == c.NULL:
        return "?"
    return c.string(out).decode()


def _endpoint(family: int, addr: c.CData, port: int) -> str:
    return f"{_ntop(family, addr)}:{port if port else '*'}"


def inet_rows(family: int, protocol: int) -> list[Row]:
    """TCP or UDP sockets of one family (AF_INET or AF_INET6)."""
    proto = {c.IPPROTO_TCP: "tcp", c.IPPROTO_UDP: "udp"}[protocol]
    proto += "6" if family == c.AF_INET6 else ""
    names = TCP_STATES if protocol == c.IPPROTO_TCP else UDP_STATES
    rows = []
    fill = {"sdiag_family": family, "sdiag_protocol": protocol, "idiag_states": ALL_STATES}
    for payload, _length in _dump("struct inet_diag_req_v2", fill):
        m = c.cast("struct inet_diag_msg *", payload)
        sport, dport = lib.ntohs(m.id.idiag_sport), lib.ntohs(m.id.idiag_dport)
        rows.append(Row(
            proto=proto, recv_q=int(m.idiag_rqueue), send_q=int(m.idiag_wqueue),
            local=_endpoint(family, m.id.idiag_src, sport),
            foreign=_endpoint(family, m.id.idiag_dst, dport),
            state=names.get(m.idiag_state, "" if protocol == c.IPPROTO_UDP
                            else str(m.idiag_state)),
            kstate=int(m.idiag_state), inode=int(m.idiag_inode),
            local_port=sport, foreign_port=dport))
    return rows


def _unix_attrs(payload: c.CData, length: int) -> dict[int, bytes]:
    attrs = {}
    off = _align(c.sizeof("struct unix_diag_msg"))
    while off + ATTR <= length:
        a = c.cast("struct nlattr *", payload + off)
        alen = int(a.nla_len)
        if alen < ATTR or off + alen > length:
            break
        attrs[int(a.nla_type)] = bytes(c.buffer(payload + off + ATTR, alen - ATTR))
        off += _align(alen)
    return attrs


def _unix_name(raw: bytes | None) -> str:
    if not raw:
        return "*"
    if raw[:1] == b"\0":  # an abstract name, as ss writes it
        return "@" + raw[1:].decode(errors="backslashreplace")
    return raw.rstrip(b"\0").decode(errors="backslashreplace")


def unix_rows() -> list[Row]:
    """AF_UNIX sockets: path (or @abstract name), peer, state."""
    show = c.UDIAG_SHOW_NAME | c.UDIAG_SHOW_PEER | c.UDIAG_SHOW_RQLEN
    fill = {"sdiag_family": c.AF_UNIX, "udiag_states": ALL_STATES, "udiag_show": show}
    raw = []
    for payload, length in _dump("struct unix_diag_req", fill):
        m = c.cast("struct unix_diag_msg *", payload)
        raw.append((int(m.udiag_ino), int(m.udiag_type), int(m.udiag_state),
                    _unix_attrs(payload, length)))
    names = {ino: _unix_name(attrs.get(c.UNIX_DIAG_NAME)) for ino, _t, _s, attrs in raw}
    rows = []
    for ino, stype, state, attrs in raw:
        recv_q = send_q = 0
        rq = attrs.get(c.UNIX_DIAG_RQLEN)
        if rq is not None and len(rq) >= c.sizeof("struct unix_diag_rqlen"):
            q = c.new("struct unix_diag_rqlen *")
            c.buffer(q)[:] = rq[:c.sizeof("struct unix_diag_rqlen")]
            recv_q, send_q = int(q.udiag_rqueue), int(q.udiag_wqueue)
        peer = attrs.get(c.UNIX_DIAG_PEER)
        peer_ino = int.from_bytes(peer[:4], sys.byteorder) if peer and len(peer) >= 4 else 0
        foreign = names.get(peer_ino, "*") if peer_ino else "*"
        kind = UNIX_TYPES.get(stype, str(stype))
        rows.append(Row(proto="unix", recv_q=recv_q, send_q=send_q, local=names[ino],
                        foreign=foreign, state=UNIX_STATES.get(state, ""), kstate=state,
                        inode=ino, kind=kind))
    return rows


# ---------------------------------------------------------------- /proc

def sockets(tcp: bool = True, udp: bool = True, unix: bool = True,
            owners: bool = True) -> list[Row]:
    """Every socket the kernel reports, with its owner where /proc tells."""
    rows: list[Row] = []
    for family in (c.AF_INET, c.AF_INET6):
        if tcp:
            rows += inet_rows(family, c.IPPROTO_TCP)
        if udp:
            rows += inet_rows(family, c.IPPROTO_UDP)
    if unix:
        rows += unix_rows()
    if not owners:
        return rows
    table = socket_owners()
    out = []
    for row in rows:
        pid, program = table.get(row.inode, (None, "")) if row.inode else (None, "")
        out.append(Row(**{**row.__dict__, "pid": pid, "program": program}))
    return out


# ---------------------------------------------------------------- the command

HEADER = (N_("Proto"), N_("Recv-Q"), N_("Send-Q"), N_("Local Address"), N_("Foreign Address"),
          N_("State"), N_("PID/Program name"))


def format_row(cols: Iterable[str]) -> str:
    proto, rq, sq, local, foreign, state, owner = cols
    return f"{proto:<5} {rq:>6} {sq:>6} {local:<23} {foreign:<23} {state:<11} {owner}".rstrip()


def table(rows: Iterable[Row]) -> list[str]:
    lines = [format_row(_(h) for h in HEADER)]
    for r in rows:
        lines.append(format_row((r.proto, str(r.recv_q), str(r.send_q), r.local, r.foreign,
                                 r.state, r.owner)))
    return lines


def select(rows: Iterable[Row], pid: int | None = None, port: int | None = None,
           listening: bool = False) -> list[Row]:
    """netstat's filters: owner pid, local or foreign port, listening sockets."""
    out = []
    for r in rows:
        if pid is not None and r.pid != pid:
            continue
        if port is not None and port not in (r.local_port, r.foreign_port):
            continue
        if listening and not r.listening():
            continue
        out.append(r)
    return out


DESCRIPTION = N_(
    "List the machine's sockets as netstat -putona does: protocol, queues, local and\n"
    "foreign address, state and owning process. TCP and UDP over IPv4 and IPv6, and\n"
    "AF_UNIX. States come from the kernel (NETLINK_SOCK_DIAG, as ss reads them);\n"
    "owners from /proc/PID/fd. A Python program is shown by its script's name.")
EXAMPLES = N_("examples:\n  python -m csock netstat --listening\n"
             "  python -m csock netstat --port 10000\n  python -m csock netstat --pid 1234\n")


def add_arguments(parser: argparse.ArgumentParser) -> None:
    from csock.cli.main import port_number, process_id

    parser.add_argument("--pid", type=process_id, metavar="PID",
                        help=_("only the sockets of process PID"))
    parser.add_argument("--port", type=port_number, metavar="PORT",
                        help=_("only sockets whose local or foreign port is PORT"))
    parser.add_argument("-l", "--listening", action="store_true",
                        help=_("only listening sockets (and UDP sockets not connected)"))
    parser.add_argument("--no-unix", action="store_true",
                        help=_("leave out AF_UNIX sockets"))


def run(args: argparse.Namespace) -> int:
    rows = select(sockets(unix=not args.no_unix), args.pid, args.port, args.listening)
    for line in table(rows):
        print(line)
    return 0
