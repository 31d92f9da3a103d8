"""conda's own model tests (versions, MatchSpecs, channels, records) against mixguard.conda.

The cases are conda's test files (tests/cases/conda, verbatim, at a recorded commit); every
assertion is a case. A case that fails must be explained in divergences.yml, and an
explanation whose case now passes must go: the file is the list of differences, exactly.
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest
import yaml

from .cases.conda.harness import FILES, Run, run_file

DOC: dict[str, Any] = yaml.safe_load(
    (Path(__file__).parent / "cases" / "conda" / "divergences.yml").read_text()
)
#: filled as the files run; printed in the terminal summary (conftest)
COUNTS: Counter[str] = Counter()


@pytest.fixture(scope="module")
def runs() -> dict[str, Run]:
    out = {name: run_file(name) for name in FILES}
    for run in out.values():
        COUNTS.update(run.counts())
    return out


@pytest.mark.parametrize("name", FILES)
def test_every_failing_case_is_explained(runs: dict[str, Run], name: str) -> None:
    failed = runs[name].failed()
    undocumented = {c: d for c, d in failed.items() if c not in DOC["failed"]}
    assert not undocumented, f"conda cases failing without an explanation: {undocumented}"


@pytest.mark.parametrize("name", FILES)
def test_every_case_not_run_has_a_documented_reason(runs: dict[str, Run], name: str) -> None:
    reasons = runs[name].not_run()
    unexplained = {
        c: r for c, r in reasons.items() if not any(r.startswith(p) for p in DOC["not_run"])
    }
    assert not unexplained, f"conda cases not run for an undocumented reason: {unexplained}"


def test_no_explanation_outlives_its_failure(runs: dict[str, Run]) -> None:
    failing = {c for run in runs.values() for c in run.failed()}
    stale = sorted(set(DOC["failed"]) - failing)
    assert not stale, f"these conda cases pass now: remove them from divergences.yml: {stale}"


def test_the_cases_were_run(runs: dict[str, Run]) -> None:
    counts = Counter[str]()
    for run in runs.values():
        counts.update(run.counts())
    # every file contributes passing cases: a broken harness (nothing run) cannot pass
    assert all(runs[n].counts()["passed"] > 0 for n in FILES if n != "test_records")
    assert counts["passed"] > counts["failed"] + counts["not run"]


def test_the_named_conda_semantics() -> None:
    """The cases the issue names, checked directly (they are also among conda's cases)."""
    from mixguard.conda.channel import Channel
    from mixguard.conda.matchspec import MatchSpec
    from mixguard.conda.records import PackageRecord
    from mixguard.errors import InvalidMatchSpec

    rec = PackageRecord.from_dict(
        {
            "name": "foo",
            "version": "1.0",
            "build": "0",
            "build_number": 0,
            "subdir": "linux-64",
            "channel": "https://repo.anaconda.com/pkgs/main",
            "license_family": "GPL3",
            "timestamp": 1507565728.999,
        }
    )
    assert MatchSpec.parse("*/linux-64::foo").match(rec)  # "*" is any channel
    assert str(MatchSpec.parse("*/linux-64::foo")) == "foo[subdir=linux-64]"
    assert MatchSpec.parse("defaults::foo").match(rec)  # pkgs/main is defaults
    assert Channel.from_value("pkgs/main").canonical_name == "defaults"
    assert MatchSpec.parse("*[license_family='*GP*']").match(rec)
    for bad in ("pkg..name", ".pkg", '"package"'):
        with pytest.raises(InvalidMatchSpec):
            MatchSpec.parse(bad)
    assert MatchSpec.parse("numpy 1.7*") == MatchSpec.from_components(
        {"name": "numpy", "version": "1.7*"}, "kw"
    )
    assert rec.timestamp == 1507565728999  # seconds with a fraction: not truncated
    merged = MatchSpec.merge(["numpy >=1.20", "numpy <2", "python"])
    assert [str(m) for m in merged] == ["numpy[version='<2,>=1.20']", "python"]
    assert MatchSpec.parse("numpy").strictness == 1
    assert MatchSpec.parse("numpy 1.7").strictness == 2
    assert MatchSpec.parse("numpy 1.7 py27_0").strictness == 3
