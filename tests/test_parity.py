"""Parity harness: mixguard's predicted install set equals real pip's, case by case.

Each case (``tests/cases/*.yml``) builds a real environment (a venv of the target python whose
root is a conda prefix with real-shaped conda packages, or a prefix that is no venv at all),
runs **real pip** inside it with ``--dry-run --report`` against the case's offline universe,
and requires mixguard's prediction to be identical: the same (name, version, requested,
is_direct) set,
the same conflict, the same refusal, or the same usage error.

mixguard gets **no target flags**: the prefix is on this machine, so its glibc, CUDA driver and
archspec are detected as pip and conda would take them. pip's configuration is the case's: a
case may give ``config`` files (``global``, ``user``, ``site`` -- written where pip looks for
them, under a temporary ``HOME`` and ``XDG_CONFIG_DIRS`` -- and ``file`` for
``PIP_CONFIG_FILE``) and ``environ`` (``PIP_*`` and others); both real pip and mixguard read
them from the same places. Without them pip runs with ``PIP_CONFIG_FILE=/dev/null``.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
import subprocess
from collections import Counter
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import jsonschema
import pytest
import yaml

from mixguard.cli import EXIT_FINDINGS, EXIT_INPUT, main
from mixguard.environment import read_prefix
from mixguard.index.client import IndexClient
from mixguard.plan import EMULATED_PIP
from mixguard.resolve import ResolutionImpossibleError, parse_pip_args, resolve
from mixguard.resolve.configuration import PipConfiguration

from .cases.envs import BUILDERS, UNIVERSES, pyenv_interpreter

CASES_DIR = Path(__file__).parent / "cases"
PIP_DIR = Path(__file__).parent / "data" / "pip"
PIP_WHEEL = PIP_DIR / f"pip-{EMULATED_PIP}-py3-none-any.whl"
RESULTS: Counter[str] = Counter()
REPORT_SCHEMA = json.loads((CASES_DIR.parents[1] / "docs" / "report-schema.json").read_text())


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


@pytest.fixture(scope="session")
def envs(tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, str], Path | str]:
    """Every environment the cases use, built once in setup (so that test durations are the
    cases', not the first case's plus every build); a missing interpreter is kept as the
    reason its cases skip (on CI it fails: pyenv must have it)."""
    built: dict[tuple[str, str], Path | str] = {}
    for key in sorted({(g["env"], g["python"]) for g, _ in CASES}):
        kind, short = key
        try:
            interpreter = pyenv_interpreter(short)
        except pytest.skip.Exception as exc:
            built[key] = str(exc)
            continue
        dest = tmp_path_factory.mktemp(f"{kind}-{short}") / "env"
        BUILDERS[kind](dest, interpreter)
        built[key] = dest
    return built


def _real_pip(
    env: Path,
    args: list[str],
    report: Path | None,
    environ: dict[str, str],
    pip_wheel: Path = PIP_WHEEL,
) -> subprocess.CompletedProcess[str]:
    """Real pip in ``env``, from its wheel; ``report`` None: no ``--report`` (pip skips its
    PEP 668 check for ``--dry-run --report``)."""
    extra = ["--report", str(report)] if report is not None else []
    return subprocess.run(
        [
            str(env / "bin" / "python"),
            str(pip_wheel / "pip"),
            "install",
            "--dry-run",
            "--no-cache-dir",
            "--disable-pip-version-check",
            *extra,
            *args,
        ],
        capture_output=True,
        text=True,
        env=environ,
        cwd=CASES_DIR,
        timeout=300,
    )


def _placeholders(text: str, universe: Path) -> str:
    """``file:///CASES``, ``UNIVERSE`` (the universe directory), ``@SHA256(file)@`` (a
    universe file's digest: the local wheels are built by the test)."""
    text = text.replace("file:///CASES", CASES_DIR.as_uri()).replace("UNIVERSE", str(universe))
    return re.sub(
        r"@SHA256\(([^)]+)\)@",
        lambda m: hashlib.sha256((universe / m.group(1)).read_bytes()).hexdigest(),
        text,
    )


@contextmanager
def _configured(
    case: dict[str, object],
    env_dir: Path,
    universe: Path,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> Iterator[dict[str, str]]:
    """The case's pip configuration, written where pip looks, and the environment both real
    pip and mixguard run with (returned; also set in this process)."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("PIP_")}
    config = dict(case.get("config") or {})  # type: ignore[call-overload]
    extra = {k: _placeholders(str(v), universe) for k, v in dict(case.get("environ") or {}).items()}  # type: ignore[call-overload]
    written: list[Path] = []
    if config or extra:
        home = tmp_path / "home"
        xdg = tmp_path / "xdg"
        places = {
            "global": xdg / "pip" / "pip.conf",
            "user": home / ".config" / "pip" / "pip.conf",
            "legacy": home / ".pip" / "pip.conf",
            "site": env_dir / "pip.conf",
            "file": tmp_path / "pip-config-file.conf",
        }
        for kind, text in config.items():
            path = places[kind]
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(_placeholders(str(text), universe))
            written.append(path)
        clean.update(HOME=str(home), XDG_CONFIG_DIRS=str(xdg))
        clean.pop("XDG_CONFIG_HOME", None)
        if "file" in config:
            clean["PIP_CONFIG_FILE"] = str(places["file"])
    else:
        clean["PIP_CONFIG_FILE"] = os.devnull
    clean.update(extra)
    for key in [k for k in os.environ if k.startswith("PIP_") or k.startswith("XDG_")]:
        monkeypatch.delenv(key)
    for key, value in clean.items():
        monkeypatch.setenv(key, value)
    try:
        yield clean
    finally:
        for path in written:
            path.unlink()


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


def request_links(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """tests/cases/rules.yml's projects as a --find-links directory of real wheels (and
    sdists): pip reads their metadata from the files themselves, as mixguard does."""
    if "links" in _LOCAL:
        return _LOCAL["links"]
    from .index.builders import metadata_text, sdist, wheel

    links = tmp_path_factory.mktemp("links-universe")
    for spec_file in sorted(CASES_DIR.glob("*.yml")):
        spec = yaml.safe_load(spec_file.read_text())
        if spec.get("universe") != "links":
            continue
        for p in spec.get("projects", ()):
            if p.get("kind") == "sdist":
                fn, data = sdist(p["name"], p["version"], metadata_text(p["name"], p["version"]))
                (links / fn).write_bytes(data)
                continue
            for tag in p.get("tags", ["py3-none-any"]):
                meta = metadata_text(
                    p["name"], p["version"], p.get("requires"), p.get("requires_python")
                )
                fn, data = wheel(p["name"], p["version"], tag=tag, metadata=meta)
                (links / fn).write_bytes(data)
    _LOCAL["links"] = links
    return links


def request_local(tmp_path_factory: pytest.TempPathFactory) -> Path:
    if "u" not in _LOCAL:  # built once per session
        _LOCAL["u"] = _build_local_universe(tmp_path_factory)
    return _LOCAL["u"]


@pytest.mark.slow
@pytest.mark.parametrize(("group", "case"), CASES, ids=[str(c["id"]) for _, c in CASES])
def test_parity(
    group: dict[str, str],
    case: dict[str, object],
    envs: dict[tuple[str, str], Path | str],
    tmp_path_factory: pytest.TempPathFactory,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    env_dir = envs[(group["env"], group["python"])]
    if isinstance(env_dir, str):
        pytest.skip(env_dir)
    if group["universe"] == "local":
        universe = request_local(tmp_path_factory)
        index_args = ["--index-url", (universe / "simple").as_uri()]
    elif group["universe"] == "links":
        universe = request_links(tmp_path_factory)
        index_args = ["--no-index", "--find-links", str(universe)]
    else:
        universe = UNIVERSES / group["universe"]
        index_args = ["--index-url", (universe / "simple").as_uri()]
    for name, text in dict(case.get("write") or {}).items():  # type: ignore[call-overload]
        (tmp_path / name).write_text(_placeholders(str(text), universe))
    args = [
        _placeholders(str(a), universe).replace("TMP/", f"{tmp_path}/")
        for a in case["args"]  # type: ignore[attr-defined]
    ]
    if case.get("index_args", True):
        args += index_args
    expect = case.get("expect", "ok")
    pip_wheel = PIP_DIR / f"pip-{group.get('pip', EMULATED_PIP)}-py3-none-any.whl"
    monkeypatch.chdir(CASES_DIR)
    with _configured(case, env_dir, universe, tmp_path, monkeypatch) as environ:
        report_path = None if expect == "refused" else tmp_path / "report.json"
        proc = _real_pip(env_dir, args, report_path, environ, pip_wheel)
        cli = ["check", "--prefix", str(env_dir), "--offline", "--format", "json"]
        if expect == "pip-error":
            # pip refuses the command line; mixguard says pip's words (exit 2)
            assert proc.returncode != 0
            said = str(case["pip_says"])
            assert said in proc.stderr, proc.stderr
            assert main([*cli, "--", *args]) == EXIT_INPUT
            assert said in capsys.readouterr().err
            RESULTS["agree"] += 1
            return
        if expect == "refused":
            # pip stops with an error before installing (PEP 668, --require-virtualenv, hashes)
            assert proc.returncode != 0
            assert str(case["pip_says"]) in proc.stdout + proc.stderr, proc.stderr
            assert main([*cli, "--", *args]) == EXIT_FINDINGS
            data = json.loads(capsys.readouterr().out)
            jsonschema.validate(data, REPORT_SCHEMA)
            kinds = [f["evidence"].get("refusal") for f in data["findings"]]
            assert kinds == [case["refusal"]], data["findings"]
            RESULTS["agree"] += 1
            return
        config = PipConfiguration.load(site_prefix=env_dir)
        env = read_prefix(env_dir)  # no overrides: this machine's facts, as pip takes them
        request = parse_pip_args(args, cwd=CASES_DIR, config=config)
        client = IndexClient(request.index, offline=True)
        if expect == "impossible":
            assert proc.returncode == 1, proc.stderr
            with pytest.raises(ResolutionImpossibleError) as info:
                resolve(env, request, client)
            # pip logs the explanation at INFO (stdout) and the verdict at ERROR (stderr)
            assert _conflict_lines(str(info.value)) == _conflict_lines(proc.stdout + proc.stderr)
            assert main([*cli, "--", *args]) == 3  # ResolutionImpossible
            assert json.loads(capsys.readouterr().out)["plan"] is None
            RESULTS["agree"] += 1
            return
        assert proc.returncode == 0, proc.stderr
        report = json.loads((tmp_path / "report.json").read_text())
        assert report["pip_version"] == pip_wheel.name.split("-")[1]
        theirs = sorted(
            (
                i["metadata"]["name"].lower().replace("_", "-").replace(".", "-"),
                i["metadata"]["version"],
                i["requested"],
                i["is_direct"],
            )
            for i in report["install"]
        )
        plan = resolve(env, request, client)
        ours = sorted((c.name, c.version, c.requested, c.is_direct) for c in plan.installs)
        assert ours == theirs
        assert plan.complete, plan.unknowns
        assert not plan.refusals
        if group["universe"] == "links":  # the very file, where wheel tags decide
            their_files = sorted(
                i["download_info"]["url"].rsplit("/", 1)[-1] for i in report["install"]
            )
            assert sorted(c.filename or "" for c in plan.installs) == their_files
        # the CLI's JSON report carries the same install set, and validates against its schema
        assert main([*cli, "--fail-on", "never", "--", *args]) == 0
        data = json.loads(capsys.readouterr().out)
        jsonschema.validate(data, REPORT_SCHEMA)
        assert (
            sorted(
                (i["metadata"]["name"], i["metadata"]["version"], i["requested"], i["is_direct"])
                for i in data["plan"]["install"]
            )
            == theirs
        )
        _remedies_agree_with_the_report(data)
        _no_deps_remedy_is_pips(data, env_dir, args, tmp_path, environ, pip_wheel)
        # under the default --fail-on, only a check with nothing unknown and no error passes
        code = main([*cli, "--", *args])
        again = json.loads(capsys.readouterr().out)
        errors = [f for f in again["findings"] if f["severity"] == "error"]
        assert (code == 0) == (not errors and not again["unproven"]), (code, again["unproven"])
        assert code == (1 if errors else 4 if again["unproven"] else 0)
        applied = case.get("applied")
        if applied is not None:  # the report names the configuration it applied
            assert [a.split(": ", 1)[1] for a in data["pip_configuration"]["applied"]] == applied
    RESULTS["agree"] += 1


def _remedies_agree_with_the_report(data: dict[str, object]) -> None:
    """Remedies are computed from the same facts as the plan: no placeholder, the --no-deps
    remedy speaks of the plan's versions, nothing advises a version an error says breaks."""
    plan = data["plan"]
    assert isinstance(plan, dict)
    planned = {i["metadata"]["name"]: i["metadata"]["version"] for i in plan["install"]}
    requested = {i["metadata"]["name"] for i in plan["install"] if i["requested"]}
    findings = data["findings"]
    remedies = data["remedies"]
    assert isinstance(findings, list) and isinstance(remedies, list)
    texts = [str(r.get("command") or "") + str(r["summary"]) for r in remedies]
    texts += [t for f in findings for t in f["remedies"]]
    assert not any("<a version" in t or "..." in t for t in texts), texts
    for r in remedies:
        if r["kind"] == "no-deps" and r["ok"] is not False:
            got = dict(x.split(" ", 1) for x in r["details"]["installs"])
            assert all(got[n] == planned[n] for n in requested if n in got), (got, planned)
    broken = {f["chain"][-1] for f in findings if f["severity"] == "error" and f["chain"]}
    for label in broken:
        name, _, version = label.rpartition(" ")
        for t in texts:
            assert not (f"={version}'" in t and name in t.replace("_", "-")), (label, t)


def _no_deps_remedy_is_pips(
    data: dict[str, object],
    env_dir: Path,
    args: list[str],
    tmp_path: Path,
    environ: dict[str, str],
    pip_wheel: Path,
) -> None:
    """The --no-deps remedy is derived from the plan, not resolved: real pip, given the same
    command line with --no-deps and the remedy's pins (the plan's versions of the requested
    projects), installs exactly what it says (asked where it differs from the plan)."""
    remedies = data["remedies"]
    plan = data["plan"]
    assert isinstance(remedies, list) and isinstance(plan, dict)
    nd = next((r for r in remedies if r["kind"] == "no-deps"), None)
    planned = sorted(f"{i['metadata']['name']} {i['metadata']['version']}" for i in plan["install"])
    if nd is None or nd["ok"] is None or sorted(nd["details"]["installs"]) == planned:
        return
    # the remedy's own pins (a project requested by path or URL keeps its link: next to it,
    # pip reads a pin as a second, index requirement)
    pins = [t for t in str(nd["command"]).split()[3:] if "==" in t and "/" not in t]
    report = tmp_path / "no-deps.json"
    proc = _real_pip(env_dir, ["--no-deps", *pins, *args], report, environ, pip_wheel)
    assert proc.returncode == 0, proc.stderr
    theirs = sorted(
        f"{i['metadata']['name'].lower().replace('_', '-').replace('.', '-')} "
        f"{i['metadata']['version']}"
        for i in json.loads(report.read_text())["install"]
    )
    assert sorted(nd["details"]["installs"]) == theirs, (nd, theirs)
    RESULTS["no-deps remedies held against pip"] += 1


def test_pip_oracle_is_the_emulated_version() -> None:
    import hashlib

    digest = hashlib.sha256(PIP_WHEEL.read_bytes()).hexdigest()
    assert digest == "9655943313a94722b7774661c21049070f6bbb0a1516bf02f7c8d5d9201514cd"
    assert len(CASES) >= 30
