"""Remedies, the audit, the mapping and the locked conda solve."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import yaml

from mixguard.conda.solve import CondaSolveError, solve_locked
from mixguard.demo import DEMO_HOST, demo_cuda, demo_prefix
from mixguard.environment import Environment, read_conda_list, read_environment_file, read_prefix
from mixguard.findings.audit import audit
from mixguard.index.client import IndexClient
from mixguard.mapping import links_for_dist, links_for_record, name_map
from mixguard.remedies import (
    conda_first,
    constraints_remedy,
    constraints_txt,
    environment_yml,
    no_deps_remedy,
    pep440_to_conda,
)
from mixguard.resolve import parse_pip_args, resolve

from ._util import must
from .cases.envs import UNIVERSES
from .conftest import DATA

TF29 = (UNIVERSES / "tf29" / "simple").as_uri()
CHANNEL = DATA / "upstream" / "libcfgraph" / "derived_repodata_linux-64.json"


@pytest.fixture
def chan(tmp_path: Path) -> str:
    """The derived TF 2.9 records as a local channel directory (linux-64 only)."""
    (tmp_path / "chan" / "linux-64").mkdir(parents=True)
    shutil.copy(CHANNEL, tmp_path / "chan" / "linux-64" / "repodata.json")
    return str(tmp_path / "chan")


def _env() -> Environment:
    return read_prefix(demo_prefix(), host=DEMO_HOST, cuda_probe=demo_cuda, environ={})


def test_mapping_orders_files_table_guess() -> None:
    env = _env()
    assert [(link.pypi, link.how) for link in links_for_record(env, "tensorflow-base")] == [
        ("tensorflow", "files")
    ]
    assert [(link.pypi, link.how) for link in links_for_record(env, "tensorflow")] == [
        ("tensorflow", "table")
    ]
    assert links_for_record(env, "cudatoolkit") == ()  # not a Python package
    assert [(link.conda, link.how) for link in links_for_dist(env, "flatbuffers")] == [
        ("python-flatbuffers", "files")
    ]
    nm = name_map()
    assert nm.pypi_names("pytorch") == ("torch",)
    assert nm.imports_of_pypi("opencv-python-headless") == ("cv2",)
    assert nm.conda_of("torch") == "pytorch"
    assert any("parselmouth" in s for s in nm.sources)


def test_constraints_txt_pins_conda_python_packages() -> None:
    text = constraints_txt(_env())
    assert "numpy==1.21.6  # conda: numpy 1.21.6 py310h45f3432_0" in text
    assert "tensorflow==2.9.1  # conda: tensorflow-base 2.9.1 cuda112py310hc65a3b4_0" in text


def test_constraints_remedy_says_whether_the_request_survives() -> None:
    env = _env()
    bad = parse_pip_args(["numpy>=2", "--index-url", TF29])
    r = constraints_remedy(env, bad, IndexClient(bad.index, offline=True))
    assert r.ok is False and "cannot satisfy" in r.summary
    good = parse_pip_args(["opencv-python-headless", "--index-url", TF29])
    r = constraints_remedy(env, good, IndexClient(good.index, offline=True))
    assert r.ok is True and r.command is not None
    # pasteable: the command writes the constraints file it then uses
    assert r.command.startswith("mixguard constraints --prefix ")
    assert "> conda-constraints.txt && pip install -c conda-constraints.txt opencv" in r.command


def test_constraints_remedy_skips_the_second_resolution_only_when_the_plan_keeps_conda() -> None:
    env = _env()
    good = parse_pip_args(["opencv-python-headless", "--index-url", TF29])
    client = IndexClient(good.index, offline=True)
    plan = resolve(env, good, client)
    short = constraints_remedy(env, good, client, plan)
    full = constraints_remedy(env, good, client)
    assert short.ok is full.ok is True and short.command == full.command
    assert "not resolved again" in str(short.details) and "changes" in full.details
    # a plan that moves conda's numpy is resolved again with the pins, and fails
    bad = parse_pip_args(["numpy>=2", "--index-url", TF29])
    bad_plan = resolve(env, bad, IndexClient(bad.index, offline=True))
    assert any(c.replaces and c.replaces.conda_record for c in bad_plan.installs)
    r = constraints_remedy(env, bad, IndexClient(bad.index, offline=True), bad_plan)
    assert r.ok is False and "cannot satisfy" in r.summary


def test_constraints_remedy_bounds_its_effort() -> None:
    """With conda's pins pip can backtrack through thousands of versions (transformers[torch]
    into the TF 2.9 prefix: 1,600 pins, most of a minute): advice gets a budget of rounds,
    and past it the remedy says it does not know, never that it works or fails."""
    env = _env()
    req = parse_pip_args(["sentence-transformers", "--index-url", TF29])
    client = IndexClient(req.index, offline=True)
    full = constraints_remedy(env, req, client)
    bounded = constraints_remedy(env, req, client, max_rounds=1)
    assert full.ok is not None  # within the default budget: an answer
    assert bounded.ok is None and "still backtracking after 1 rounds" in bounded.summary
    assert bounded.details == {"rounds": 1}


def test_resolution_too_deep_is_typed() -> None:
    from mixguard.resolve import ResolutionTooDeepError

    req = parse_pip_args(["sentence-transformers", "--index-url", TF29])
    with pytest.raises(ResolutionTooDeepError, match="resolution-too-deep"):
        resolve(_env(), req, IndexClient(req.index, offline=True), max_rounds=2)


def test_no_deps_remedy() -> None:
    env = _env()
    req = parse_pip_args(["sentence-transformers", "--index-url", TF29])
    r = no_deps_remedy(env, req, IndexClient(req.index, offline=True))
    assert r.ok is True  # --no-deps replaces nothing conda installed
    assert r.details["installs"] == ["sentence-transformers 3.0.1"]
    assert any("torch" in u for u in r.details["unsatisfied"])


@pytest.mark.parametrize(
    "args",
    [
        ["sentence-transformers"],
        ["transformers", "six"],
        ["numpy>=1.23", "--upgrade"],
        ["protobuf>=4.25"],
        ["keras"],
    ],
)
def test_no_deps_remedy_from_the_plan_is_the_pinned_no_deps_resolution(args: list[str]) -> None:
    """Given the plan, the --no-deps remedy is derived, not resolved: it must be what resolving
    ``--no-deps`` with the requested projects pinned at the plan's versions gives."""
    from dataclasses import replace

    from mixguard.resolve.options import RootRequirement

    env = _env()
    req = parse_pip_args([*args, "--index-url", TF29])
    client = IndexClient(req.index, offline=True)
    plan = resolve(env, req, client)
    derived = no_deps_remedy(env, req, client, plan)
    chosen = {str(c.name): c.version for c in plan.changes}
    pins = [
        RootRequirement(t, must(parse_pip_args([t]).requirements[0].requirement), constraint=True)
        for r in req.user_requirements
        if r.name in chosen and (t := f"{r.name}=={chosen[str(r.name)]}")
    ]
    resolved = resolve(
        env, replace(req, no_deps=True, requirements=(*pins, *req.requirements)), client
    )
    assert derived.details["installs"] == [f"{c.name} {c.version}" for c in resolved.installs]
    assert derived.details["unsatisfied"] == [str(p) for p in resolved.check_after if p.introduced]
    touches = any(c.replaces is not None and c.replaces.conda_record for c in resolved.installs)
    assert derived.ok is (not touches)


def test_a_cancelled_resolution_stops_typed() -> None:
    import threading

    from mixguard.resolve import ResolutionCancelled

    req = parse_pip_args(["sentence-transformers", "--index-url", TF29])
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(ResolutionCancelled):
        resolve(_env(), req, IndexClient(req.index, offline=True), cancel=cancel)


@pytest.mark.parametrize("args", [["sentence-transformers"], ["six"], ["numpy>=9"]])
def test_constraints_ahead_answers_as_the_remedy_does(args: list[str]) -> None:
    """Started before the plan exists, the constraints remedy gives the answer it gives after:
    the constrained resolution's, or the shortcut (its resolution cancelled)."""
    from mixguard.remedies import ConstraintsAhead
    from mixguard.resolve import ResolutionImpossibleError

    env = _env()
    req = parse_pip_args([*args, "--index-url", TF29])
    client = IndexClient(req.index, offline=True)
    ahead = ConstraintsAhead(env, req, client)
    try:
        plan = resolve(env, req, client)
    except ResolutionImpossibleError:
        plan = None
    if plan is not None:
        ahead.settle(plan)  # as check() does: stops it now when the plan keeps conda's packages
    got = ahead.remedy(plan)
    assert got == constraints_remedy(env, req, client, plan)
    assert got.details == constraints_remedy(env, req, client, plan).details


def test_check_over_http_with_remedies_ahead_reports_the_same(tmp_path: Path) -> None:
    """The CLI's way (remedies started beside the plan, a remote index): the same report."""
    from mixguard import check
    from mixguard.resolve.configuration import PipConfiguration

    from .index.server import IndexServer

    server = IndexServer()
    try:
        simple = UNIVERSES / "tf29" / "simple"
        for page in simple.glob("*/index.html"):
            server.add(
                f"/simple/{page.parent.name}/",
                page.read_bytes(),
                headers={"Content-Type": "text/html"},
            )
            for meta in page.parent.glob("*.metadata"):
                server.add(f"/simple/{page.parent.name}/{meta.name}", meta.read_bytes())
        args = ["sentence-transformers", "--index-url", server.url + "/simple"]
        reports = [
            check(
                _env(),
                args,
                cache_dir=tmp_path / f"cache-{ahead}",
                pip_config=PipConfiguration.empty(),
                environ={},
                remedies_ahead=ahead,
            )
            for ahead in (False, True)
        ]
        plain, early = (r.to_dict() for r in reports)
        assert plain["remedies"] == early["remedies"]
        assert plain["plan"] == early["plan"]
        # resolved with the pins (not the shortcut): here pip cannot satisfy them
        (constraints,) = [r for r in early["remedies"] if r["kind"] == "constraints"]
        assert constraints["ok"] is False and "conflict" in constraints["details"]
    finally:
        server.close()


def test_conda_first_over_a_real_channel(chan: str) -> None:
    env = _env()
    assert conda_first(env, parse_pip_args(["protobuf>=3.20"]), [chan]).summary.startswith(
        "conda's packages already satisfy"
    )
    r = conda_first(env, parse_pip_args(["numpy>=2"]), [chan])
    assert r.ok is False and r.details["specs"] == ["numpy >=2"]
    assert (
        pep440_to_conda(must(parse_pip_args(["torch==2.1.*"]).requirements[0].requirement))
        == "pytorch 2.1.*"
    )


def test_locked_solve_moves_only_what_it_must(chan: str) -> None:
    env = _env()
    # the CPU tensorflow metapackage is in the channel; the locked env keeps tensorflow-base
    with pytest.raises(CondaSolveError) as info:
        solve_locked(
            ["tensorflow 2.9.1 cpu*"], [chan], "linux-64", env.records, env.target.virtual_records()
        )
    assert any("tensorflow" in c for c in info.value.causes)


def test_environment_yml_export_round_trips() -> None:
    env = _env()
    text = environment_yml(env, builds=True)
    data = yaml.safe_load(text)
    assert "numpy=1.21.6=py310h45f3432_0" in data["dependencies"]
    no_builds = yaml.safe_load(environment_yml(env, builds=False))
    assert "numpy=1.21.6" in no_builds["dependencies"]


def test_environment_yml_records_the_pip_layer(tmp_path) -> None:  # type: ignore[no-untyped-def]
    env = read_prefix(DATA / "upstream" / "conda" / "env_metadata" / "envpy313tosx_whl", environ={})
    out = tmp_path / "environment.yml"
    out.write_text(environment_yml(env))
    back = read_environment_file(out, environ={})
    assert [p.line for p in back.pip_lines] == ["imagesize==1.4.1"]
    assert must(back.record("python")).version == "3.13.2"


def test_audit_of_the_tf2_gpu_conda_list_reports_numpy_shadowing() -> None:
    env = read_conda_list(DATA / "upstream" / "medphysdeeplearning" / "libs.md", environ={})
    findings = audit(env)
    numpy = next(f for f in findings if f.kind == "mixed-sources" and f.subject == "numpy")
    assert numpy.severity == "warning"
    assert numpy.evidence == {
        "pip": "numpy 1.19.5",
        "conda": "numpy-base 1.20.3 py38h74d4b33_0",
        "mapping": "table",
    }
    assert any(f.kind == "unknown-metadata" for f in findings)  # no metadata: said, not assumed


def test_audit_of_a_prefix_with_duplicates(tmp_path) -> None:  # type: ignore[no-untyped-def]
    import shutil

    prefix = tmp_path / "env"
    shutil.copytree(demo_prefix(), prefix)
    d = prefix / "lib" / "python3.10" / "site-packages" / "numpy-1.19.5.dist-info"
    d.mkdir()
    (d / "METADATA").write_text("Metadata-Version: 2.1\nName: numpy\nVersion: 1.19.5\n")
    kinds = {(f.kind, f.subject) for f in audit(read_prefix(prefix, environ={}))}
    assert ("duplicate-dist", "numpy") in kinds
    assert ("pip-requirement-violation", "tensorflow") in kinds


def test_conda_first_per_distribution(chan: str) -> None:
    from mixguard.remedies import conda_first_per_dist

    env = _env()
    req = parse_pip_args(["numpy>=2", "--index-url", TF29])
    plan = resolve(env, req, IndexClient(req.index, offline=True))
    result = conda_first_per_dist(env, plan, [chan])
    assert set(result) == {"numpy"}
    assert result["numpy"]["conda_name"] == "numpy" and result["numpy"]["spec"] == "numpy 2.0.0"
    assert result["numpy"]["ok"] is False  # no conda build of numpy 2.0.0 fits the locked env


def test_check_with_a_channel_asks_conda_s_solver(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mixguard import check

    channel = tmp_path / "channel"
    (channel / "linux-64").mkdir(parents=True)
    shutil.copy(CHANNEL, channel / "linux-64" / "repodata.json")
    env = _env()
    args = ["numpy>=2", "--index-url", TF29]
    report = check(env, args, offline=True, channels=[channel], cache_dir=tmp_path / "c")
    first = report.remedies[0]
    assert first.kind == "conda-first" and first.ok is False
    assert "rattler" in first.summary or first.details.get("causes")


def test_public_functions_survive_submodule_imports() -> None:
    """mixguard.audit(env) twice in one process, with every submodule imported between: an
    import must never replace a public function on the package."""
    import importlib
    import pkgutil

    import mixguard

    env = mixguard.load_environment(demo=True)
    first = mixguard.audit(env)
    for info in pkgutil.walk_packages(mixguard.__path__, "mixguard."):
        if ".demo." not in info.name and not info.name.endswith("__main__"):
            importlib.import_module(info.name)
    second = mixguard.audit(env)
    assert [f.kind for f in first.findings] == [f.kind for f in second.findings]
    assert callable(mixguard.check) and callable(mixguard.load_environment)
