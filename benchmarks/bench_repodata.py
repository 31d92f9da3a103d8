"""Load one package by name from real repodata: mixguard vs json.load vs py-rattler.

    python benchmarks/bench_repodata.py [--rounds N]

Peers, each from a cold start (nothing cached between rounds):
- mixguard: ``RepoData.from_path`` (byte scan) + ``records(name)`` (decode + validate one name);
- json.load of the whole file, then picking that name's raw dicts (no validation);
- orjson.loads of the whole file, the same (when orjson is installed);
- py-rattler ``SparseRepoData(...).load_records(name)``.
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import alternate, report, save

from mixguard.conda.repodata import RepoData

DATA = Path(__file__).parents[1] / "tests" / "data" / "upstream"
CASES = [
    (
        "pytorch channel linux-64 (1.27 MB, 2,181 records)",
        DATA / "rattler" / "channels" / "pytorch" / "linux-64" / "repodata.json",
        "pytorch",
    ),
    (
        "conda-forge py3.9 subset linux-64 (2.3 MB, 2,709 records)",
        DATA / "conda-subchannel-demo" / "linux-64" / "repodata.json",
        "python",
    ),
]


def _json_pick(path: Path, name: str) -> list[dict[str, object]]:
    with path.open("rb") as fh:
        data = json.load(fh)
    return [
        r
        for sec in ("packages", "packages.conda")
        for r in data.get(sec, {}).values()
        if r.get("name") == name
    ]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=30)
    args = ap.parse_args()
    results = []
    for title, path, name in CASES:
        peers = {
            f"mixguard RepoData.records({name!r})": lambda p=path, n=name: RepoData.from_path(
                p
            ).records(n),
            "json.load whole file + filter": lambda p=path, n=name: _json_pick(p, n),
        }
        try:
            import orjson

            peers["orjson.loads whole file + filter"] = lambda p=path, n=name: [
                r
                for sec in ("packages", "packages.conda")
                for r in orjson.loads(p.read_bytes()).get(sec, {}).values()
                if r.get("name") == n
            ]
        except ImportError:
            pass
        try:
            import rattler

            def _rattler(p: Path = path, n: str = name) -> object:
                sparse = rattler.SparseRepoData(rattler.Channel("bench"), p.parent.name, p)
                return sparse.load_records(rattler.PackageName(n))

            peers["py-rattler SparseRepoData.load_records"] = _rattler
        except ImportError:
            print("py-rattler not installed: skipping that peer", file=sys.stderr)
        counts = {k: len(fn()) for k, fn in peers.items()}  # type: ignore[arg-type]
        times = alternate(peers, args.rounds)
        results.append(
            report(
                f"{title}: records of {name!r} {counts}",
                times,
                baseline=next(iter(peers)),
                extra={"records": counts},
            )
        )
    save("repodata", results)


if __name__ == "__main__":
    main()
