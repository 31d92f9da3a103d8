"""``--format sarif``: SARIF 2.1.0 that validates against the OASIS schema (offline copy)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import jsonschema
import pytest

from mixguard import check, load_environment
from mixguard.cli import EXIT_FINDINGS, main
from mixguard.demo import demo_index
from mixguard.resolve.configuration import PipConfiguration

SCHEMA = json.loads(
    (Path(__file__).parent / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text()
)
DEMO_INDEX = (demo_index() / "simple").as_uri()


def _validate(data: dict[str, Any]) -> None:
    jsonschema.Draft4Validator(SCHEMA).validate(data)


def test_the_demo_check_as_sarif(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["check", "--demo", "--format", "sarif"]) == EXIT_FINDINGS  # same gate
    data = json.loads(capsys.readouterr().out)
    _validate(data)
    (run,) = data["runs"]
    results = run["results"]
    rules = [r["id"] for r in run["tool"]["driver"]["rules"]]
    assert all(rules[r["ruleIndex"]] == r["ruleId"] for r in results)
    assert {"level": "error", "ruleId": "cuda-runtime-clash"} in [
        {"level": r["level"], "ruleId": r["ruleId"]} for r in results
    ]
    assert {r["level"] for r in results} <= {"error", "warning", "note"}


def test_a_requirements_file_line_is_the_location(tmp_path: Path) -> None:
    reqs = tmp_path / "requirements.txt"
    reqs.write_text("# pinned for the GPU image\nnumpy>=1.26\n")
    report = check(
        load_environment(demo=True),
        ["-r", str(reqs), "--index-url", DEMO_INDEX],
        offline=True,
        pip_config=PipConfiguration.empty(),
    )
    data = report.to_sarif()
    _validate(data)
    numpy = [r for r in data["runs"][0]["results"] if r["properties"]["subject"] == "numpy"]
    assert numpy
    where = numpy[0]["locations"][0]["physicalLocation"]
    assert where == {"artifactLocation": {"uri": str(reqs)}, "region": {"startLine": 2}}


def test_an_unproven_check_says_so_to_the_gate(tmp_path: Path) -> None:
    empty = tmp_path / "empty"
    empty.mkdir()
    report = check(
        load_environment(demo=True),
        ["sentence-transformers", "--index-url", empty.as_uri()],
        offline=True,
        pip_config=PipConfiguration.empty(),
    )
    data = report.to_sarif()
    _validate(data)
    notes = data["runs"][0]["invocations"][0]["toolExecutionNotifications"]
    assert notes and all(n["level"] in ("warning", "error") for n in notes)
