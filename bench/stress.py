"""The full reliability run: fuzzing (stress profile, in a child process),
the fault tests, the leak loop, the two echo servers and the descriptor-reuse
rounds (bench/reuse.py) at full size; prints
a table of the figures.

    .venv/bin/python bench/stress.py            # everything (several minutes)
    .venv/bin/python bench/stress.py --quick    # small sizes, a smoke test

Loopback only; each part is bounded in count and time and stops by itself.
Exit status 1 when any part found an error or a leak.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time
from typing import Any

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)
sys.path.insert(0, HERE)

import reliability  # noqa: E402
import reuse  # noqa: E402


def _pytest(args: list[str], env: dict[str, str], limit: float) -> tuple[int, str]:
    proc = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider",
                           *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=limit)
    return proc.returncode, proc.stdout + proc.stderr


def fuzz(profile: str) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as d:
        counts_path = os.path.join(d, "counts.json")
        env = dict(os.environ, CSOCK_HYPOTHESIS_PROFILE=profile,
                   CSOCK_FUZZ_COUNTS=counts_path)
        start = time.monotonic()
        code, out = _pytest(["-m", "not stress", "tests/test_fuzz.py"], env, 3000)
        counts = json.load(open(counts_path)) if os.path.exists(counts_path) else {}
    return {"exit": code, "examples": sum(counts.values()), "targets": len(counts),
            "seconds": round(time.monotonic() - start, 1),
            "summary": out.strip().splitlines()[-1] if out.strip() else ""}


def faults() -> dict[str, Any]:
    start = time.monotonic()
    code, out = _pytest(["tests/test_faults.py"], dict(os.environ), 900)
    summary = out.strip().splitlines()[-1]
    passed = int(m.group(1)) if (m := re.search(r"(\d+) passed", summary)) else 0
    return {"exit": code, "tests": passed, "summary": summary,
            "seconds": round(time.monotonic() - start, 1)}


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="small sizes")
    opts = parser.parse_args()
    quick = opts.quick
    limits = reliability.raise_nofile()
    rows: list[tuple[str, str]] = []
    failed = False

    def row(name: str, value: Any) -> None:
        rows.append((name, str(value)))
        print(f"  {name:<44} {value}", flush=True)

    print(f"RLIMIT_NOFILE {limits}; pid {os.getpid()}", flush=True)

    print("fuzzing (tests/test_fuzz.py)...", flush=True)
    f = fuzz("ci" if quick else "stress")
    row("fuzz: examples tried", f"{f['examples']} over {f['targets']} targets")
    row("fuzz: result", f"{f['summary']} ({f['seconds']} s)")
    failed |= f["exit"] != 0

    print("faults (tests/test_faults.py)...", flush=True)
    t = faults()
    row("fault tests", f"{t['summary']} ({t['seconds']} s)")
    failed |= t["exit"] != 0

    iterations, warmup = (2_000, 500) if quick else (100_000, 10_000)
    print(f"leak loop ({iterations} + {warmup} warm-up)...", flush=True)
    leak = reliability.leak_loop(iterations, warmup, time_limit=600)
    rss_growth = leak["rss_after_kib"] - leak["rss_before_kib"]
    row("leak loop: iterations (after warm-up)", f"{leak['iterations']} ({leak['seconds']} s)")
    row("leak loop: faults injected", leak["faults"])
    row("leak loop: fds before / after", f"{leak['fds_before']} / {leak['fds_after']}")
    row("leak loop: RSS before / after (KiB)",
        f"{leak['rss_before_kib']} / {leak['rss_after_kib']} ({rss_growth:+d})")
    leaks = (leak["fds_after"] - leak["fds_before"]) + (rss_growth > 2048)
    failed |= leaks != 0 or leak["iterations"] < iterations

    for name, run, clients in (("selectors", reliability.echo_selectors, 1000),
                               ("threads", reliability.echo_threads, 200)):
        clients = 50 if quick else clients
        nbytes = 64 * 1024 if quick else 1 << 20
        print(f"echo server, {name}: {clients} clients x {nbytes} bytes...", flush=True)
        start = time.monotonic()
        r = run(clients, nbytes, time_limit=600)
        secs = time.monotonic() - start
        row(f"{name}: clients held at once", r["held"])
        row(f"{name}: bytes echoed / verified",
            f"{r['bytes_echoed']} / {r['bytes_verified']} ({secs:.1f} s, "
            f"{2 * r['bytes_verified'] / secs / 1e6:.0f} MB/s both ways)")
        row(f"{name}: errors", len(r["errors"]) if not r["errors"] else r["errors"][:3])
        row(f"{name}: fds before / peak / after",
            f"{r['fds_before']} / {r['peak_fds']} / {r['fds_after']}")
        row(f"{name}: RSS before / after (KiB)", f"{r['rss_before_kib']} / {r['rss_after_kib']}")
        failed |= bool(r["errors"]) or r["bytes_verified"] != clients * nbytes
        leaks += r["fds_after"] - r["fds_before"]
    row("leaks found", leaks)

    rounds = 40 if quick else 400
    print(f"descriptor reuse ({rounds} rounds of each call, switch interval 1 us)...",
          flush=True)
    start = time.monotonic()
    r = reuse.run(rounds, switch_interval=1e-6)
    wrong = sum(r[name] for name in reuse.ROUNDS)
    row("reuse: rounds (recv/send/sendall/accept/connect)",
        f"{r['rounds']} ({time.monotonic() - start:.1f} s)")
    row("reuse: closes while a call ran", r["deferred"])
    row("reuse: bytes/clients to the wrong connection", wrong)
    failed |= wrong != 0

    print()
    width = max(len(n) for n, _ in rows)
    print(f"| {'figure':<{width}} | value |")
    print(f"|{'-' * (width + 2)}|-------|")
    for name, value in rows:
        print(f"| {name:<{width}} | {value} |")
    return 1 if failed or leaks else 0


if __name__ == "__main__":
    sys.exit(main())
