"""python -m csock demo --diagram: the demo as an SVG sequence diagram."""

from __future__ import annotations

import re
import shutil
import subprocess
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from csock.cli.main import main

SVG = "{http://www.w3.org/2000/svg}"
BROWSER = next((p for p in map(shutil.which, ("chromium", "chromium-browser",
                                              "google-chrome")) if p), None)


@pytest.fixture(scope="module")
def diagram(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("diagram") / "demo.svg"
    assert main(["demo", "--diagram", str(path)]) == 0
    return path


def texts(root: ET.Element, cls: str) -> list[ET.Element]:
    return [t for t in root.iter(f"{SVG}text") if t.get("class") == cls]


def test_diagram_is_svg_with_every_call_in_order(diagram: Path) -> None:
    root = ET.parse(diagram).getroot()  # well-formed XML, or this raises
    assert root.tag == f"{SVG}svg"
    roles = {t.get("id"): float(t.get("x", "0")) for t in texts(root, "role")}
    assert set(roles) == {"client", "server"} and roles["client"] < roles["server"]
    calls = texts(root, "call")
    # the full traced line is each call's tooltip, in the order the calls were made
    traced = [t.findtext(f"{SVG}title") or "" for t in calls]
    names = [re.match(r"[a-z_0-9]+", line).group(0) for line in traced]  # type: ignore[union-attr]
    expected = ["socket", "setsockopt", "bind", "listen", "getsockname", "socket", "connect",
                "poll", "accept", "sendto", "poll", "recvfrom", "sendto", "poll", "recvfrom",
                "close", "close"]
    assert names[:len(expected)] == expected
    assert names[-3:] == ["close", "close", "close"]
    ys = [float(t.get("y", "0")) for t in calls]
    assert ys == sorted(ys) and len(set(ys)) == len(ys)  # one row each, top to bottom
    # each call beside its side's lifeline: the client's connect left, accept right
    x_of = {name: float(t.get("x", "0")) for name, t in zip(names, calls, strict=True)}
    assert x_of["connect"] < roles["client"] < roles["server"] < x_of["accept"]
    assert re.fullmatch(r"socket\(AF_INET, SOCK_STREAM, IPPROTO_IP\) = \d+", traced[0])


def test_diagram_shows_bytes_crossing_and_states(diagram: Path) -> None:
    root = ET.parse(diagram).getroot()
    crossing = [t.text or "" for t in texts(root, "bytes")]
    assert crossing[0] == "handshake: SYN, SYN-ACK, ACK"
    assert crossing[1] == '23 bytes "Bienvenido al Eagle14!\\n"'
    assert crossing[2] == '22 bytes "Hola desde el cliente\\n"'
    assert crossing[3] == "FIN: no more data from the client"
    assert len(root.findall(f"{SVG}line[@class='arrow']")) == len(crossing)
    states = " ".join(t.text or "" for t in texts(root, "state"))
    for state in ("LISTEN", "ESTABLISHED", "CLOSE_WAIT", "TIME_WAIT"):
        assert state in states
    assert not root.findall(f".//{SVG}script") and "href" not in diagram.read_text()


@pytest.mark.skipif(BROWSER is None, reason="no headless browser (chromium) on PATH")
def test_diagram_opens_in_a_browser(diagram: Path) -> None:
    proc = subprocess.run([BROWSER, "--headless", "--no-sandbox", "--disable-gpu",
                           "--dump-dom", diagram.as_uri()],  # type: ignore[list-item]
                          capture_output=True, text=True, timeout=60)
    assert proc.returncode == 0, proc.stderr[-2000:]
    assert proc.stdout.lstrip().startswith("<svg"), proc.stdout[:500]
    assert "parsererror" not in proc.stdout
    assert "23 bytes" in proc.stdout
