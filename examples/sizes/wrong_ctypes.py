"""A hand-written ctypes struct sockaddr_in with a mistake: a 4-byte port.

sin_port is in_port_t, 2 bytes. Declared c_uint32, it is aligned to 4, which
moves it to offset 4 and pushes every later field 4 bytes down (the struct
becomes 20 bytes, not 16). Check it:

    python -m csock sizes --check-ctypes examples/sizes/wrong_ctypes.py:SockaddrIn
"""

from __future__ import annotations

import ctypes


class InAddr(ctypes.Structure):
    _fields_ = [("s_addr", ctypes.c_uint32)]


class SockaddrIn(ctypes.Structure):
    _fields_ = [
        ("sin_family", ctypes.c_ushort),
        ("sin_port", ctypes.c_uint32),  # wrong: in_port_t is 16 bits
        ("sin_addr", InAddr),
        ("sin_zero", ctypes.c_ubyte * 8),
    ]
