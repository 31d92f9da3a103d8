"""Metadata closure of tensorflow==2.9.1 (Python 3.9, linux x86_64): mixguard vs uv vs pip.

    python benchmarks/bench_metadata.py [--rounds N] [--python /path/to/python3.9]

Uses the real index (not part of CI). Each round runs every peer once, alternating:

- mixguard cold: ``walk_closure`` with an empty cache directory (pages + metadata over the
  network, wheel METADATA through HTTP Range requests);
- mixguard warm: the same with the cache filled, and a fresh client (disk cache only, pages
  revalidated within their TTL);
- uv cold / warm: ``uv pip install --dry-run tensorflow==2.9.1`` into an empty 3.9 venv, with
  an empty / the filled ``--cache-dir``;
- pip cold: pip 25.3 in a 3.9 venv, ``install --dry-run --ignore-installed --no-cache-dir``.
  This PyPI mirror serves no PEP 658 files, so pip downloads the chosen wheels (511 MB for
  tensorflow) to read their METADATA.
"""

from __future__ import annotations

import argparse
import os
import platform
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import alternate, report, save

from mixguard.conda.virtual import virtual_packages
from mixguard.environment.target import Target
from mixguard.index.cache import Cache
from mixguard.index.client import IndexClient
from mixguard.index.metadata import DistMetadata
from mixguard.index.snapshot import walk_closure

REQ = "tensorflow==2.9.1"


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    env["PIP_CONFIG_FILE"] = os.devnull
    return env


def _python39() -> str:
    pyenv = sorted(Path.home().glob(".pyenv/versions/3.9*/bin/python3.9"))
    return str(pyenv[-1]) if pyenv else "python3.9"


UV = shutil.which("uv") or str(Path(sys.executable).parent / "uv")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--python", default=_python39())
    ap.add_argument(
        "--no-pip", action="store_true", help="skip pip (it downloads ~600 MB per round)"
    )
    args = ap.parse_args()
    py = args.python
    version = subprocess.run(
        [py, "-c", "import platform; print(platform.python_version())"],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    glibc = platform.libc_ver()[1] or "2.17"
    target = Target(
        "linux-64",
        version,
        virtual_packages=virtual_packages("linux-64", {"glibc": glibc}, environ={}),
    )
    work = Path(tempfile.mkdtemp(prefix="mg-bench-"))
    venv = work / "venv39"
    subprocess.run([UV, "venv", "-q", "-p", py, str(venv)], check=True, env=_clean_env())
    # pip 26 dropped Python 3.9: the pip peer is pip 25.3 inside a 3.9 venv of its own
    pip_venv = work / "pip39"
    subprocess.run([py, "-m", "venv", str(pip_venv)], check=True)
    subprocess.run(
        [str(pip_venv / "bin" / "python"), "-m", "pip", "install", "-q", "pip==25.3"],
        check=True,
        env=_clean_env(),
        capture_output=True,
    )
    uv_warm_cache = work / "uv-warm"
    mg_warm_cache = work / "mg-warm"
    env = _clean_env()

    def mixguard(cache_dir: Path) -> int:
        client = IndexClient(cache=Cache(cache_dir))
        closure = walk_closure(client, [REQ], target)
        assert not closure.manifest.unknown, closure.manifest.unknown
        return len(closure.metadata)

    counter = {"n": 0}

    def fresh(name: str) -> Path:
        counter["n"] += 1
        return work / f"{name}-{counter['n']}"

    def uv(cache: Path) -> None:
        subprocess.run(
            [
                UV,
                "pip",
                "install",
                "--dry-run",
                "-q",
                "--python",
                str(venv / "bin" / "python"),
                "--cache-dir",
                str(cache),
                REQ,
            ],
            check=True,
            env=env,
            capture_output=True,
        )

    def pip_cold() -> None:
        subprocess.run(
            [
                str(pip_venv / "bin" / "python"),
                "-m",
                "pip",
                "install",
                "--dry-run",
                "-q",
                "--ignore-installed",
                "--no-cache-dir",
                REQ,
            ],
            check=True,
            env=env,
            capture_output=True,
        )

    # fill the warm caches once
    n_meta = mixguard(mg_warm_cache)
    uv(uv_warm_cache)
    t0 = time.perf_counter()

    def mg_warm() -> None:
        client = IndexClient(cache=Cache(mg_warm_cache))
        closure = walk_closure(client, [REQ], target)
        assert all(isinstance(m, DistMetadata) for m in closure.metadata.values())

    peers = {
        "mixguard metadata closure, cold": lambda: mixguard(fresh("mg-cold")),
        "uv pip install --dry-run, cold": lambda: uv(fresh("uv-cold")),
        "mixguard metadata closure, warm": mg_warm,
        "uv pip install --dry-run, warm": lambda: uv(uv_warm_cache),
    }
    if not args.no_pip:
        peers["pip install --dry-run, cold (no cache)"] = pip_cold
    times = alternate(peers, args.rounds)
    results = [
        report(
            f"{REQ} metadata closure ({n_meta} distributions), python {version}, linux x86_64",
            times,
            baseline="uv pip install --dry-run, cold",
        )
    ]
    # warm metadata load alone: the closure's metadata from the disk cache, no pages
    client = IndexClient(cache=Cache(mg_warm_cache))
    closure = walk_closure(client, [REQ], target)
    files = [f for versions in closure.chosen.values() for fs in versions.values() for f in fs]
    load = []
    for _ in range(20):
        c = IndexClient(cache=Cache(mg_warm_cache))
        t = time.perf_counter()
        for f in files:
            c.metadata(f)
        load.append(time.perf_counter() - t)
    results.append(
        report(
            f"warm: load the closure's metadata ({len(files)} files) from the disk cache",
            {"mixguard metadata load, warm": load},
            baseline="mixguard metadata load, warm",
        )
    )
    save("metadata", results)
    shutil.rmtree(work, ignore_errors=True)
    print(f"(total {time.perf_counter() - t0:.0f} s)")


if __name__ == "__main__":
    main()
