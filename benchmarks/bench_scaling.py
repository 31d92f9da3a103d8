"""How the check scales: installed conda packages (50 -> 1,000) and requested packages (1 -> 42).

    python benchmarks/bench_scaling.py [--rounds 5] [--png benchmarks/scaling.png]

Installed: the demo prefix plus N-93 synthetic noarch Python packages (a conda record, its
dist-info with METADATA/RECORD/INSTALLER, a module), checked against `sentence-transformers`;
for 50, the demo prefix without 43 of its non-Python packages (the plan is the same).
Requested: the demo prefix, requesting the first k projects of the demo index (every one of
them is in the sentence-transformers universe, so each request resolves). The demo index has
42 projects; requests of up to 200 packages (real PyPI, side by side with uv) are in
``bench_large.py``.
Median of alternating rounds, in process (``load_environment`` + ``check``), warm.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import machine, save

from mixguard import check, load_environment
from mixguard.demo import demo_index, demo_prefix

SITE = "lib/python3.10/site-packages"


def grow_prefix(dest: Path, total: int) -> Path:
    shutil.copytree(demo_prefix(), dest)
    have = len(list((dest / "conda-meta").glob("*.json")))
    if total < have:
        # smaller than the demo: drop conda packages without Python files (libraries, the CUDA
        # runtime...), which pip never sees, so the plan stays the same
        for meta in sorted((dest / "conda-meta").glob("*.json")):
            rec = json.loads(meta.read_text())
            files = rec.get("files", [])
            keep = rec.get("name") == "python" or any("site-packages" in f for f in files)
            if have > total and not keep:
                meta.unlink()
                have -= 1
    for i in range(total - have):
        name, mod = f"synth-pkg-{i:04d}", f"synth_pkg_{i:04d}"
        info = f"{SITE}/{mod}-1.0.dist-info"
        files = [f"{info}/INSTALLER", f"{info}/METADATA", f"{info}/RECORD", f"{SITE}/{mod}.py"]
        (dest / info).mkdir(parents=True)
        (dest / info / "INSTALLER").write_text("conda\n")
        (dest / info / "METADATA").write_text(
            f"Metadata-Version: 2.1\nName: {name}\nVersion: 1.0\nRequires-Dist: six\n"
        )
        (dest / info / "RECORD").write_text("".join(f"{f[len(SITE) + 1 :]},,\n" for f in files))
        (dest / SITE / f"{mod}.py").write_text("")
        record = {
            "name": name,
            "version": "1.0",
            "build": "pyhd8ed1ab_0",
            "build_number": 0,
            "channel": "https://conda.anaconda.org/conda-forge/noarch",
            "subdir": "noarch",
            "noarch": "python",
            "depends": ["python >=3.8", "six"],
            "fn": f"{name}-1.0-pyhd8ed1ab_0.conda",
            "files": files,
        }
        (dest / "conda-meta" / f"{name}-1.0-pyhd8ed1ab_0.json").write_text(json.dumps(record))
    return dest


def timed(fn: object, rounds: int) -> float:
    out = []
    for _ in range(rounds):
        t0 = time.perf_counter()
        fn()  # type: ignore[operator]
        out.append(time.perf_counter() - t0)
    return statistics.median(out)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=5)
    ap.add_argument("--png", type=Path, default=Path(__file__).parent / "scaling.png")
    args = ap.parse_args()
    index = ["--index-url", (demo_index() / "simple").as_uri()]
    work = Path(tempfile.mkdtemp(prefix="mg-scaling-"))
    installed: dict[int, float] = {}
    for total in (50, 93, 250, 500, 1000):
        prefix = grow_prefix(work / f"p{total}", total)

        def run(p: Path = prefix) -> None:
            env = load_environment(prefix=p, cuda="11.2")
            report = check(env, ["sentence-transformers", *index], offline=True)
            assert report.plan is not None and len(report.plan.installs) == 33

        installed[total] = timed(run, args.rounds)
        print(f"installed conda packages {total:>5}: {installed[total] * 1000:8.1f} ms")
    projects = sorted(p.name for p in (demo_index() / "simple").iterdir() if p.is_dir())
    requested: dict[int, float] = {}
    env = load_environment(demo=True)
    for k in (1, 5, 10, 20, len(projects)):

        def run_k(k: int = k) -> None:
            report = check(env, [*projects[:k], *index], offline=True)
            assert report.conflict is None, report.conflict

        requested[k] = timed(run_k, args.rounds)
        print(f"requested packages {k:>5}: {requested[k] * 1000:8.1f} ms")
    shutil.rmtree(work, ignore_errors=True)
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, (a, b) = plt.subplots(1, 2, figsize=(10, 4))
        a.plot(list(installed), [v * 1000 for v in installed.values()], "o-")
        a.set(xlabel="installed conda packages", ylabel="check, ms", title="vs environment size")
        b.plot(list(requested), [v * 1000 for v in requested.values()], "o-")
        b.set(xlabel="requested packages", ylabel="check, ms", title="vs request size")
        for ax in (a, b):
            ax.set_ylim(bottom=0)
            ax.grid(alpha=0.3)
        fig.suptitle("mixguard check, warm, in process (demo universe)")
        fig.tight_layout()
        fig.savefig(args.png, dpi=80)
        print("wrote", args.png)
    except ImportError:
        print("matplotlib not installed: no plot (pip install -e '.[docs]')")
    save(
        "scaling",
        [
            {
                "title": "check vs installed / requested packages",
                "installed_median_s": installed,
                "requested_median_s": requested,
                "machine": machine(),
            }
        ],
    )


if __name__ == "__main__":
    main()
