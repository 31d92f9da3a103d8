"""The seed check, cold, against the real index: TF 2.9 prefix + `sentence-transformers`.

    python benchmarks/bench_seed_cold.py [--rounds 2] [--no-pip]

Uses the network (not part of CI). Every round runs each peer once with an empty cache:

- mixguard: ``check()`` in process, a fresh ``--cache-dir`` (pages, metadata by PEP 658 or HTTP
  Range, wheel RECORDs for the findings), resolution and every finding;
- uv: ``uv pip install --dry-run --python <env>`` with a fresh ``--cache-dir``;
- pip 25.3: ``install --dry-run --report --no-cache-dir`` in the environment (the mirror serves
  no PEP 658 files, so pip downloads every chosen wheel: torch and the CUDA wheels, ~3 GB).

The environment is the TF 2.9 / CUDA 11.2 prefix built into a python 3.10 venv (as in
``bench_resolve.py``); all peers resolve today's PyPI, so their plans match each other, not the
demo's 2024 snapshot.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from _harness import alternate, report, save
from tests.cases.envs import build_tf29

from mixguard import check, load_environment

PIP = Path(__file__).parents[1] / "tests" / "data" / "pip" / "pip-25.3-py3-none-any.whl"
UV = shutil.which("uv") or str(Path(sys.executable).parent / "uv")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-pip", action="store_true", help="skip pip (~3 GB of downloads a round)")
    args = ap.parse_args()
    py310 = sorted(Path.home().glob(".pyenv/versions/3.10.*/bin/python3.10"))[-1]
    work = Path(tempfile.mkdtemp(prefix="mg-seed-"))
    env_dir = work / "env"
    build_tf29(env_dir, py310)
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    clean["PIP_CONFIG_FILE"] = os.devnull
    n = {"i": 0}

    def fresh() -> Path:
        n["i"] += 1
        return work / f"cache-{n['i']}"

    plans: dict[str, int] = {}

    def mixguard() -> None:
        # the host's glibc, as pip and uv see it here (mixguard's default is conda's 2.17)
        env = load_environment(prefix=env_dir, cuda="11.2", glibc=platform.libc_ver()[1])
        rep = check(env, ["sentence-transformers"], cache_dir=fresh())
        assert rep.plan is not None, rep.conflict
        plans["mixguard"] = len(rep.plan.installs)

    def uv() -> None:
        subprocess.run(
            [UV, "pip", "install", "--dry-run", "-q", "--python", str(env_dir / "bin" / "python")]
            + ["--cache-dir", str(fresh()), "sentence-transformers"],
            check=True,
            env=clean,
            capture_output=True,
        )

    def pip() -> None:
        subprocess.run(
            [str(env_dir / "bin" / "python"), str(PIP / "pip"), "install", "--dry-run", "-q"]
            + ["--no-cache-dir", "--report", str(work / "r.json"), "sentence-transformers"],
            check=True,
            env=clean,
            capture_output=True,
        )

    peers = {"mixguard check, cold": mixguard, "uv pip install --dry-run, cold": uv}
    if not args.no_pip:
        peers["pip 25.3 install --dry-run --report, cold"] = pip
    times = alternate(peers, args.rounds)
    results = [
        report(
            f"seed check cold, real index ({plans.get('mixguard')} installs planned by mixguard)",
            times,
            baseline="uv pip install --dry-run, cold",
        )
    ]
    save("seed_cold", results)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
