"""The seed check, warm: `pip install sentence-transformers` into the TF 2.9 / CUDA 11.2 prefix.

    python benchmarks/bench_resolve.py [--rounds N]

All peers read the same offline universe (the embedded demo index, a snapshot of PyPI on
2024-06-01) and the same environment (the demo prefix, built into a python 3.10 venv):

- mixguard check, in process: ``load_environment`` + ``check`` (resolution and every finding);
- mixguard check CLI: ``python -m mixguard check --format json``, a fresh process;
- mixguard, in process: ``resolve()`` with a fresh client (pages and PEP 658 metadata read
  from the tree; nothing kept between rounds);
- mixguard, fresh process: ``python -c`` doing the same, interpreter start and imports included;
- real pip 25.3 in the venv: ``pip install --dry-run --report`` with ``--index-url file://...``;
- the same universe as stub wheels (:func:`_harness.stub_wheels`: each wheel holds only its
  METADATA) under ``--no-index --find-links``, for uv (which does not read a ``file://``
  index's PEP 658 files) and, side by side with it, for the mixguard CLI and pip;
- uv: ``uv pip install --dry-run --offline --python <venv>`` on the stub wheels, warm cache.

The processes' peak RSS is reported beside their times (the kernel's ``wait4`` accounting).
"""

from __future__ import annotations

import argparse
import os
import shutil
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from _harness import alternate, report, run, save, stub_wheels
from tests.cases.envs import build_tf29

from mixguard import check, load_environment
from mixguard.demo import demo_index
from mixguard.environment import read_prefix
from mixguard.index.client import IndexClient
from mixguard.resolve import parse_pip_args, resolve

PIP = Path(__file__).parents[1] / "tests" / "data" / "pip" / "pip-25.3-py3-none-any.whl"
UV = shutil.which("uv") or str(Path(sys.executable).parent / "uv")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=15)
    args = ap.parse_args()
    py310 = sorted(Path.home().glob(".pyenv/versions/3.10.*/bin/python3.10"))[-1]
    work = Path(tempfile.mkdtemp(prefix="mg-resolve-"))
    env_dir = work / "env"
    build_tf29(env_dir, py310)
    index = (demo_index() / "simple").as_uri()
    pip_args = ["sentence-transformers", "--index-url", index]
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    clean["PIP_CONFIG_FILE"] = os.devnull
    uv_cache = work / "uv-cache"

    env = read_prefix(env_dir, environ={})
    request = parse_pip_args(pip_args)

    def mixguard() -> None:
        plan = resolve(env, request, IndexClient(request.index, offline=True))
        assert len(plan.installs) == 33, plan.summary()

    def mixguard_check() -> None:
        # the full check: reading the prefix, resolving, and every finding (remedies are lazy)
        # this machine's pip configuration (a constraint file, extra indexes) is not the demo's
        report = check(
            load_environment(prefix=env_dir, cuda="11.2"), pip_args, offline=True, environ=clean
        )
        assert report.worst() == "error" and len(report.plan.installs) == 33  # type: ignore[union-attr]

    cli_env = {**clean, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    stubs = stub_wheels(demo_index() / "simple", work / "stubs")
    stub_args = ["--no-index", "--find-links", str(stubs), "sentence-transformers"]

    def mixguard_cli(args: list[str] = pip_args) -> int:
        return run(
            [sys.executable, "-m", "mixguard", "check", "--prefix", str(env_dir), "--cuda", "11.2"]
            + ["--offline", "--fail-on", "never", "--format", "json", "--", *args],
            env=cli_env,
        )

    code = "\n".join(
        [
            "from mixguard.environment import read_prefix",
            "from mixguard.index.client import IndexClient",
            "from mixguard.resolve import parse_pip_args, resolve",
            f"r = parse_pip_args({pip_args!r})",
            f"env = read_prefix({str(env_dir)!r}, environ={{}})",
            "p = resolve(env, r, IndexClient(r.index, offline=True))",
            "assert len(p.installs) == 33",
        ]
    )

    def mixguard_process() -> int:
        return run([sys.executable, "-c", code], env=cli_env)

    def pip(args: list[str] = pip_args) -> int:
        return run(
            [str(env_dir / "bin" / "python"), str(PIP / "pip"), "install", "--dry-run", "-q"]
            + ["--report", str(work / "r.json"), *args],
            env=clean,
        )

    def uv() -> int:
        return run(
            [UV, "pip", "install", "--dry-run", "-q", "--offline", "--python"]
            + [str(env_dir / "bin" / "python"), "--cache-dir", str(uv_cache), *stub_args],
            env=clean,
        )

    peers = {
        "mixguard check (env + resolve + findings), in process": mixguard_check,
        "mixguard check CLI, fresh process, JSON report": mixguard_cli,
        "mixguard resolve, in process (warm)": mixguard,
        "mixguard resolve, fresh process (warm)": mixguard_process,
        "pip 25.3 install --dry-run --report": pip,
        "mixguard check CLI, stub wheels (--find-links)": lambda: mixguard_cli(stub_args),
        "pip 25.3 --dry-run, stub wheels (--find-links)": lambda: pip(stub_args),
    }
    uv()  # fills its cache: warm, as the other peers are
    peers["uv pip install --dry-run --offline, stub wheels (--find-links)"] = uv
    mixguard()
    times = alternate(peers, args.rounds)
    results = [
        report(
            "TF 2.9 prefix + sentence-transformers, offline universe (33 installs)",
            times,
            baseline="pip 25.3 install --dry-run --report",
        )
    ]
    save("resolve", results)
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
