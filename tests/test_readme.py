"""README.md's commands are the ones CI runs, and they do what README says."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).parents[1]


def _command(tag: str) -> str:
    text = (ROOT / "README.md").read_text()
    m = re.search(rf"<!-- readme:{tag} -->\n```sh\n(.+)\n```", text)
    assert m, f"README.md has no {tag} command"
    return m.group(1)


def test_readme_commands() -> None:
    assert _command("demo").endswith("mixguard check --demo")
    assert "pytest" in _command("tests")
    ci = (ROOT / ".ci" / "run").read_text()
    assert "readme_command demo" in ci and "readme_command tests" in ci
