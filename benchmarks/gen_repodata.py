"""Generate a conda-forge-scale ``repodata.json``, deterministically (never committed).

    python benchmarks/gen_repodata.py OUT/linux-64/repodata.json [--records 520000]

Shapes follow conda-forge's linux-64 repodata: ~24k names with a long-tailed number of builds
each (a few names with thousands, as python, numpy and libgcc have), records of ~420 bytes with
depends/constrains MatchSpecs (dependencies on more popular names only, so that a solve over
the file is meaningful: ``bench_condasolve.py``), hashes, sizes and timestamps, 85 % in
``packages.conda``. The same seed gives the same bytes, so runs on different machines compare.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
from pathlib import Path

#: queried by the benchmark; each present with many builds, like their conda-forge namesakes
WELL_KNOWN = ["python", "numpy", "libgcc-ng", "openssl", "pytorch", "tensorflow", "scipy", "pandas"]


#: bumped whenever the generator's output changes (benchmarks regenerate a stale file)
GENERATOR_VERSION = 2


def _names(rng: random.Random) -> list[str]:
    return WELL_KNOWN + [
        f"pkg-{i:05d}-{rng.choice(['py', 'lib', 'r', 'perl', 'ros'])}" for i in range(24_000)
    ]


def generated_names(seed: int = 20261122) -> list[str]:
    """The names ``generate`` uses for ``seed``, most popular first."""
    return _names(random.Random(seed))


def generate(out: Path, records: int, seed: int = 20261122) -> dict[str, int]:
    rng = random.Random(seed)
    names = _names(rng)
    # long tail: Zipf-like weights, the well-known names heaviest
    weights = [1.0 / (i + 1) ** 0.8 for i in range(len(names))]
    out.parent.mkdir(parents=True, exist_ok=True)
    pkg_n = conda_n = 0
    chosen = rng.choices(range(len(names)), weights=weights, k=records)
    with out.open("w") as fh:
        fh.write('{"info": {"subdir": "linux-64"}, "repodata_version": 1, "packages.conda": {')
        first = True
        tail: list[str] = []
        for i, idx in enumerate(chosen):
            name = names[idx]
            major, minor, patch = rng.randint(0, 12), rng.randint(0, 40), rng.randint(0, 20)
            version = f"{major}.{minor}.{patch}"
            py = rng.choice(["py39", "py310", "py311", "py312", "pyhd8ed1ab"])
            build = f"{py}h{hashlib.md5(str(i).encode()).hexdigest()[:7]}_{rng.randint(0, 5)}"
            # dependencies point at more popular names (a lower index), as in conda-forge,
            # so the graph has no cycles and a solve over it is meaningful; bounds are loose
            # enough that most are satisfiable, not all (a solver has to backtrack sometimes)
            deps = []
            if idx > 0:
                deps.append(f"python >={rng.choice(['3.9', '3.10', '3.11'])},<3.13.0a0")
            if idx > 2:
                deps.append("libgcc-ng >=12")
            if idx > 3:
                deps += [
                    f"{names[int(idx * rng.random() ** 2)]} >={rng.randint(0, 3)}.{rng.randint(0, 9)}"
                    for _ in range(rng.randint(0, 4))
                ]
            rec = {
                "build": build,
                "build_number": int(build.rsplit("_", 1)[1]),
                "constrains": [f"{names[rng.randrange(len(names))]} <{rng.randint(8, 13)}"]
                if rng.random() < 0.2
                else [],
                "depends": deps,
                "license": rng.choice(["MIT", "BSD-3-Clause", "Apache-2.0", "GPL-3.0-or-later"]),
                "md5": hashlib.md5(f"m{i}".encode()).hexdigest(),
                "name": name,
                "sha256": hashlib.sha256(f"s{i}".encode()).hexdigest(),
                "size": rng.randint(5_000, 90_000_000),
                "subdir": "linux-64",
                "timestamp": 1_600_000_000_000 + i * 60_000,
                "version": version,
            }
            conda = rng.random() < 0.85
            fn = f"{name}-{version}-{build}.{'conda' if conda else 'tar.bz2'}"
            text = f"{json.dumps(fn)}: {json.dumps(rec, separators=(',', ':'))}"
            if conda:
                fh.write(("" if first else ",") + text)
                first = False
                conda_n += 1
            else:
                tail.append(text)
                pkg_n += 1
        fh.write('}, "packages": {' + ",".join(tail) + "}}")
    return {
        "records": records,
        "packages": pkg_n,
        "packages.conda": conda_n,
        "bytes": out.stat().st_size,
    }


def ensure(directory: Path, records: int = 520_000) -> Path:
    """``directory/linux-64/repodata.json``, generated unless a file of this generator version
    is already there."""
    path = directory / "linux-64" / "repodata.json"
    stamp = path.with_suffix(".version")
    want = f"{GENERATOR_VERSION} {records}"
    if not path.exists() or not stamp.exists() or stamp.read_text() != want:
        print("generating", path, generate(path, records), flush=True)
        stamp.write_text(want)
    return path


def main() -> None:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument("out", type=Path)
    ap.add_argument("--records", type=int, default=520_000)
    ap.add_argument("--seed", type=int, default=20261122)
    args = ap.parse_args()
    print(generate(args.out, args.records, args.seed))


if __name__ == "__main__":
    main()
