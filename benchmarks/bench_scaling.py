"""How a check grows: installed distributions (50 -> 5,000) and requested packages (1 -> 200),
mixguard beside pip and uv, all offline, all fresh processes.

    python benchmarks/bench_scaling.py [--rounds 3] [--png benchmarks/scaling.png]

- **Installed**: the TF 2.9 / CUDA 11.2 prefix built into a python 3.10 venv (as in
  ``bench_resolve.py``) grown with N-93 synthetic noarch conda packages (a conda record, a
  dist-info with METADATA/RECORD/INSTALLER, a module; each requires ``six``), or for 50 shrunk by
  non-Python records (pip never sees them: the plan is the same). Request:
  ``sentence-transformers`` from the demo universe as stub wheels (``--no-index
  --find-links``), 33 installs at every size.
- **Requested**: an empty python 3.10 conda prefix and a generated universe of stub wheels:
  200 ``synth-top-i`` projects (3 versions each), each requiring two of 400 ``synth-leaf-j``
  projects (one ``>=1.1``, one ``<2``) and ``synth-common>=1``; the first k tops are requested
  (about 3k+1 installs).

Peers: ``mixguard check --format json`` (remedies included), pip 25.3 ``install --dry-run
--report``, ``uv pip install --dry-run --offline`` (warm cache); medians of alternating rounds,
with peak RSS. The growth of each peer is stated from the measurements: the model among
``c + a*n``, ``c + a*n*log(n)``, ``c + a*n**2`` that fits best (least squares, R^2).
"""

from __future__ import annotations

import argparse
import json
import math
import os
import shutil
import statistics
import sys
import tempfile
import zipfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
sys.path.insert(0, str(Path(__file__).parents[1]))
from _harness import PEAKS, alternate, machine, run, save, stub_wheels
from tests.cases.envs import build_empty, build_tf29

from mixguard.demo import demo_index

PIP = Path(__file__).parents[1] / "tests" / "data" / "pip" / "pip-25.3-py3-none-any.whl"
UV = shutil.which("uv") or str(Path(sys.executable).parent / "uv")
SITE = "lib/python3.10/site-packages"
INSTALLED = (50, 93, 250, 500, 1000, 2500, 5000)
REQUESTED = (1, 5, 10, 25, 50, 100, 200)


def grow_prefix(dest: Path, total: int) -> None:
    """``dest`` (a built prefix) grown, or shrunk, to ``total`` conda records."""
    have = len(list((dest / "conda-meta").glob("*.json")))
    if total < have:
        # drop conda packages without Python files (libraries, the CUDA runtime...), which
        # pip never sees, so the plan stays the same
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


def synth_universe(out: Path) -> Path:
    """The generated universe of the requested-packages axis, as stub wheels."""
    out.mkdir(parents=True)

    def wheel(name: str, version: str, requires: list[str]) -> None:
        dist = f"{name.replace('-', '_')}-{version}"
        meta = f"Metadata-Version: 2.1\nName: {name}\nVersion: {version}\n" + "".join(
            f"Requires-Dist: {r}\n" for r in requires
        )
        with zipfile.ZipFile(out / f"{dist}-py3-none-any.whl", "w") as zf:
            zf.writestr(f"{dist}.dist-info/METADATA", meta)
            zf.writestr(
                f"{dist}.dist-info/WHEEL",
                "Wheel-Version: 1.0\nRoot-Is-Purelib: true\nTag: py3-none-any\n",
            )
            zf.writestr(f"{dist}.dist-info/RECORD", "")

    for version in ("1.0", "1.1", "2.0"):
        wheel("synth-common", version, [])
        for j in range(400):
            wheel(f"synth-leaf-{j:03d}", version, [])
        for i in range(200):
            wheel(
                f"synth-top-{i:03d}",
                version,
                [
                    f"synth-leaf-{2 * i:03d}>=1.1",
                    f"synth-leaf-{2 * i + 1:03d}<2",
                    "synth-common>=1",
                ],
            )
    return out


def growth(points: dict[int, float]) -> tuple[str, float, float, dict[str, float]]:
    """The model among c + a*f(n) (f = n, n log n, n^2) that fits best: (name, a, R^2, and
    every model's R^2)."""
    models = {"linear": float, "n log n": lambda n: n * math.log(n), "quadratic": lambda n: n * n}
    xs, ys = list(points), list(points.values())
    best = ("?", 0.0, -math.inf)
    every: dict[str, float] = {}
    for name, f in models.items():
        fx = [f(x) for x in xs]
        mx, my = statistics.fmean(fx), statistics.fmean(ys)
        sxx = sum((v - mx) ** 2 for v in fx)
        a = sum((v - mx) * (y - my) for v, y in zip(fx, ys, strict=True)) / sxx
        c = my - a * mx
        ss_res = sum((y - (c + a * v)) ** 2 for v, y in zip(fx, ys, strict=True))
        ss_tot = sum((y - my) ** 2 for y in ys) or 1e-12
        r2 = every[name] = 1 - ss_res / ss_tot
        if r2 > best[2]:
            best = (name, a, r2)
    return (*best, every)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--png", type=Path, default=Path(__file__).parent / "scaling.png")
    args = ap.parse_args()
    py310 = sorted(Path.home().glob(".pyenv/versions/3.10.*/bin/python3.10"))[-1]
    work = Path(tempfile.mkdtemp(prefix="mg-scaling-"))
    clean = {k: v for k, v in os.environ.items() if not k.startswith(("PIP_", "UV_"))}
    clean["PIP_CONFIG_FILE"] = os.devnull
    cli_env = {**clean, "PYTHONPATH": str(Path(__file__).parents[1] / "src")}
    uv_cache = work / "uv-cache"

    def peers(prefix: Path, request: list[str]) -> dict[str, object]:
        py = str(prefix / "bin" / "python")
        return {
            "mixguard": lambda: run(
                [sys.executable, "-m", "mixguard", "check", "--prefix", str(prefix)]
                + ["--cuda", "11.2", "--offline", "--fail-on", "never", "--format", "json"]
                + ["--", *request],
                env=cli_env,
            ),
            "pip": lambda: run(
                [py, str(PIP / "pip"), "install", "--dry-run", "-q", "--report", os.devnull]
                + request,
                env=clean,
            ),
            "uv": lambda: run(
                [UV, "pip", "install", "--dry-run", "-q", "--offline", "--python", py]
                + ["--cache-dir", str(uv_cache), *request],
                env=clean,
            ),
        }

    series: dict[str, dict[str, dict[int, float]]] = {"installed": {}, "requested": {}}
    peaks: dict[str, dict[str, dict[int, int]]] = {"installed": {}, "requested": {}}

    def measure(axis: str, n: int, prefix: Path, request: list[str]) -> None:
        ps = peers(prefix, request)
        for fn in ps.values():  # once, untimed: uv's cache warm, every .pyc written
            fn()  # type: ignore[operator]
        times = alternate(ps, args.rounds)  # type: ignore[arg-type]
        row = []
        for name, ts in times.items():
            series[axis].setdefault(name, {})[n] = statistics.median(ts)
            peaks[axis].setdefault(name, {})[n] = PEAKS.pop(name, 0)
            row.append(f"{name} {statistics.median(ts) * 1000:7.0f} ms")
        print(f"{axis} {n:>5}: " + "  ".join(row), flush=True)

    stubs = stub_wheels(demo_index() / "simple", work / "stubs")
    seed = ["--no-index", "--find-links", str(stubs), "sentence-transformers"]
    for total in INSTALLED:
        prefix = work / f"p{total}"
        build_tf29(prefix, py310)
        grow_prefix(prefix, total)
        measure("installed", total, prefix, seed)
        shutil.rmtree(prefix)

    universe = synth_universe(work / "synth")
    empty = work / "empty"
    build_empty(empty, py310)
    tops = [f"synth-top-{i:03d}" for i in range(200)]
    for k in REQUESTED:
        measure("requested", k, empty, ["--no-index", "--find-links", str(universe), *tops[:k]])

    fits = {
        axis: {peer: growth(points) for peer, points in by_peer.items()}
        for axis, by_peer in series.items()
    }
    for axis, by_peer in fits.items():
        for peer, (model, a, _r2, every) in by_peer.items():
            unit = "per 1,000" if axis == "installed" else "per 100"
            scale = 1000 if axis == "installed" else 100
            slope = f"{a * scale * 1000:.0f} ms {unit}" if model == "linear" else f"a={a:.3g}"
            others = ", ".join(f"{m} {v:.3f}" for m, v in every.items())
            print(f"growth, {axis}: {peer} {model} ({slope}; R^2: {others})")
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt

        fig, axes = plt.subplots(1, 2, figsize=(11, 4.2))
        labels = (("installed", "installed distributions"), ("requested", "requested packages"))
        for ax, (axis, label) in zip(axes, labels, strict=True):
            for peer, points in series[axis].items():
                model = fits[axis][peer][0]
                ax.plot(
                    list(points),
                    [v * 1000 for v in points.values()],
                    "o-",
                    label=f"{peer} ({model})",
                )
            ax.set(xlabel=label, ylabel="fresh process, ms", xscale="log", yscale="log")
            ax.grid(alpha=0.3, which="both")
            ax.legend()
        fig.suptitle("check / dry-run time, warm, offline, fresh processes")
        fig.tight_layout()
        fig.savefig(args.png, dpi=80)
        print("wrote", args.png)
    except ImportError:
        print("matplotlib not installed: no plot (pip install -e '.[docs]')")
    save(
        "scaling",
        [
            {
                "title": "check vs installed distributions / requested packages",
                "median_s": {
                    f"{axis} {peer} {n}": t
                    for axis, by_peer in series.items()
                    for peer, points in by_peer.items()
                    for n, t in points.items()
                },
                "peak_rss_kb": {
                    f"{axis} {peer} {n}": kb
                    for axis, by_peer in peaks.items()
                    for peer, points in by_peer.items()
                    for n, kb in points.items()
                },
                "growth": {
                    f"{axis} {peer}": {"model": m, "a": a, "r2": r2, "r2_by_model": every}
                    for axis, by_peer in fits.items()
                    for peer, (m, a, r2, every) in by_peer.items()
                },
                "machine": machine(),
            }
        ],
    )
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
