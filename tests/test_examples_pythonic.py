"""The Pythonic examples run as a user runs them, over 127.0.0.1."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import csock

EXAMPLES = Path(__file__).resolve().parent.parent / "examples" / "pythonic"


@contextmanager
def running(*args: str) -> Iterator[tuple[subprocess.Popen[str], int]]:
    """Start an example server on port 0; yield it and the port it printed."""
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stderr is not None
        line = proc.stderr.readline()
        assert line.startswith("listening on 127.0.0.1:"), line
        yield proc, int(line.rsplit(":", 1)[1])
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.communicate(timeout=10)


def test_echo_server_and_client() -> None:
    with running(str(EXAMPLES / "echo_server.py"), "0", "--max-clients", "1") as (server, port):
        client = subprocess.run(
            [sys.executable, str(EXAMPLES / "echo_client.py"), "127.0.0.1", str(port)],
            input="hola\nmundo\n", capture_output=True, text=True, timeout=20,
        )
        assert client.returncode == 0, client.stderr
        assert client.stdout == "hola\nmundo\n"
        assert server.wait(timeout=10) == 0


def test_chat_server_relays_lines_to_the_other_clients() -> None:
    with running(str(EXAMPLES / "chat_server.py"), "0", "--max-clients", "2") as (server, port):
        with csock.create_connection(("127.0.0.1", port), timeout=5) as alice, \
                csock.create_connection(("127.0.0.1", port), timeout=5) as bob:
            alice_in, bob_in = alice.makefile("rb"), bob.makefile("rb")
            # Both welcomed means both accepted: nothing sent next can miss bob.
            assert alice_in.readline() == f"welcome 127.0.0.1:{alice.getsockname()[1]}\n".encode()
            assert bob_in.readline() == f"welcome 127.0.0.1:{bob.getsockname()[1]}\n".encode()
            alice.sendall(b"hola bob\n")
            line = bob_in.readline()
            assert line == f"[127.0.0.1:{alice.getsockname()[1]}] hola bob\n".encode()
            alice_in.close()
            bob_in.close()
        assert server.wait(timeout=10) == 0


def test_file_sender_with_sendfile(tmp_path: Path) -> None:
    source = tmp_path / "data.bin"
    payload = os.urandom(3 * 1024 * 1024 + 17)
    source.write_bytes(payload)
    out = tmp_path / "copy.bin"
    with running(str(EXAMPLES / "file_sender.py"), str(source), "0",
                 "--max-clients", "1") as (server, port):
        fetch = subprocess.run(
            [sys.executable, str(EXAMPLES / "file_sender.py"), "--fetch", "127.0.0.1",
             str(port), str(out)], capture_output=True, text=True, timeout=20,
        )
        assert fetch.returncode == 0, fetch.stderr
        digest = hashlib.sha256(payload).hexdigest()
        assert fetch.stdout.strip() == f"{len(payload)} bytes sha256 {digest}"
        assert out.read_bytes() == payload
        assert server.wait(timeout=10) == 0
        assert server.stderr is not None
        assert f"sent {len(payload)} bytes" in server.stderr.read()
