"""A loose environment.yml checked end to end, against its parts done alone.

    python benchmarks/bench_envfile.py [--rounds 3] [--dir /tmp/mixguard-bigrepo]

The environment.yml names five conda specs (no builds, no versions) from the generated
conda-forge-scale channel (``gen_repodata.py``, 232 MB) and a ``pip:`` section; the request is
``tqdm`` from the demo's offline index. Fresh processes, alternating rounds:

- **mixguard check --env-file**: the conda side solved by rattler's solver over the channel,
  the ``pip:`` section replayed, then the request checked (JSON report, remedies);
- **py-rattler solve**: ``solve_with_sparse_repodata`` on the same specs over the same file;
- **mixguard check --explicit**: the solved environment as an ``@EXPLICIT`` file (nothing left
  to solve), the same ``pip:`` lines and request: the pip replay and the check alone.

Target (issue 16): the first no more than 1.3x the sum of the other two.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
from _harness import alternate, report, run, save
from gen_repodata import ensure, generated_names

from mixguard.conda.solve import solve_locked
from mixguard.demo import demo_index

SRC = Path(__file__).parents[1] / "src"

_RATTLER = """
import asyncio, sys
from rattler import Channel, SparseRepoData, solve_with_sparse_repodata
sparse = SparseRepoData(Channel("bench"), "linux-64", sys.argv[1])
recs = asyncio.run(solve_with_sparse_repodata(sys.argv[2:], [sparse]))
assert recs
"""


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--dir", type=Path, default=Path("/tmp/mixguard-bigrepo"))
    args = ap.parse_args()
    path = ensure(args.dir)
    names = generated_names()
    specs = ["python", *(names[i] for i in (1, 40, 300, 2_000))]
    work = Path(tempfile.mkdtemp(prefix="mg-envfile-"))
    index = (demo_index() / "simple").as_uri()
    pip_lines = ["--index-url " + index, "filelock"]
    env_yml = work / "environment.yml"
    env_yml.write_text(
        "name: bench\n"
        f"channels:\n  - {args.dir.as_uri()}\n"
        "dependencies:\n"
        + "".join(f"  - {s}\n" for s in specs)
        + "  - pip:\n"
        + "".join(f"    - {line}\n" for line in pip_lines)
    )
    solved = solve_locked(specs, [str(args.dir)], "linux-64", ())
    explicit = work / "explicit.txt"
    explicit.write_text(
        "@EXPLICIT\n"
        + "".join(
            f"{args.dir.as_uri()}/linux-64/{r.fn}\n"
            for r in sorted(solved.values(), key=lambda r: r.name)
        )
    )
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    clean["PIP_CONFIG_FILE"] = os.devnull
    cli_env = {**clean, "PYTHONPATH": str(SRC)}
    request = ["--", "tqdm", "--index-url", index]
    cli = [sys.executable, "-m", "mixguard", "check", "--offline", "--fail-on", "never"]
    cli += ["--platform", "linux-64"]
    cli += ["--format", "json", "--cache-dir", str(work / "cache")]

    def allowed(cmd: list[str]) -> int:
        try:
            return run(cmd, env=cli_env)
        except Exception as exc:  # exit 3/4 (a conflict, unproven) still timed the work
            code = getattr(exc, "returncode", None)
            if code in (3, 4):
                return 0
            raise

    peers = {
        "mixguard check --env-file": lambda: allowed([*cli, "--env-file", str(env_yml), *request]),
        "py-rattler solve": lambda: run(
            [sys.executable, "-c", _RATTLER, str(path), *specs], env=cli_env
        ),
        "mixguard check --explicit (+ pip: lines)": lambda: allowed(
            [*cli, "--explicit", str(explicit), "--", *pip_lines[1:], *request[1:]]
        ),
    }
    times = alternate(peers, args.rounds)
    res = report(
        f"environment.yml over {path.stat().st_size / 1e6:.0f} MB generated repodata",
        times,
        baseline="py-rattler solve",
    )
    med = res["median_s"]
    parts = med["py-rattler solve"] + med["mixguard check --explicit (+ pip: lines)"]
    res["ratio_to_parts"] = med["mixguard check --env-file"] / parts
    print(f"  check --env-file / (solve + replay alone): {res['ratio_to_parts']:.2f}x")
    save("envfile", [res])


if __name__ == "__main__":
    main()
