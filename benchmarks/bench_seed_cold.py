"""Checks from a cold start against the real index: three workloads, mixguard beside uv and pip.

    python benchmarks/bench_seed_cold.py [--rounds 2] [--no-pip]

Uses the network (not part of CI). Workloads:

- **seed**: the TF 2.9 / CUDA 11.2 prefix (built into a python 3.10 venv, as in
  ``bench_resolve.py``) + ``sentence-transformers``;
- **transformers[torch]** into the same prefix;
- **jupyterlab "pandas<2.2" scikit-learn matplotlib** into a python 3.9 conda prefix (python
  only).

Every round runs each peer once, each with an empty cache, as the fresh process a user runs:

- ``mixguard check --format json`` (pages, metadata by PEP 658 or HTTP Range, the wheels'
  RECORDs for the findings, every finding and the remedies), and ``--format sarif`` (what a CI
  gate runs: the findings without the report's remedies, which resolve again for advice);
- ``uv pip install --dry-run --python <env>``;
- pip 25.3 ``install --dry-run --report --no-cache-dir`` in the environment (this mirror
  serves no PEP 658 files: pip downloads every chosen wheel, gigabytes for torch).

All resolve today's PyPI; the plans are compared (installs planned by each peer). Peak RSS of
each process is reported beside its time. No peer reads this machine's pip configuration.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from _harness import alternate, report, run, save
from tests.cases.envs import build_empty, build_tf29

PIP = Path(__file__).parents[1] / "tests" / "data" / "pip" / "pip-25.3-py3-none-any.whl"
UV = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
ROOT = Path(__file__).parents[1]

WORKLOADS = {
    "seed": ("tf29", ["sentence-transformers"]),
    "transformers[torch]": ("tf29", ["transformers[torch]"]),
    "jupyterlab stack": ("py39", ["jupyterlab", "pandas<2.2", "scikit-learn", "matplotlib"]),
}


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-pip", action="store_true", help="skip pip (gigabytes a round)")
    ap.add_argument("--only", choices=sorted(WORKLOADS), action="append")
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="mg-cold-"))
    envs = {"tf29": work / "tf29", "py39": work / "py39"}
    build_tf29(envs["tf29"], sorted(Path.home().glob(".pyenv/versions/3.10.*/bin/python3.10"))[-1])
    build_empty(envs["py39"], sorted(Path.home().glob(".pyenv/versions/3.9.*/bin/python3.9"))[-1])
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    clean["PIP_CONFIG_FILE"] = os.devnull
    cli_env = {**clean, "PYTHONPATH": str(ROOT / "src")}
    glibc = platform.libc_ver()[1]  # the host's, as pip and uv see it here
    n = {"i": 0}

    def fresh() -> Path:
        n["i"] += 1
        return work / f"cache-{n['i']}"

    results = []
    for name, (env_name, request) in WORKLOADS.items():
        if args.only and name not in args.only:
            continue
        prefix = envs[env_name]
        python = str(prefix / "bin" / "python")
        out = work / f"{name}.json"

        def mixguard(
            prefix: Path = prefix, request: list[str] = request, out: Path = out, fmt: str = "json"
        ) -> int:
            cmd = [sys.executable, "-m", "mixguard", "check", "--prefix", str(prefix)]
            cmd += ["--cuda", "11.2", "--glibc", glibc, "--cache-dir", str(fresh())]
            cmd += ["--format", fmt, "--fail-on", "never", "--", *request]
            if fmt != "json":
                out = work / "sarif.json"
            with open(out, "w") as fh:  # the plan, to compare
                proc = subprocess.run(
                    ["/usr/bin/time", "-f", "%M", *cmd],
                    env=cli_env,
                    stdout=fh,
                    stderr=subprocess.PIPE,
                    text=True,
                )
            if proc.returncode != 0:
                raise SystemExit(f"mixguard failed: {proc.stderr[-2000:]}")
            return int(proc.stderr.strip().splitlines()[-1])

        def uv(python: str = python, request: list[str] = request) -> int:
            return run(
                [UV, "pip", "install", "--dry-run", "-q", "--python", python]
                + ["--cache-dir", str(fresh()), *request],
                env=clean,
            )

        def pip(python: str = python, request: list[str] = request, name: str = name) -> int:
            return run(
                [python, str(PIP / "pip"), "install", "--dry-run", "-q", "--no-cache-dir"]
                + ["--report", str(work / f"{name}-pip.json"), *request],
                env=clean,
            )

        peers = {
            "mixguard check CLI, cold": mixguard,
            # what a CI gate runs: the findings, without the report's remedies (which resolve
            # again, with conda's pins, for advice)
            "mixguard check CLI --format sarif, cold": lambda: mixguard(fmt="sarif"),
            "uv pip install --dry-run, cold": uv,
        }
        if not args.no_pip:
            peers["pip 25.3 install --dry-run --report, cold"] = pip
        times = alternate(peers, args.rounds)  # type: ignore[arg-type]
        plan = json.loads(out.read_text()).get("plan") or {}
        planned = {
            f"{i['metadata']['name']}=={i['metadata']['version']}"
            for i in plan.get("install", [])
            if i.get("action") != "unchanged"
        }
        extra: dict[str, object] = {"workload": name, "mixguard_installs": len(planned)}
        pip_json = work / f"{name}-pip.json"
        if pip_json.exists():
            from packaging.utils import canonicalize_name

            theirs = {
                f"{canonicalize_name(i['metadata']['name'])}=={i['metadata']['version']}"
                for i in json.loads(pip_json.read_text())["install"]
            }
            ours = {f"{canonicalize_name(p.split('==')[0])}=={p.split('==')[1]}" for p in planned}
            extra["plan_equals_pips"] = ours == theirs
            extra["plan_differs"] = sorted(ours ^ theirs)
            print(f"  {name}: mixguard's plan == pip's report: {ours == theirs}")
        results.append(
            report(
                f"{name}, cold, real index ({len(planned)} installs planned by mixguard)",
                times,
                baseline="uv pip install --dry-run, cold",
                extra=extra,
            )
        )
    save("seed_cold", results)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
