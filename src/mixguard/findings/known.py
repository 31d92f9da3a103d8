"""Known runtime incompatibilities that metadata does not express, as data
(``data/known-incompatibilities.json``, every entry with its sources), matched against the
environment after a plan."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from importlib.resources import files
from typing import Any

from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import InvalidVersion, Version

from ..conda.records import PackageRecord
from ..environment.model import Environment
from ..names import conda_name
from ..plan import Change
from .cuda import conda_cuda_items

__all__ = ["KnownMatch", "known_incompatibilities", "match_known"]


@lru_cache(maxsize=1)
def known_incompatibilities() -> tuple[dict[str, Any], ...]:
    data = json.loads(
        (files("mixguard") / "data" / "known-incompatibilities.json").read_text(encoding="utf-8")
    )
    return tuple(data["entries"])


@dataclass(frozen=True, slots=True)
class KnownMatch:
    entry: dict[str, Any]
    subject: str
    message: str
    remedies: tuple[str, ...]
    moved: str  # the planned distribution that triggers it (for the why-chain)
    evidence: dict[str, Any]


def _in(version: str, spec: str) -> bool:
    try:
        return SpecifierSet(spec).contains(Version(version), prereleases=True)
    except (InvalidSpecifier, InvalidVersion):
        return False


def _cuda_fields(record: PackageRecord) -> dict[str, str] | None:
    m = re.search(r"cuda(\d{2})\.?(\d)", record.build)
    if not m:
        items = [i.runtime for i in conda_cuda_items([record]) if i.runtime]
        return (
            {"cuda": items[0], "cuda_minor": items[0], "cuda_digits": items[0]} if items else None
        )
    return {
        "cuda": m.group(1),
        "cuda_minor": f"{m.group(1)}.{m.group(2)}",
        "cuda_digits": f"{m.group(1)}{m.group(2)}",
    }


def _fill(text: str, values: Mapping[str, str]) -> str:
    """``{name}`` / ``{record.label}`` placeholders (not str.format: dots are part of names)."""
    return re.sub(r"\{([A-Za-z0-9_.\-]+)\}", lambda m: values.get(m.group(1), m.group(0)), text)


def match_known(env: Environment, changes: Mapping[str, Change]) -> list[KnownMatch]:
    """Every known incompatibility the plan (``changes`` by PyPI name) brings about."""
    after: dict[str, tuple[str, str]] = {}
    for d in env.distributions:
        after.setdefault(str(d.name), (d.version, "conda" if d.owner else "pip"))
    before = dict(after)
    for name, c in changes.items():
        after[name] = (c.version, "pip")
    out: list[KnownMatch] = []
    for entry in known_incompatibilities():
        moved = [
            str(canonicalize_name(n)) for n in entry["moved"] if canonicalize_name(n) in changes
        ]
        if not moved:
            continue
        values: dict[str, str] = {}
        per_record: list[dict[str, str]] | None = None
        ok = True
        for cond in entry["all"]:
            if "pypi" in cond:
                name = str(canonicalize_name(cond["pypi"]))
                got = after.get(name)
                ok = (
                    got is not None
                    and _in(got[0], cond.get("specifier", ""))
                    and got[1] == cond.get("installer", got[1])
                    and not (cond.get("default_build") and "+" in got[0])
                )
                if got is not None:
                    values[name] = got[0]
            elif "moved_from" in cond:
                mf = cond["moved_from"]
                got = before.get(str(canonicalize_name(mf["pypi"])))
                ok = got is not None and _in(got[0], mf["specifier"])
            elif "build_cuda_not" in cond:
                rec = env.record(cond["conda"])
                cuda = _cuda_fields(rec) if rec is not None else None
                ok = rec is not None and cuda is not None and cuda["cuda"] != cond["build_cuda_not"]
                if ok and rec is not None and cuda is not None:
                    values[f"{rec.name}.record"] = f"{rec.name} {rec.version} {rec.build}"
                    values.update({f"{rec.name}.{k}": v for k, v in cuda.items()})
            elif "conda_pins" in cond:
                per_record = _pinning_records(env, cond)
                ok = bool(per_record)
            if not ok:
                break
        if not ok:
            continue
        for extra in per_record or [{}]:
            v = {**values, **extra}
            out.append(
                KnownMatch(
                    entry,
                    _fill(entry["subject"], v),
                    _fill(entry["message"], v),
                    tuple(_fill(r, v) for r in entry.get("remedies", ())),
                    moved[0],
                    {"id": entry["id"], "sources": entry["sources"], **v},
                )
            )
    return out


def _pinning_records(env: Environment, cond: Mapping[str, Any]) -> list[dict[str, str]]:
    out = []
    probe = PackageRecord(conda_name(cond["conda_pins"]), cond["excludes"], "0", 0, "noarch")
    for r in env.records:
        if cond.get("compiled") and (r.noarch or r.subdir == "noarch"):
            continue
        for spec in r.depends_specs():
            if (
                spec.name == cond["conda_pins"]
                and spec.version is not None
                and not spec.match(probe)
            ):
                out.append(
                    {
                        "record.name": r.name,
                        "record.label": f"{r.name} {r.version} {r.build}",
                        "record.spec": spec.original,
                    }
                )
                break
    return out
