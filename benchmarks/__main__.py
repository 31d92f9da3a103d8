"""Run the benchmark suite: ``python -m benchmarks [--quick] [--network]`` from the repo root.

Offline by default: repodata (real channels), the warm seed check vs pip (and uv where it can
read the index), the generated conda-forge-scale repodata (time and peak memory vs py-rattler),
the conda-side solve over it vs py-rattler, scaling (PNG), and start-up. ``--network`` adds the
cold metadata closure, the cold seed check and the large (Airflow) resolution against PyPI, cold
and warm, vs uv and pip. Each benchmark alternates its peers and writes JSON to ``benchmarks/results/``; this
prints every table as it goes. Needs the ``dev`` extra (py-rattler, pip, uv) and, for the
scaling plot, the ``docs`` extra (matplotlib).
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).parent
ROOT = HERE.parent


def startup(rounds: int) -> None:
    times = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        subprocess.run(
            [sys.executable, "-m", "mixguard", "--version"], check=True, capture_output=True
        )
        times.append(time.perf_counter() - t0)
    print(
        f"\nstart-up: `mixguard --version` median {statistics.median(times) * 1000:.0f} ms ({rounds} runs)"
    )


def main() -> int:
    ap = argparse.ArgumentParser(prog="python -m benchmarks")
    ap.add_argument("--quick", action="store_true", help="fewer rounds")
    ap.add_argument("--network", action="store_true", help="also the cold PyPI benchmark")
    ap.add_argument(
        "--targets", action="store_true", help="only print the targets table from saved results"
    )
    args = ap.parse_args()
    sys.path.insert(0, str(HERE))
    from targets import table

    if args.targets:
        print(table())
        return 0

    def r(full: int, quick: int) -> str:
        return str(quick if args.quick else full)

    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT / "src"), str(ROOT)])}
    runs = [
        ["bench_repodata.py", "--rounds", r(40, 10)],
        ["bench_resolve.py", "--rounds", r(10, 3)],
        ["bench_bigrepodata.py", "--rounds", r(5, 1)],
        ["bench_condasolve.py", "--rounds", r(3, 1)],
        ["bench_envfile.py", "--rounds", r(3, 1)],
        ["bench_scaling.py", "--rounds", r(3, 1)],
    ]
    if args.network:
        runs.append(["bench_metadata.py", "--rounds", r(3, 1)])
        runs.append(["bench_seed_cold.py", "--rounds", r(2, 1)])
        runs.append(["bench_large.py", "--rounds", r(2, 1)])
    for script, *rest in runs:
        print(f"\n=== {script} {' '.join(rest)}", flush=True)
        subprocess.run([sys.executable, str(HERE / script), *rest], check=True, env=env, cwd=ROOT)
    startup(int(r(20, 5)))
    print(f"\nJSON results in {HERE / 'results'}")
    print(table())
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
