"""Conda-side resolution over the generated conda-forge-scale repodata: mixguard vs py-rattler.

    python benchmarks/bench_condasolve.py [--rounds 3] [--dir /tmp/mixguard-bigrepo]

The conda-first remedy and loose environment files are solved by rattler's solver
(``mixguard.conda.solve.solve_locked``, py-rattler underneath); this times that call against
py-rattler's ``solve_with_sparse_repodata`` called directly on the same specs over the same
241 MB file (``gen_repodata.py``): mixguard's overhead (record conversion, the channel read),
each in a fresh process per round, alternating, from opening the file to the solution. Every solution is then checked
in this process: each record's ``depends`` must be met by the solution's record of that name
(mixguard's MatchSpec), and the two solutions are compared.
"""

from __future__ import annotations

import argparse
import json
import statistics
import subprocess
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import machine, save
from gen_repodata import ensure, generated_names

SRC = Path(__file__).parents[1] / "src"

_CHILD = {
    "mixguard solve_locked": """
import os, tempfile
from mixguard.conda.solve import CondaSolveError, solve_locked
chan = tempfile.mkdtemp()
os.makedirs(chan + "/linux-64")
os.symlink(PATH, chan + "/linux-64/repodata.json")
try:
    sol = [(r.name, str(r.version), r.build)
           for r in solve_locked(SPECS, [chan], "linux-64", ()).values()]
except CondaSolveError as exc:
    sol = "conflict: " + str(exc)[:300]
""",
    "py-rattler solve (resolvo)": """
import asyncio
from rattler import Channel, SparseRepoData, solve_with_sparse_repodata
sparse = SparseRepoData(Channel("bench"), "linux-64", PATH)
try:
    recs = asyncio.run(solve_with_sparse_repodata(SPECS, [sparse]))
    sol = [(r.name.normalized, str(r.version), str(r.build)) for r in recs]
except Exception as exc:
    sol = "conflict: " + str(exc)[:300]
""",
}

_WRAP = """
import json, resource, sys, time
sys.path.insert(0, {src!r})
PATH, SPECS = {path!r}, {specs!r}
t0 = time.perf_counter()
{body}
dt = time.perf_counter() - t0
print(json.dumps({{"s": dt, "solution": sol,
                   "maxrss_kb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss}}))
"""


def run_child(body: str, path: Path, specs: list[str]) -> dict[str, object]:
    code = _WRAP.format(src=str(SRC), path=str(path), specs=specs, body=body)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])  # type: ignore[no-any-return]


def consistent(path: Path, solution: list[list[str]]) -> list[str]:
    """Unmet dependencies of a solution (empty: every record's depends is met in it)."""
    sys.path.insert(0, str(SRC))
    from mixguard.conda.matchspec import MatchSpec
    from mixguard.conda.repodata import RepoData

    rd = RepoData.from_path(path)
    chosen = {}
    for name, version, build in solution:
        (rec,) = [r for r in rd.records(name) if str(r.version) == version and r.build == build]
        chosen[name] = rec
    problems = []
    for rec in chosen.values():
        for dep in rec.depends:
            spec = MatchSpec.parse(dep)
            got = chosen.get(str(spec.name))
            if got is None or not spec.match(got):
                problems.append(f"{rec.name} {rec.version} {rec.build}: {dep} (got {got})")
    return problems


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/mixguard-bigrepo"))
    args = ap.parse_args()
    path = ensure(args.dir)
    names = generated_names()
    # a request as the remedy makes one: a few packages of different popularity
    specs = [names[i] for i in (1, 40, 300, 2_000, 9_000)]
    runs: dict[str, list[dict[str, object]]] = {k: [] for k in _CHILD}
    for _ in range(args.rounds):
        for peer, body in _CHILD.items():
            runs[peer].append(run_child(body, path, specs))
    med = {p: statistics.median(float(r["s"]) for r in rs) for p, rs in runs.items()}  # type: ignore[arg-type]
    mem = {p: statistics.median(float(r["maxrss_kb"]) for r in rs) / 1024 for p, rs in runs.items()}  # type: ignore[arg-type]
    sols = {p: rs[-1]["solution"] for p, rs in runs.items()}
    base = "mixguard solve_locked"
    print(f"\nconda-side solve of {specs} over {path.stat().st_size / 1e6:.0f} MB, fresh processes")
    print(f"  {'peer':<28} {'median':>9} {'ratio':>7} {'peak RSS':>10}  solution")
    checks = {}
    for p in _CHILD:
        sol = sols[p]
        if isinstance(sol, list):
            bad = consistent(path, sol)
            checks[p] = bad
            what = f"{len(sol)} records, " + ("consistent" if not bad else f"{len(bad)} unmet")
        else:
            what = str(sol)
        print(f"  {p:<28} {med[p]:>8.2f}s {med[p] / med[base]:>6.2f}x {mem[p]:>8.0f}MB  {what}")
    a, b = (sols[p] for p in _CHILD)
    same = (
        isinstance(a, list)
        and isinstance(b, list)
        and sorted(map(tuple, a)) == sorted(map(tuple, b))
    )
    print(f"  same solution: {same}")
    save(
        "condasolve",
        [
            {
                "title": "conda-side solve over generated repodata",
                "specs": specs,
                "median_s": med,
                "peak_rss_mb": mem,
                "solutions": sols,
                "unmet": checks,
                "same_solution": same,
                "machine": machine(),
            }
        ],
    )


if __name__ == "__main__":
    main()
