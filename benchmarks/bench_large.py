"""A large resolution against the real index: a py3.11 conda base + Airflow with providers.

    python benchmarks/bench_large.py [--rounds 2] [--no-pip] [--png benchmarks/scaling-requests.png]

Uses the network (not part of CI). The environment is a conda base built into a python 3.11
venv (python, requests, urllib3 1.26, idna, certifi, charset-normalizer from conda-forge, with
their dist-infos); the request is ``apache-airflow[amazon,celery,cncf.kubernetes,postgres,
http,ssh,slack]`` (about 190 distributions). Peers, alternating within each round:

- cold (empty caches every round): mixguard ``check()`` in process (resolution, wheel RECORDs
  for the findings, every finding), ``uv pip install --dry-run``, pip 25.3 ``install
  --dry-run --report --no-cache-dir`` (no PEP 658 here: pip downloads every chosen wheel);
- warm: mixguard ``check(offline=True)`` on the cache a cold run filled, the same as a fresh
  ``mixguard check --offline`` process (JSON report, remedies included), mixguard
  ``resolve()`` alone, ``uv pip install --dry-run --offline`` on its filled cache, pip with
  its filled cache (pip has no offline mode for an index: it revalidates the pages); one
  untimed round first, so that each tool is in its steady state;
- requested-package scaling: the first k names of the plan, then a few scientific packages
  (k = 1 -> 200), each request run once online to fill both caches, then timed warm and
  offline, mixguard ``check`` vs ``uv --offline``, plotted to the PNG.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from _harness import alternate, machine, report, save
from tests.cases.envs import build_small

from mixguard import check, load_environment
from mixguard.index.cache import Cache
from mixguard.index.client import IndexClient
from mixguard.resolve import parse_pip_args, resolve

ROOT = Path(__file__).parents[1]
PIP = ROOT / "tests" / "data" / "pip" / "pip-25.3-py3-none-any.whl"
UV = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
REQUEST = "apache-airflow[amazon,celery,cncf.kubernetes,postgres,http,ssh,slack]"
EXTRA = ["numpy", "pandas", "scipy", "matplotlib", "scikit-learn", "pillow", "sympy", "networkx"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=2)
    ap.add_argument("--no-pip", action="store_true", help="skip pip (downloads ~190 wheels)")
    ap.add_argument("--png", type=Path, default=Path(__file__).parent / "scaling-requests.png")
    args = ap.parse_args()
    py311 = sorted(Path.home().glob(".pyenv/versions/3.11.*/bin/python3.11"))[-1]
    work = Path(tempfile.mkdtemp(prefix="mg-large-"))
    env_dir = work / "env"
    build_small(env_dir, py311)
    python = str(env_dir / "bin" / "python")
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    clean["PIP_CONFIG_FILE"] = os.devnull
    # the host's glibc, as pip and uv see it here (mixguard's default is conda's 2.17)
    env = load_environment(prefix=env_dir, glibc=platform.libc_ver()[1])
    n = {"i": 0}

    def fresh() -> Path:
        n["i"] += 1
        return work / f"cache-{n['i']}"

    plans: dict[str, set[str]] = {}

    def mg(cache: Path, offline: bool = False, request: list[str] | None = None) -> set[str]:
        # this machine's pip configuration (extra index, find-links, constraints) is not the
        # workload's: every peer runs without it
        rep = check(env, request or [REQUEST], cache_dir=cache, offline=offline, environ=clean)
        if rep.plan is None:
            return {f"conflict: {rep.conflict}"}
        return {f"{c.name}=={c.version}" for c in rep.plan.installs}

    def uv(cache: Path, *extra: str, request: list[str] | None = None) -> set[str]:
        out = subprocess.run(
            [UV, "pip", "install", "--dry-run", "--python", python, "--cache-dir", str(cache)]
            + [*extra, *(request or [REQUEST])],
            env=clean,
            capture_output=True,
            text=True,
        )
        return {line[3:].strip() for line in out.stderr.splitlines() if line.startswith(" + ")}

    def pip(*extra: str) -> None:
        subprocess.run(
            [
                python,
                str(PIP / "pip"),
                "install",
                "--dry-run",
                "-q",
                "--report",
                str(work / "r.json"),
            ]
            + [*extra, REQUEST],
            check=True,
            env=clean,
            capture_output=True,
        )

    cold = {
        "mixguard check, cold": lambda: plans.__setitem__("mixguard", mg(fresh())),
        "uv pip install --dry-run, cold": lambda: plans.__setitem__("uv", uv(fresh())),
    }
    if not args.no_pip:
        cold["pip 25.3 install --dry-run --report, cold"] = lambda: pip("--no-cache-dir")
    results = [
        report(
            "large resolution, cold, real index",
            alternate(cold, args.rounds),
            baseline="uv pip install --dry-run, cold",
        )
    ]
    if not args.no_pip:
        pip_report = json.loads((work / "r.json").read_text())["install"]
        plans["pip"] = {
            f"{i['metadata']['name'].lower().replace('_', '-').replace('.', '-')}=="
            f"{i['metadata']['version']}"
            for i in pip_report
        }
    for peer, plan in plans.items():
        print(f"  {peer}: {len(plan)} installs planned")
    if "pip" in plans:
        diff = sorted(plans["mixguard"] ^ plans["pip"])
        print(
            f"  mixguard's plan == pip's report: {not diff}"
            + (f" (differ: {diff})" if diff else "")
        )
    results[0]["plans"] = {k: sorted(v) for k, v in plans.items()}
    if "pip" in plans:
        results[0]["plan_equals_pips"] = plans["mixguard"] == plans["pip"]

    # warm: fill one cache per tool, then time against it
    mg_cache, uv_cache, pip_cache = work / "mg-warm", work / "uv-warm", work / "pip-warm"
    mg(mg_cache)
    uv(uv_cache)
    if not args.no_pip:
        pip("--cache-dir", str(pip_cache))
    request = parse_pip_args([REQUEST])

    def resolve_only() -> None:
        client = IndexClient(request.index, cache=Cache(mg_cache), offline=True)
        resolve(env, request, client)

    def cli() -> None:
        subprocess.run(
            [sys.executable, "-m", "mixguard", "check", "--prefix", str(env_dir), "--offline"]
            + ["--glibc", platform.libc_ver()[1], "--cache-dir", str(mg_cache)]
            + ["--format", "json", "--fail-on", "never", "--", REQUEST],
            check=True,
            capture_output=True,
            env={**clean, "PYTHONPATH": str(ROOT / "src")},
        )

    warm = {
        "mixguard check, warm, offline (in process)": lambda: mg(mg_cache, offline=True),
        "mixguard resolve() alone, warm, offline": resolve_only,
        "mixguard check CLI, warm, offline, JSON + remedies": cli,
        "uv pip install --dry-run --offline, warm": lambda: uv(uv_cache, "--offline"),
    }
    if not args.no_pip:
        warm["pip 25.3 install --dry-run --report, warm cache"] = lambda: pip(
            "--cache-dir", str(pip_cache)
        )
    # one untimed round first: "warm" is each tool's steady state. uv writes its parsed form
    # of a page when it fetches it; mixguard saves a page's scan when it first reads the page
    # back from its cache (not on the cold run: docs/index-client.md)
    for fn in warm.values():
        fn()
    results.append(
        report(
            "large resolution, warm",
            alternate(warm, max(args.rounds, 3)),
            baseline="uv pip install --dry-run --offline, warm",
        )
    )

    # requested-package scaling, warm and offline, both peers on the same names
    client = IndexClient(request.index, cache=Cache(mg_cache), offline=True)
    # Airflow's own distributions last: requesting them pulls in the whole closure at once;
    # a few scientific packages on top, for 200 requested names
    planned = {c.name for c in resolve(env, request, client).installs}
    names = sorted(planned, key=lambda n: (n.startswith("apache-airflow"), n))
    names += [n for n in EXTRA if n not in planned][: max(0, 200 - len(names))]
    ks = sorted({1, 10, 25, 50, 100, 150, len(names)})
    rows = []
    for k in ks:
        req = names[:k]
        t_mg: list[float] = []
        t_uv: list[float] = []
        got: dict[str, set[str]] = {}
        # once online, so that both caches hold every page this request needs (a request
        # that upgrades conda's requests reaches projects outside Airflow's closure)
        mg(mg_cache, request=req)
        uv(uv_cache, request=req)
        for _ in range(max(args.rounds, 3)):
            t0 = time.perf_counter()
            got["mixguard"] = mg(mg_cache, offline=True, request=req)
            t_mg.append(time.perf_counter() - t0)
            t0 = time.perf_counter()
            got["uv"] = uv(uv_cache, "--offline", request=req)
            t_uv.append(time.perf_counter() - t0)
        row = {
            "requested": k,
            "mixguard_s": statistics.median(t_mg),
            "uv_offline_s": statistics.median(t_uv),
            "installs": {k: len(v) for k, v in got.items()},
        }
        rows.append(row)
        print(
            f"  requested {k:>4}: mixguard {row['mixguard_s'] * 1000:8.1f} ms,"
            f" uv --offline {row['uv_offline_s'] * 1000:8.1f} ms,"
            f" installs { ({k: len(v) for k, v in got.items()}) }"
        )
    results.append({"title": "requested-package scaling, warm, offline", "rows": rows})
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, ax = plt.subplots(figsize=(6, 4))
        ax.plot(ks, [r["mixguard_s"] for r in rows], "o-", label="mixguard check")
        ax.plot(ks, [r["uv_offline_s"] for r in rows], "s-", label="uv --offline --dry-run")
        ax.set_xlabel("requested packages (names from the Airflow plan, then numpy, pandas, ...)")
        ax.set_ylabel("seconds (median, warm, offline)")
        ax.set_title(f"py3.11 conda base, real index\n{machine()}", fontsize=8)
        ax.legend()
        fig.tight_layout()
        fig.savefig(args.png, dpi=110)
        print(f"wrote {args.png}")
    except ImportError:
        print("matplotlib not installed: no plot (pip install -e '.[docs]')")
    save("large", results)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
