"""The composite GitHub Action (action.yml): its definition, and its script run as the runner
runs it (environment variables in, SARIF and the ``exit-code`` output out)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
import yaml

ROOT = Path(__file__).parents[1]
SCHEMA = json.loads((ROOT / "tests" / "data" / "sarif" / "sarif-schema-2.1.0.json").read_text())


def _run_script(tmp_path: Path, **env: str) -> tuple[int, dict[str, str], Path]:
    out = tmp_path / "github-output"
    sarif = tmp_path / "mixguard.sarif"
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    proc = subprocess.run(
        ["bash", str(ROOT / "action" / "run.sh")],
        env={
            **clean,
            "PIP_CONFIG_FILE": os.devnull,
            "GITHUB_OUTPUT": str(out),
            "MIXGUARD_SARIF": str(sarif),
            "MIXGUARD": f"{sys.executable} -m mixguard",
            "MIXGUARD_CACHE_DIR": str(tmp_path / "cache"),
            **env,
        },
        capture_output=True,
        text=True,
        timeout=300,
    )
    outputs = dict(line.split("=", 1) for line in out.read_text().splitlines() if "=" in line)
    return proc.returncode, outputs, sarif


def test_the_action_definition() -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text())
    assert action["runs"]["using"] == "composite"
    assert action["inputs"]["pip-args"]["required"] is True
    steps = action["runs"]["steps"]
    check = next(s for s in steps if s.get("id") == "check")
    assert "action/run.sh" in check["run"]
    assert any(s.get("uses", "").startswith("github/codeql-action/upload-sarif") for s in steps)
    assert steps[-1]["run"] == 'exit "${{ steps.check.outputs.exit-code }}"'  # fails last


def test_the_action_script_on_the_demo(tmp_path: Path) -> None:
    code, outputs, sarif = _run_script(
        tmp_path, MIXGUARD_ENVIRONMENT="--demo", MIXGUARD_PIP_ARGS="sentence-transformers"
    )
    assert code == 0  # the script lets the upload run; the verdict step fails the job
    assert outputs["exit-code"] == "1"  # the demo's CUDA runtime clash
    data = json.loads(sarif.read_text())
    jsonschema.Draft4Validator(SCHEMA).validate(data)
    assert any(r["ruleId"] == "cuda-runtime-clash" for r in data["runs"][0]["results"])


def test_the_action_script_passes_what_breaks_nothing(tmp_path: Path) -> None:
    code, outputs, _ = _run_script(
        tmp_path, MIXGUARD_ENVIRONMENT="--demo", MIXGUARD_PIP_ARGS="six", MIXGUARD_FAIL_ON="error"
    )
    assert (code, outputs["exit-code"]) == (0, "0")
