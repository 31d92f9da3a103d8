"""Plans on the TF 2.9 prefix and its offline universe: actions, replaced dists, pip check."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import pytest

from mixguard.demo import DEMO_HOST, demo_cuda, demo_prefix
from mixguard.environment import read_prefix
from mixguard.index.client import IndexClient
from mixguard.index.source import Index
from mixguard.plan import InstallPlan
from mixguard.resolve import ResolutionImpossibleError, parse_pip_args, resolve
from tests.cases.envs import UNIVERSES

INDEX = (UNIVERSES / "tf29" / "simple").as_uri()


def _plan(*args: str):  # type: ignore[no-untyped-def]
    env = read_prefix(demo_prefix(), host=DEMO_HOST, cuda_probe=demo_cuda, environ={})
    req = parse_pip_args([*args, "--index-url", INDEX])
    return env, resolve(env, req, IndexClient(req.index, offline=True))


def test_protobuf_replaces_the_conda_egg_info() -> None:
    _, plan = _plan("protobuf>=4")
    (c,) = plan.installs
    assert (c.name, c.action, c.requested) == ("protobuf", "upgrade", True)
    r = c.replaces
    assert r is not None
    assert (r.version, r.kind, r.has_record, r.installer) == ("3.20.1", "egg-info", False, None)
    assert r.conda_record is not None and r.conda_record.label == "protobuf 3.20.1 py310hd8f1fbe_0"
    assert r.conda_record.name == "protobuf" and r.uninstalled
    assert plan.pip_version == "25.3" and plan.complete
    assert plan.target_pip == "22.2.2"
    assert plan.notes == (
        "the environment has pip 22.2.2; mixguard replays pip 25.3's resolver, "
        "whose choices may differ",
    )


def test_tensorflow_dist_of_tensorflow_base() -> None:
    _, plan = _plan("tensorflow==2.15.1")
    tf = plan.change("tensorflow")
    assert tf is not None and tf.action == "upgrade" and tf.version == "2.15.1"
    assert (
        tf.replaces is not None
        and str(tf.replaces.conda_record) == "tensorflow-base 2.9.1 cuda112py310hc65a3b4_0"
    )
    assert tf.replaces.installer == "conda" and tf.replaces.has_record


def test_noop_is_unchanged_and_installs_nothing() -> None:
    _, plan = _plan("six")
    assert plan.installs == ()
    (c,) = plan.changes
    assert (c.name, c.action, c.requested) == ("six", "unchanged", True)
    assert plan.summary() == "change nothing (1 already satisfied)"


def test_force_reinstall_and_ignore_installed() -> None:
    _, plan = _plan("--force-reinstall", "six")
    (c,) = plan.installs
    assert c.action == "reinstall" and c.replaces is not None and c.replaces.uninstalled
    _, plan = _plan("-I", "six")
    (c,) = plan.installs
    # -I: pip installs over the conda copy without uninstalling it
    assert c.action == "install" and c.replaces is not None and not c.replaces.uninstalled


def test_pip_check_tells_new_breakage_from_old() -> None:
    _, plan = _plan("numpy>=2")
    numpy = plan.change("numpy")
    assert numpy is not None and numpy.version == "2.0.0" and numpy.action == "upgrade"
    lines = {str(p): p.introduced for p in plan.check_after}
    # already broken before the plan (the PyPI METADATA of tensorflow 2.9.1 vs conda's builds)
    assert lines["tensorflow 2.9.1 requires libclang, which is not installed."] is False
    # introduced by the plan: conda-forge scipy 1.9.0's (real PyPI) METADATA caps numpy
    assert (
        lines["scipy 1.9.0 has requirement numpy<1.25.0,>=1.18.5, but you have numpy 2.0.0."]
        is True
    )
    assert [str(p) for p in plan.check_after if p.introduced] == [
        "scipy 1.9.0 has requirement numpy<1.25.0,>=1.18.5, but you have numpy 2.0.0."
    ]


def test_conflict_is_typed_with_causes() -> None:
    with pytest.raises(ResolutionImpossibleError) as info:
        _plan("tensorflow==2.15.1", "numpy>=2")
    text = str(info.value)
    assert text.startswith(
        "Cannot install numpy>=2 and tensorflow==2.15.1 because these package "
        "versions have conflicting dependencies."
    )
    assert "tensorflow 2.15.1 depends on numpy<2.0.0 and >=1.23.5" in text
    causes = {str(c) for c in info.value.causes}
    assert causes == {
        "The user requested numpy>=2",
        "tensorflow 2.15.1 depends on numpy<2.0.0 and >=1.23.5",
    }


def test_single_missing_requirement() -> None:
    with pytest.raises(ResolutionImpossibleError) as info:
        _plan("keras>=3")
    assert str(info.value) == (
        "Could not find a version that satisfies the requirement keras>=3 "
        "(from versions: 2.15.0)\nNo matching distribution found for keras>=3"
    )


def test_unknown_metadata_is_reported_not_ignored(tmp_path) -> None:  # type: ignore[no-untyped-def]
    from mixguard.index.cache import Cache
    from mixguard.index.client import IndexConfig

    env = read_prefix(demo_prefix(), host=DEMO_HOST, environ={})
    # offline with an empty cache and a remote index: every page is missing, said so
    req = parse_pip_args(["six"])
    plan = resolve(env, req, IndexClient(IndexConfig(), cache=Cache(tmp_path), offline=True))
    assert plan.changes[0].action == "unchanged"
    with pytest.raises(ResolutionImpossibleError, match="Could not find a version") as info:
        resolve(
            env,
            parse_pip_args(["not-installed-anywhere"]),
            IndexClient(IndexConfig(), cache=Cache(tmp_path), offline=True),
        )
    # pip would have read the page: the conflict is marked unproven, with why
    assert "index pages not read: offline: no cached copy of https://pypi.org/simple/" in str(
        info.value
    )
    # --upgrade consults the page of an installed project: missing, so the plan is unproven
    plan = resolve(
        env,
        parse_pip_args(["--upgrade", "six"]),
        IndexClient(IndexConfig(), cache=Cache(tmp_path), offline=True),
    )
    assert plan.changes[0].action == "unchanged" and not plan.complete
    (u,) = plan.unknowns
    assert (u.project, u.kind) == ("six", "index-page") and "no cached copy" in u.reason


class _CountingClient:
    """A real client over a find-links directory that counts the metadata it is asked for."""

    def __init__(self, inner: IndexClient) -> None:
        self._inner = inner
        self.metadata_calls: list[str] = []

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        return getattr(self._inner, name)

    def metadata(self, file):  # type: ignore[no-untyped-def]
        self.metadata_calls.append(file.filename)
        return self._inner.metadata(file)


_T = TypeVar("_T", bound="Index")


def _resolve_from_links(
    tmp_path: Path,
    wheels: list[tuple[str, bytes]],
    args: list[str],
    make_client: Callable[[IndexClient], _T],
) -> tuple[InstallPlan, _T]:
    """``pip install ARGS`` into the demo prefix from a --find-links directory of ``wheels``
    (an empty index beside it), through the client ``make_client`` wraps."""
    from mixguard.index.client import IndexConfig

    links = tmp_path / "links"
    links.mkdir()
    for fn, data in wheels:
        (links / fn).write_bytes(data)
    (tmp_path / "empty").mkdir()
    env = read_prefix(demo_prefix(), host=DEMO_HOST, environ={})
    req = parse_pip_args([*args, "--index-url", (tmp_path / "empty").as_uri(), "-f", str(links)])
    client = make_client(
        IndexClient(IndexConfig(req.index.index_url, (), (str(links),)), offline=True)
    )
    return resolve(env, req, client), client


def test_candidates_are_built_lazily_as_pip_does(tmp_path) -> None:  # type: ignore[no-untyped-def]
    """resolvelib materialises a non-Sequence ``find_matches`` result with ``list()``; pip's
    FoundCandidates is a Sequence so that only the candidates tried are built. Here: 20
    versions of ``lazy-a`` and one needed, so one metadata read each, not twenty."""
    from ..index.builders import wheel

    wheels = [wheel("lazy-a", f"1.{minor}", ["lazy-b"]) for minor in range(20)]
    wheels += [wheel("lazy-b", f"2.{minor}") for minor in range(20)]
    plan, client = _resolve_from_links(tmp_path, wheels, ["lazy-a"], _CountingClient)
    assert sorted((c.name, c.version) for c in plan.installs) == [
        ("lazy-a", "1.19"),
        ("lazy-b", "2.19"),
    ]
    assert sorted(client.metadata_calls) == [
        "lazy_a-1.19-py3-none-any.whl",
        "lazy_b-2.19-py3-none-any.whl",
    ]


class _RecordingClient(_CountingClient):
    """Records, in order, what the resolution warms and what it reads."""

    def __init__(self, inner: IndexClient) -> None:
        super().__init__(inner)
        self.events: list[str] = []

    def warm(self, name, then=None, *, priority=0):  # type: ignore[no-untyped-def]
        self.events.append(f"warm {name}")

    def warm_metadata(self, file):  # type: ignore[no-untyped-def]
        self.events.append(f"warm-metadata {file.filename}")

    def project_files(self, name):  # type: ignore[no-untyped-def]
        self.events.append(f"page {name}")
        return self._inner.project_files(name)


def test_dependencies_are_warmed_together_and_the_next_versions_on_rejection(
    tmp_path: Path,
) -> None:
    """resolvelib adds a candidate's dependencies one at a time and reads each as it is added;
    the reporter starts them all at the first (else every page waits for the previous one's
    round trip). And when a version is rejected, the METADATA of the next ones is warmed."""
    from ..index.builders import wheel

    wheels = [
        wheel("top", "2.0", ["dep-a", "dep-b", "dep-c", "pinned>=2"]),
        wheel("top", "1.0", ["dep-a", "dep-b", "dep-c"]),
        *(wheel(f"dep-{x}", "1.0") for x in "abc"),
        wheel("pinned", "1.0"),
    ]
    plan, client = _resolve_from_links(tmp_path, wheels, ["top", "pinned<2"], _RecordingClient)
    assert ("top", "1.0") in {(c.name, c.version) for c in plan.installs}
    ev = client.events
    first_dep_page = ev.index("page dep-a")
    assert {"warm dep-a", "warm dep-b", "warm dep-c"} <= set(ev[:first_dep_page])
    # top 2.0 rejected (pinned>=2 against pinned<2): top 1.0's METADATA was warmed
    assert "warm-metadata top-1.0-py3-none-any.whl" in ev


class _FollowingClient(_RecordingClient):
    """Runs each warm's pick at once, on the caller's thread (a warming thread, in order)."""

    def __init__(self, inner: IndexClient) -> None:
        super().__init__(inner)
        self.warmed: set[str] = set()

    def warm(self, name, then=None, *, priority=0):  # type: ignore[no-untyped-def]
        if name in self.warmed:  # as the client: each project once
            return
        self.warmed.add(name)
        self.events.append(f"warm {name}")
        if then is not None:
            then(self._inner.project_files(name))


def test_warming_follows_the_likely_closure_down(tmp_path: Path) -> None:
    """The resolver learns a candidate's dependencies only when it pins it; the warming
    threads go on down the likely picks' own dependencies (the target's markers, no extras),
    so that the deeper levels are not fetched one after another on the critical path."""
    from ..index.builders import wheel

    wheels = [
        wheel("top", "1.0", ["mid", 'winonly; sys_platform == "win32"', "top[x]"]),
        wheel("mid", "1.0", ["leaf>=1"]),
        wheel("leaf", "1.0", ["deep", "top"]),  # a cycle back to the top: warmed once
        wheel("deep", "1.0"),
        wheel("winonly", "1.0"),
    ]
    plan, client = _resolve_from_links(tmp_path, wheels, ["top"], _FollowingClient)
    assert {c.name for c in plan.installs} == {"top", "mid", "leaf", "deep"}
    ev = client.events
    # all of the closure warmed before the resolver read the second level's page itself
    assert {"warm mid", "warm leaf", "warm deep"} <= set(ev[: ev.index("page mid")])
    assert ev.count("warm top") == 1 and "warm winonly" not in ev


def test_a_rejected_extras_candidate_warms_its_projects_next_versions(tmp_path: Path) -> None:
    """``top[x]``: the resolver walks the extras candidate's versions (each pinned before its
    base); a rejected one warms the next versions' METADATA as a plain one does."""
    from ..index.builders import wheel

    wheels = [
        wheel("top", "2.0", ['pinned>=2; extra == "x"'], extras=["x"]),
        wheel("top", "1.0", [], extras=["x"]),
        wheel("pinned", "1.0"),
        wheel("pinned", "2.0"),
    ]
    plan, client = _resolve_from_links(tmp_path, wheels, ["top[x]", "pinned<2"], _RecordingClient)
    assert ("top", "1.0") in {(c.name, c.version) for c in plan.installs}
    assert "warm-metadata top-1.0-py3-none-any.whl" in client.events
