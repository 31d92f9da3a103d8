"""Build the embedded demo's offline index: ``src/mixguard/demo/index`` (a mixguard snapshot).

Developer tool, run by hand with network access; the output is committed.

    python tools/build_demo_index.py

The universe of ``pip install sentence-transformers`` for the demo prefix's target (python
3.10.5, linux-64, ``__glibc`` 2.17), as PyPI had it on 2024-06-01.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from mixguard.demo import DEMO_VIRTUAL_PACKAGES, demo_prefix
from mixguard.environment import read_prefix
from mixguard.index.cache import Cache
from mixguard.index.client import IndexClient
from mixguard.index.snapshot import build_snapshot, parse_cutoff

OUT = Path(__file__).resolve().parents[1] / "src" / "mixguard" / "demo" / "index"
REQUIREMENTS = ["sentence-transformers"]
CUTOFF = "2024-06-01"


def main() -> None:
    env = read_prefix(demo_prefix(), overrides=DEMO_VIRTUAL_PACKAGES, host=None, environ={})
    if OUT.exists():
        shutil.rmtree(OUT)
    manifest = build_snapshot(
        IndexClient(cache=Cache()),
        REQUIREMENTS,
        env.target,
        OUT,
        exclude_newer=parse_cutoff(CUTOFF),
    )
    print(f"{manifest.files} files, {len(manifest.projects)} projects -> {OUT}")
    if manifest.unknown or manifest.skipped:
        raise SystemExit(f"incomplete: {manifest.unknown} {manifest.skipped}")


if __name__ == "__main__":
    main()
