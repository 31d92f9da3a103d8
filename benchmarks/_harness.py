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


def alternate(peers: dict[str, Callable[[], Any]], rounds: int) -> dict[str, list[float]]:
    """Run every peer once per round, in the same order, so drift hits them alike."""
    times: dict[str, list[float]] = {name: [] for name in peers}
    for _ in range(rounds):
        for name, fn in peers.items():
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    return times


def report(
    title: str, times: dict[str, list[float]], baseline: str, extra: dict[str, Any] | None = None
) -> dict[str, Any]:
    med = {k: statistics.median(v) for k, v in times.items()}
    base = med[baseline]
    print(f"\n{title}")
    print(f"  {'peer':<44} {'median':>10} {'ratio':>9}  (ratio = peer / {baseline})")
    for name, m in med.items():
        print(f"  {name:<44} {m * 1000:>8.2f}ms {m / base:>8.2f}x")
    return {
        "title": title,
        "baseline": baseline,
        "rounds": len(next(iter(times.values()))),
        "median_s": med,
        "ratio": {k: v / base for k, v in med.items()},
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
