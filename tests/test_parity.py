"""Parity harness: mixguard's predicted install set equals real pip's, case by case.

Each case (``tests/cases/*.yml``) builds a real environment (a venv of the target python whose
root is a conda prefix with real-shaped conda packages), runs **real pip 25.3** inside it with
``--dry-run --report`` against the case's offline universe, and requires mixguard's prediction
to be identical: the same (name, version, requested) set, or the same conflict.
"""

from __future__ import annotations

import json
import os
import platform
import subprocess
from collections import Counter
from pathlib import Path

import jsonschema
import pytest
import yaml

from mixguard.cli import main
from mixguard.environment import read_prefix
from mixguard.index.client import IndexClient
from mixguard.resolve import ResolutionImpossibleError, parse_pip_args, resolve
from mixguard.resolve.plan import EMULATED_PIP

from .cases.envs import BUILDERS, UNIVERSES

CASES_DIR = Path(__file__).parent / "cases"
PIP_WHEEL = Path(__file__).parent / "data" / "pip" / f"pip-{EMULATED_PIP}-py3-none-any.whl"
RESULTS: Counter[str] = Counter()
REPORT_SCHEMA = json.loads((CASES_DIR.parents[1] / "docs" / "report-schema.json").read_text())
HOST_GLIBC = platform.libc_ver()[1] or "2.17"


def _cases() -> list[tuple[dict[str, str], dict[str, object]]]:
    out = []
    for path in sorted(CASES_DIR.glob("*.yml")):
        group = yaml.safe_load(path.read_text())
        for case in group["cases"]:
            out.append(
                (
                    {k: str(v) for k, v in group.items() if k not in ("cases", "projects")}
                    | {"file": path.name},
                    case,
                )
            )
    return out


def _build_local_universe(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build tests/cases/local.yml's projects, then snapshot them (offline, from find-links)."""
    from mixguard.conda.virtual import virtual_packages
    from mixguard.environment.target import Target
    from mixguard.index.client import IndexConfig
    from mixguard.index.snapshot import build_snapshot

    from .index.builders import metadata_text, sdist, wheel

    spec = yaml.safe_load((CASES_DIR / "local.yml").read_text())
    root = tmp_path_factory.mktemp("local-universe")
    links = root / "links"
    links.mkdir()
    for p in spec["projects"]:
        if p["kind"] == "wheel":
            fn, data = wheel(p["name"], p["version"], p.get("requires"))
        else:
            text = metadata_text(
                p["name"],
                p["version"],
                p.get("requires"),
                metadata_version=p.get("metadata_version", "2.2"),
            )
            fn, data = sdist(p["name"], p["version"], text)
        (links / fn).write_bytes(data)
    empty = root / "empty-index"
    empty.mkdir()
    client = IndexClient(
        IndexConfig(index_url=empty.as_uri(), find_links=(str(links),)), offline=True
    )
    target = Target("linux-64", "3.12.1", virtual_packages=virtual_packages("linux-64", environ={}))
    names = sorted({p["name"] for p in spec["projects"]})
    build_snapshot(client, names, target, root / "universe", max_versions=5)
    return root / "universe"


CASES = _cases()


def _interpreter(short: str) -> Path:
    found = sorted(Path.home().glob(f".pyenv/versions/{short}.*/bin/python{short}"))
    if not found:
        if os.environ.get("CI"):
            pytest.fail(f"python {short} is needed for the parity cases (pyenv)")
        pytest.skip(f"python {short} not installed")
    return found[-1]


@pytest.fixture(scope="session")
def envs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path]:
    return {}


def _env(
    envs: dict[tuple[str, str], Path],
    tmp_path_factory: pytest.TempPathFactory,
    kind: str,
    short: str,
) -> Path:
    key = (kind, short)
    if key not in envs:
        dest = tmp_path_factory.mktemp(f"{kind}-{short}") / "env"
        BUILDERS[kind](dest, _interpreter(short))
        envs[key] = dest
    return envs[key]


def _real_pip(env: Path, args: list[str], report: Path) -> subprocess.CompletedProcess[str]:
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    clean["PIP_CONFIG_FILE"] = os.devnull
    return subprocess.run(
        [
            str(env / "bin" / "python"),
            str(PIP_WHEEL / "pip"),
            "install",
            "--dry-run",
            "--no-cache-dir",
            "--disable-pip-version-check",
            "--report",
            str(report),
            *args,
        ],
        capture_output=True,
        text=True,
        env=clean,
        cwd=CASES_DIR,
        timeout=300,
    )


def _conflict_lines(text: str) -> list[str]:
    keep = []
    for line in text.splitlines():
        line = line.removeprefix("ERROR: ").strip()
        if (
            line.startswith(
                (
                    "The user requested",
                    "Could not find a version",
                    "No matching distribution",
                    "Cannot install",
                )
            )
            or " depends on " in line
        ):
            keep.append(line)
    return sorted(keep)


_LOCAL: dict[str, Path] = {}


def request_local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if "u" not in _LOCAL:  # built once per session
        _LOCAL["u"] = _build_local_universe(tmp_path_factory)
    return _LOCAL["u"]


@pytest.mark.parametrize(("group", "case"), CASES, ids=[c["id"] for _, c in CASES])
def test_parity(
    group: dict[str, str],
    case: dict[str, object],
    envs: dict[tuple[str, str], Path],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env_dir = _env(envs, tmp_path_factory, group["env"], group["python"])
    universe = (
        request_local(tmp_path_factory)
        if group["universe"] == "local"
        else UNIVERSES / group["universe"]
    )
    index = (universe / "simple").as_uri()
    args = [str(a).replace("file:///CASES", CASES_DIR.as_uri()) for a in case["args"]]  # type: ignore[attr-defined]
    args += ["--index-url", index]
    proc = _real_pip(env_dir, args, tmp_path / "report.json")

    env = read_prefix(env_dir, overrides={"glibc": HOST_GLIBC}, environ={})
    request = parse_pip_args(args, cwd=CASES_DIR)
    client = IndexClient(request.index, offline=True)
    expect = case.get("expect", "ok")
    if expect == "impossible":
        assert proc.returncode == 1, proc.stderr
        with pytest.raises(ResolutionImpossibleError) as info:
            resolve(env, request, client)
        # pip logs the explanation at INFO (stdout) and the verdict at ERROR (stderr)
        assert _conflict_lines(str(info.value)) == _conflict_lines(proc.stdout + proc.stderr)
        monkeypatch.chdir(CASES_DIR)
        cli = ["check", "--prefix", str(env_dir), "--glibc", HOST_GLIBC, "--offline"]
        assert main([*cli, "--format", "json", "--", *args]) == 3  # ResolutionImpossible
        assert json.loads(capsys.readouterr().out)["plan"] is None
        RESULTS["agree"] += 1
        return
    assert proc.returncode == 0, proc.stderr
    report = json.loads((tmp_path / "report.json").read_text())
    assert report["pip_version"] == EMULATED_PIP
    theirs = sorted(
        (
            i["metadata"]["name"].lower().replace("_", "-").replace(".", "-"),
            i["metadata"]["version"],
            i["requested"],
        )
        for i in report["install"]
    )
    plan = resolve(env, request, client)
    ours = sorted((c.name, c.version, c.requested) for c in plan.installs)
    assert ours == theirs
    assert plan.complete, plan.unknowns
    # the CLI's JSON report carries the same install set, and validates against its schema
    monkeypatch.chdir(CASES_DIR)
    cli = ["check", "--prefix", str(env_dir), "--glibc", HOST_GLIBC, "--offline", "--format"]
    assert main([*cli, "json", "--fail-on", "never", "--", *args]) == 0
    data = json.loads(capsys.readouterr().out)
    jsonschema.validate(data, REPORT_SCHEMA)
    assert (
        sorted(
            (i["metadata"]["name"], i["metadata"]["version"], i["requested"])
            for i in data["plan"]["install"]
        )
        == theirs
    )
    RESULTS["agree"] += 1


def test_pip_oracle_is_the_emulated_version() -> None:
    import hashlib

    digest = hashlib.sha256(PIP_WHEEL.read_bytes()).hexdigest()
    assert digest == "9655943313a94722b7774661c21049070f6bbb0a1516bf02f7c8d5d9201514cd"
    assert len(CASES) >= 30
