"""Build the parity harness's offline indexes: ``tests/cases/universes/<name>/`` (snapshots).

Developer tool, run by hand with network access; the output is committed. Each universe is a
mixguard snapshot (see docs/index-client.md): the same tree real pip and mixguard resolve in.

    python tools/build_parity_universes.py [NAME ...]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from mixguard.conda.virtual import virtual_packages
from mixguard.environment.target import Target
from mixguard.index.cache import Cache
from mixguard.index.client import IndexClient
from mixguard.index.snapshot import build_snapshot, parse_cutoff

OUT = Path(__file__).resolve().parents[1] / "tests" / "cases" / "universes"

UNIVERSES: dict[str, tuple[str, str, list[str]]] = {
    # name: (python, cutoff, requirements)
    "tf29": (
        "3.10.13",
        "2024-07-01",
        [
            "sentence-transformers",
            "protobuf>=4",
            "numpy>=2",
            "tensorflow==2.15.1",
            "opencv-python-headless",
            "requests",
            "six",
            "tensorboard",
            "numpy>=1.21",
            "keras<3",
        ],
    ),
    "torch": ("3.11.7", "2024-02-01", ["torch==2.1.0", "torchvision==0.17.0"]),
    "small": (
        "3.12.1",
        "2024-06-01",
        [
            "requests",
            "requests==2.32.0",
            "requests==2.28.1",
            "requests>=2.31",
            "requests[socks]",
            "urllib3<1.26",
            "urllib3>=2",
            "click",
            "rich",
            "six",
            "attrs",
        ],
    ),
    "pre": ("3.12.1", "2026-05-05", ["requests", "requests>=2.34.0.dev0"]),
}


def main() -> None:
    names = sys.argv[1:] or list(UNIVERSES)
    client = IndexClient(cache=Cache())
    for name in names:
        python, cutoff, reqs = UNIVERSES[name]
        target = Target(
            "linux-64", python, virtual_packages=virtual_packages("linux-64", environ={})
        )
        out = OUT / name
        if out.exists():
            shutil.rmtree(out)
        m = build_snapshot(client, reqs, target, out, exclude_newer=parse_cutoff(cutoff))
        counts = f"{m.files} files, {len(m.projects)} projects"
        print(f"{name}: {counts}; unknown={m.unknown} unsatisfied={m.skipped}")


if __name__ == "__main__":
    main()
