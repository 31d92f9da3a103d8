"""Alternating, median-based timing shared by the benchmarks (no timing asserts anywhere)."""

from __future__ import annotations

import json
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"
SRC = Path(__file__).parents[1] / "src"


def compile_sources() -> None:
    """Byte-compile mixguard's sources, as installing a wheel does (pip writes the .pyc files
    at install time). An editable install under ``PYTHONDONTWRITEBYTECODE=1`` (this
    machine's environment) otherwise recompiles every module in every fresh process: ~100 ms
    of start-up a user never pays, while pip, uv and py-rattler are measured as installed."""
    import compileall

    compileall.compile_dir(str(SRC / "mixguard"), quiet=1)


compile_sources()  # every benchmark imports this module before it times anything


def stub_wheels(simple: Path, out: Path) -> Path:
    """A ``--find-links`` directory of stub wheels for a metadata-only index tree: for every
    ``<wheel>.metadata`` file, ``<wheel>`` holding only that METADATA (and WHEEL, RECORD). uv
    reads a ``file://`` index's wheels, not PEP 658 files; with these it resolves the same
    universe as the peers that read the index, offline."""
    import zipfile

    out.mkdir(parents=True, exist_ok=True)
    for meta in simple.glob("*/*.whl.metadata"):
        wheel = meta.name[: -len(".metadata")]
        parts = wheel[: -len(".whl")].split("-")
        info = f"{parts[0]}-{parts[1]}.dist-info"
        with zipfile.ZipFile(out / wheel, "w") as zf:
            zf.writestr(f"{info}/METADATA", meta.read_bytes())
            zf.writestr(
                f"{info}/WHEEL",
                "Wheel-Version: 1.0\nGenerator: mixguard-benchmarks\nRoot-Is-Purelib: false\n"
                f"Tag: {'-'.join(parts[-3:])}\n",
            )
            zf.writestr(f"{info}/RECORD", f"{info}/METADATA,,\n{info}/WHEEL,,\n{info}/RECORD,,\n")
    return out


def machine() -> str:
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    import os

    return f"{cpu}, {os.cpu_count()} cores, Python {platform.python_version()}, {platform.system()}"


#: peak resident set size (KiB) of each peer that ran as a process, by peer name: filled by
#: :func:`alternate` from what the peer returns (:func:`run`), printed and saved by
#: :func:`report`
PEAKS: dict[str, int] = {}


_TIME = Path("/usr/bin/time")


def run(cmd: list[str], *, env: dict[str, str] | None = None, cwd: Path | None = None) -> int:
    """Run ``cmd`` (output discarded; a failure raises ``CalledProcessError`` with its stderr)
    and return its peak resident set size in KiB (0 where it cannot be measured).

    Measured by GNU time (``%M``, the kernel's ``wait4`` accounting), never by this process:
    Linux carries a process's pre-``exec`` high-water mark into its ``ru_maxrss``, so a child
    forked from this (large) Python process would report this process's size."""
    import tempfile

    timed = _TIME.exists()
    with tempfile.NamedTemporaryFile("r", suffix=".rss") as out:
        full = [str(_TIME), "-f", "%M", "-o", out.name, *cmd] if timed else cmd
        proc = subprocess.run(
            full, env=env, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        if proc.returncode != 0:
            raise subprocess.CalledProcessError(proc.returncode, cmd, stderr=proc.stderr)
        text = out.read().strip().splitlines()
    return int(text[-1]) if timed and text and text[-1].isdigit() else 0


def alternate(peers: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Run every peer once per round, in the same order, so drift hits them alike. A peer that
    returns an int (:func:`run`'s peak RSS) has its largest peak kept in :data:`PEAKS`."""
    times: dict[str, list[float]] = {name: [] for name in peers}
    for _ in range(rounds):
        for name, fn in peers.items():
            t0 = time.perf_counter()
            out = fn()
            times[name].append(time.perf_counter() - t0)
            if isinstance(out, int) and not isinstance(out, bool):
                PEAKS[name] = max(PEAKS.get(name, 0), out)
    return times


def report(
    title: str, times: dict[str, list[float]], baseline: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med[baseline]
    peaks = {k: PEAKS.pop(k) for k in times if k in PEAKS}  # this workload's, not the next
    print(f"\n{title}")
    print(
        f"  {'peer':<52} {'median':>10} {'ratio':>8} {'peak RSS':>9}  (ratio = peer / {baseline})"
    )
    for name, m in med.items():
        peak = f"{peaks[name] / 1024:>6.0f} MB" if name in peaks else " " * 9
        print(f"  {name:<52} {m * 1000:>8.1f}ms {m / base:>7.2f}x {peak}")
    return {
        "title": title,
        "baseline": baseline,
        "rounds": len(next(iter(times.values()))),
        "median_s": med,
        "ratio": {k: v / base for k, v in med.items()},
        "peak_rss_kb": peaks,
        **(extra or {}),
    }


def save(name: str, results: list[dict[str, Any]]) -> Path:
    RESULTS.mkdir(exist_ok=True)
    rev = subprocess.run(
        ["git", "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        cwd=Path(__file__).parent,
    ).stdout.strip()
    path = RESULTS / f"{name}.json"
    path.write_text(
        json.dumps(
            {
                "machine": machine(),
                "commit": rev,
                "argv": sys.argv,
                "date": time.strftime("%Y-%m-%d"),
                "results": results,
            },
            indent=2,
        )
    )
    print(f"\nwrote {path}")
    return path
