"""mixguard.requirements: the one owner of PEP 508 parsing, markers and the pin test."""

from __future__ import annotations

from mixguard.requirements import active_requirements, is_pinned, marker_holds, parse_requirement

from ._util import must


def test_marker_answers_are_per_target_and_extra() -> None:
    req = must(parse_requirement('x; python_version < "3.11" and extra == "gpu"'))
    old, new = {"python_version": "3.10"}, {"python_version": "3.12"}
    # asked repeatedly (remembered), each answer stays its target's and its extra's
    for _ in range(3):
        assert marker_holds(req, old, ("gpu",)) is True
        assert marker_holds(req, new, ("gpu",)) is False
        assert marker_holds(req, old, ("",)) is False


def test_an_undefined_marker_is_kept_in_resolution_and_skipped_by_pip_check() -> None:
    req = must(parse_requirement('x; platform_machine == "x86_64"'))
    assert marker_holds(req, {}) is True
    assert marker_holds(req, {}, unknown=False) is False


def test_invalid_lines_and_pins() -> None:
    assert parse_requirement("not a requirement ===") is None
    assert [str(r) for r in active_requirements(["a", "b; extra == 'x'"], {}, ("x",))] == [
        "a",
        'b; extra == "x"',
    ]
    assert is_pinned("===1.0") and is_pinned("==1.0") and not is_pinned("==1.*")
    assert not is_pinned("not a specifier")


def test_a_target_that_does_not_say_its_platform_never_gets_this_machines() -> None:
    from mixguard.environment.host import host_facts
    from mixguard.environment.target import Target

    win_only = must(parse_requirement('x; sys_platform == "win32"'))
    unknown_platform = Target(None, "3.10.5").markers()
    # packaging's own evaluate would fill sys_platform from this (Linux) machine: "False"
    assert marker_holds(win_only, unknown_platform) is True  # unknown: kept in resolution
    assert marker_holds(win_only, unknown_platform, unknown=False) is False
    # a prefix on this machine knows its release; another platform's target does not
    here = Target.from_records([], host_facts().subdir, host=host_facts(), python="3.12.1")
    assert here.markers()["platform_release"]
    assert "platform_release" not in Target.from_records([], "win-64", python="3.12.1").markers()
