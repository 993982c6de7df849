"""bench/socket_speed.py runs, and prints the rows it promises (issue 12).

Tiny sizes: this checks the script's behaviour (every implementation and
test, the floor on the blocking ping-pongs and bulk only, paired ratios that parse),
never a speed.
"""

from __future__ import annotations

import importlib.util
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "bench" / "socket_speed.py"
ROW = re.compile(r"^(\S+)\s+(C|socket|csock\.c|csock\.Socket|floor)\s+([\d.]+) (\S+)\s+\[\s*\d+%\]"
                 r"\s+(-|[\d.]+x)\s+([\d.]+)x\s+\[([\d.]+)-([\d.]+)\]", re.M)


def run(*args: str) -> str:
    if not SCRIPT.exists():
        pytest.skip("bench/ is not shipped with the installed package's tests")
    if shutil.which("cc") is None:
        pytest.skip("no C compiler: the C rows need one")
    result = subprocess.run([sys.executable, str(SCRIPT), "--rounds", "2", "--pingpongs", "50",
                             "--datagrams", "640", "--bulk-mib", "1", *args],
                            capture_output=True, text=True, timeout=240)
    assert result.returncode == 0, result.stderr
    return result.stdout


def test_every_row_and_the_floor_on_blocking_ping_pongs_and_bulk_only() -> None:
    out = run()
    # How cffi was built is said beside the figures (issue 12).
    assert re.search(r"^cffi backend: \S+(: optimised build|: built WITHOUT optimisation "
                     r"\(Py_TYPE is not inlined\)| \(nm missing: build unknown\))$", out, re.M)
    rows = {(m[0], m[1]): m for m in ROW.findall(out)}
    tests = ["pingpong-tcp", "pingpong-unix", "pingpong-tcp-timeout", "pingpong-unix-timeout",
             "udp", "udp-batch", "bulk"]
    for test in tests:
        for impl in ("C", "socket", "csock.c", "csock.Socket"):
            assert (test, impl) in rows, (test, impl, out)
        assert ((test, "floor") in rows) == (test in ("pingpong-tcp", "pingpong-unix", "bulk"))
    for (test, impl), m in rows.items():
        ratio, low, high = float(m[5]), float(m[6]), float(m[7])
        assert low <= ratio <= high
        if impl == "socket":  # each round against itself
            assert (ratio, low, high) == (1.0, 1.0, 1.0)
        assert m[3] == ("GB/s" if test == "bulk" else "µs/dg" if test.startswith("udp")
                        else "µs/rt")


def test_median_interval_is_the_order_statistics_interval() -> None:
    if not SCRIPT.exists():
        pytest.skip("bench/ is not shipped with the installed package's tests")
    spec = importlib.util.spec_from_file_location("socket_speed", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    interval = module.median_interval
    # 15 values: [x(4), x(12)] holds the median with 1 - 2 * P(Binomial(15, 1/2) <= 3).
    values = [float(v) for v in (9, 1, 14, 3, 12, 5, 0, 7, 11, 2, 13, 4, 10, 6, 8)]
    low, high, confidence = interval(values)
    assert (low, high) == (3.0, 11.0)
    assert confidence == pytest.approx(1 - 2 * (1 + 15 + 105 + 455) / 2 ** 15)
    # Fewer than 6 values: no 95 % interval exists; the whole range, with its confidence.
    assert interval([3.0, 1.0, 2.0, 5.0, 4.0]) == (1.0, 5.0, 1 - 2 / 2 ** 5)
    assert interval([2.0, 1.0]) == (1.0, 2.0, 0.5)


def test_impls_and_tests_subsets() -> None:
    out = run("--tests", "pingpong-unix", "--impls", "csock.Socket")
    rows = [(m[0], m[1]) for m in ROW.findall(out)]
    # socket is always run: it is the baseline. No C: the "vs C" column is "-".
    assert rows == [("pingpong-unix", "socket"), ("pingpong-unix", "csock.Socket")]
    assert all(m[4] == "-" for m in ROW.findall(out))


def test_unknown_names_are_usage_errors() -> None:
    if not SCRIPT.exists():
        pytest.skip("bench/ is not shipped with the installed package's tests")
    for args in (["--impls", "cffi"], ["--tests", "pingpong"]):
        result = subprocess.run([sys.executable, str(SCRIPT), *args], capture_output=True,
                                text=True, timeout=60)
        assert result.returncode == 2
        assert "unknown" in result.stderr
