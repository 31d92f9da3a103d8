"""The performance targets (issue 16), each judged from the benchmarks' saved results.

    python -m benchmarks --targets      # the table from benchmarks/results/*.json

``python -m benchmarks`` prints it after running. Every target says its figure, its ratio and
whether it is met, missed or not measured (a benchmark not run, e.g. without ``--network``);
nothing here times anything.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

RESULTS = Path(__file__).parent / "results"


@dataclass(frozen=True)
class Verdict:
    target: str
    figure: str
    status: str  # "met", "missed", "not measured"


def _load(name: str) -> list[dict[str, Any]] | None:
    path = RESULTS / f"{name}.json"
    if not path.exists():
        return None
    data: list[dict[str, Any]] = json.loads(path.read_text())["results"]
    return data


def _find(results: list[dict[str, Any]], title: str) -> dict[str, Any] | None:
    return next((r for r in results if title in r["title"]), None)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms" if seconds < 10 else f"{seconds:,.1f} s"


def _mb(kb: int) -> str:
    return f"{kb / 1024:.0f} MB"


def warm_seed() -> list[Verdict]:
    t = "warm seed check, fresh CLI process, remedies included: <= 0.10x pip and <= 0.25 s"
    res = _load("resolve")
    r = _find(res, "sentence-transformers") if res else None
    if r is None:
        return [Verdict(t, "bench_resolve.py not run", "not measured")]
    cli = r["median_s"]["mixguard check CLI, fresh process, JSON report"]
    ratio = r["ratio"]["mixguard check CLI, fresh process, JSON report"]
    ok = ratio <= 0.10 and cli <= 0.25
    return [Verdict(t, f"{_ms(cli)}, {ratio:.2f}x pip", "met" if ok else "missed")]


def cold() -> list[Verdict]:
    t = "cold check <= 1.0x uv"
    res = _load("seed_cold")
    if not res:
        return [
            Verdict(
                f"{t} (three workloads)", "bench_seed_cold.py --network not run", "not measured"
            )
        ]
    out = []
    for r in res:
        ratio = r["ratio"]["mixguard check CLI, cold"]
        gate = "mixguard check CLI --format sarif, cold"
        extra = (
            f"; --format sarif (no report remedies) {_ms(r['median_s'][gate])}, "
            f"{r['ratio'][gate]:.2f}x"
            if gate in r["ratio"]
            else ""
        )
        out.append(
            Verdict(
                f"{t}: {r.get('workload', r['title'])}",
                f"{_ms(r['median_s']['mixguard check CLI, cold'])}, {ratio:.2f}x uv{extra}",
                "met" if ratio <= 1.0 else "missed",
            )
        )
    return out


def large() -> list[Verdict]:
    res = _load("large")
    if not res:
        return [
            Verdict(
                "large resolution warm <= 5x uv --offline, cold <= 1.5x uv",
                "bench_large.py --network not run",
                "not measured",
            )
        ]
    out = []
    warm = _find(res, "large resolution, warm")
    if warm:
        name = "mixguard check CLI, warm, offline, JSON + remedies"
        ratio = warm["ratio"][name]
        out.append(
            Verdict(
                "large resolution warm <= 5x uv --offline (CLI)",
                f"{_ms(warm['median_s'][name])}, {ratio:.1f}x uv",
                "met" if ratio <= 5 else "missed",
            )
        )
    cold_r = _find(res, "large resolution, cold")
    if cold_r:
        name = "mixguard check, cold"
        ratio = cold_r["ratio"][name]
        same = cold_r.get("plan_equals_pips")
        out.append(
            Verdict(
                "large resolution cold <= 1.5x uv, plan equal to pip's report",
                f"{_ms(cold_r['median_s'][name])}, {ratio:.2f}x uv"
                + ("" if same is None else f"; plan == pip's: {same}"),
                "met" if ratio <= 1.5 and same is not False else "missed",
            )
        )
    return out


def file_sources() -> list[Verdict]:
    out = []
    res = _load("envfile")
    t = "loose environment.yml: check <= 1.3x (py-rattler solve + pip replay)"
    if res and (r := _find(res, "environment.yml")):
        ratio = r["ratio_to_parts"]
        out.append(
            Verdict(
                t,
                f"{_ms(r['median_s']['mixguard check --env-file'])}, {ratio:.2f}x",
                "met" if ratio <= 1.3 else "missed",
            )
        )
    else:
        out.append(Verdict(t, "bench_envfile.py not run", "not measured"))
    big = _load("bigrepodata")
    t = "first load of a never-seen 200 MB repodata <= 2x py-rattler"
    r = big[0] if big else None
    if r is None:
        out.append(Verdict(t, "bench_bigrepodata.py not run", "not measured"))
    else:
        # a never-seen file: no saved scan, the whole file scanned; py-rattler from the file too
        ours, theirs = r["median_s"]["mixguard"], r["median_s"]["py-rattler sparse"]
        out.append(
            Verdict(
                t,
                f"{_ms(ours)} vs {_ms(theirs)}, {ours / theirs:.1f}x (saved scan, later loads: "
                f"{r['median_s']['mixguard, saved scan'] / theirs:.1f}x)",
                "met" if ours / theirs <= 2 else "missed",
            )
        )
    return out


def scaling() -> list[Verdict]:
    res = _load("scaling")
    t = "scaling plotted, installed 50 -> 5,000, requested 1 -> 200, growth stated"
    if not res or "growth" not in res[0]:
        return [Verdict(t, "bench_scaling.py not run", "not measured")]
    g = res[0]["growth"]
    text = "; ".join(
        f"{k}: {v['model']} (R^2 {v['r2']:.2f})" for k, v in g.items() if "mixguard" in k
    )
    return [Verdict(t, text, "met")]


def memory() -> list[Verdict]:
    """Peak RSS <= pip's, on every workload where both ran as processes."""
    out = []
    for name in ("resolve", "seed_cold", "large", "scaling"):
        for r in _load(name) or []:
            peaks: dict[str, int] = r.get("peak_rss_kb", {})
            pairs: list[tuple[str, int, int]] = []
            if name == "scaling":
                for key, kb in peaks.items():
                    if " mixguard " in key and (p := peaks.get(key.replace(" mixguard ", " pip "))):
                        pairs.append((key.replace(" mixguard", ""), kb, p))
            else:
                mg = [(k, v) for k, v in peaks.items() if k.startswith("mixguard check CLI")]
                pp = [v for k, v in peaks.items() if k.startswith("pip 25.3")]
                if mg and pp:
                    pairs.append((r.get("workload", r["title"]), mg[0][1], pp[0]))
            worst = max(pairs, key=lambda p: p[1] / p[2], default=None)
            if worst is not None:
                label, ours, theirs = worst
                out.append(
                    Verdict(
                        f"peak memory <= pip's: {name} ({len(pairs)} workloads, worst shown)",
                        f"{label}: {_mb(ours)} vs pip {_mb(theirs)}",
                        "met" if all(a <= b for _, a, b in pairs) else "missed",
                    )
                )
    return out or [
        Verdict("peak memory <= pip's", "no workload with both measured", "not measured")
    ]


TARGETS: tuple[Callable[[], list[Verdict]], ...] = (
    warm_seed,
    cold,
    large,
    file_sources,
    scaling,
    memory,
)


def table() -> str:
    rows = [v for judge in TARGETS for v in judge()]
    width = max(len(v.target) for v in rows)
    lines = ["", "Targets (issue 16), from benchmarks/results/*.json", ""]
    lines += [f"  {v.status:<12} {v.target:<{width}}  {v.figure}" for v in rows]
    return "\n".join(lines)


if __name__ == "__main__":
    print(table())
