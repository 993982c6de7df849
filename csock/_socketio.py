"""The raw file object behind Socket.makefile(), as socket.SocketIO is for socket."""

from __future__ import annotations

import io
from typing import TYPE_CHECKING, Any

from csock._csock import lib

if TYPE_CHECKING:
    from csock._socket import Socket

_BLOCKING = (lib.EAGAIN, lib.EWOULDBLOCK)


class SocketIO(io.RawIOBase):
    """A raw I/O stream over a Socket (modes "r", "w", "rw")."""

    def __init__(self, sock: Socket, mode: str) -> None:
        if mode not in ("r", "w", "rw", "rb", "wb", "rwb"):
            raise ValueError(f"invalid mode: {mode!r}")
        super().__init__()
        self._sock = sock
        if "b" not in mode:
            mode += "b"
        self._mode = mode
        self._reading = "r" in mode
        self._writing = "w" in mode
        self._timeout_occurred = False

    def readinto(self, b: Any) -> int | None:
        self._checkClosed()
        if not self._reading:
            raise io.UnsupportedOperation("File or stream is not readable.")
        if self._timeout_occurred:
            raise OSError("cannot read from timed out object")
        try:
            return self._sock.recv_into(b)
        except TimeoutError:
            self._timeout_occurred = True
            raise
        except OSError as e:
            if e.errno in _BLOCKING:
                return None
            raise

    def write(self, b: Any) -> int | None:
        self._checkClosed()
        if not self._writing:
            raise io.UnsupportedOperation("File or stream is not writable.")
        try:
            return self._sock.send(b)
        except OSError as e:
            if e.errno in _BLOCKING:
                return None
            raise

    def readable(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on closed socket.")
        return self._reading

    def writable(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on closed socket.")
        return self._writing

    def seekable(self) -> bool:
        if self.closed:
            raise ValueError("I/O operation on closed socket.")
        return False

    def fileno(self) -> int:
        self._checkClosed()
        return self._sock.fileno()

    @property
    def name(self) -> int:
        return self.fileno() if not self.closed else -1

    @property
    def mode(self) -> str:
        return self._mode

    def close(self) -> None:
        if self.closed:
            return
        super().close()
        self._sock._decref_socketios()
        self._sock = None  # type: ignore[assignment]
