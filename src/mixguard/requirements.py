"""PEP 508 requirements as pip reads them, for a target: the one owner of parsing, marker
evaluation and the pin test (the resolver, pip check, the findings, the graph and snapshots
all ask here).

>>> req = parse_requirement('numpy>=1.21; python_version < "3.11"')
>>> marker_holds(req, {"python_version": "3.10"}), marker_holds(req, {"python_version": "3.12"})
(True, False)
>>> is_pinned("==1.2"), is_pinned("==1.2.*"), is_pinned(">=1")
(True, False, False)
"""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator, Mapping
from collections.abc import Set as AbstractSet
from functools import lru_cache

from packaging.markers import InvalidMarker, Marker, UndefinedEnvironmentName
from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet

__all__ = [
    "active_requirements",
    "is_pinned",
    "marker_holds",
    "parse_requirement",
    "requirement_text",
    "satisfied_by_version",
]


@lru_cache(maxsize=16384)
def parse_requirement(text: str) -> Requirement | None:
    """A Requires-Dist / requirement line, or None where pip would not accept it (pip drops
    the distribution version whose metadata has one: the caller decides). Cached: the same
    strings repeat across candidates and runs; callers never mutate the result."""
    fast = _simple_requirement(text)
    if fast is not None:
        return fast
    try:
        return Requirement(text)
    except (InvalidRequirement, InvalidSpecifier):  # packaging lets the latter out ("===1,>=1.*")
        return None


# The common shapes of a Requires-Dist line (``name``, ``name[x,y]``, ``name>=1,<2``,
# ``name (>=1)``, each with ``; marker``): packaging's tokenizer takes ~65 us a line, and a
# fresh check reads ~1,000 of them. Anything else, or anything packaging's own pieces reject
# here, goes to packaging's parser: the result is packaging's either way (property-tested
# against it, tests/property/test_requirement_fast_path.py).
_OP = r"(?:~=|==|!=|<=|>=|<|>)"
_ID = r"[A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?"  # packaging's IDENTIFIER, word-bounded
_SIMPLE = re.compile(
    r"(" + _ID + r")"  # the name
    r"(?:\[(" + _ID + r"(?:," + _ID + r")*)\])?"  # extras
    r"(?: ?\(((?:"
    + _OP
    + r"[0-9][A-Za-z0-9.*+!_-]*)(?:,(?:"
    + _OP
    + r"[0-9][A-Za-z0-9.*+!_-]*))*)\)"
    r"| ?((?:" + _OP + r"[0-9][A-Za-z0-9.*+!_-]*)(?:,(?:" + _OP + r"[0-9][A-Za-z0-9.*+!_-]*))*))?"
    r"(?: ?; ?(\S.*\S|\S))?"  # the marker, trimmed
)


_TEMPLATE = Requirement("template")


@lru_cache(maxsize=4096)
def _marker(text: str) -> Marker | None:
    """Markers repeat across requirements (``extra == "dev"``...): parsed once each."""
    try:
        return Marker(text)
    except InvalidMarker:
        return None


@lru_cache(maxsize=4096)
def _specifier_set(text: str) -> SpecifierSet | None:
    """Specifier texts repeat too (``>=1.17``): one SpecifierSet each, shared (never mutated:
    building one hashes each clause, which parses its version twice)."""
    try:
        return SpecifierSet(text)
    except InvalidSpecifier:
        return None


def _simple_requirement(text: str) -> Requirement | None:
    m = _SIMPLE.fullmatch(text)
    if m is None:
        return None
    name, extras, parened, bare, marker_text = m.groups()
    specifier = _specifier_set(parened or bare or "")
    if specifier is None:
        return None
    marker = None
    if marker_text is not None:
        marker = _marker(marker_text)
        if marker is None:
            return None
    # a copy of a parsed one: whatever else packaging's __init__ sets comes along
    req = copy.copy(_TEMPLATE)
    req.name = name
    req.url = None
    req.extras = set(extras.split(",")) if extras else set()
    req.specifier = specifier
    req.marker = marker
    return req


_TEXTS: dict[int, tuple[Requirement, str]] = {}


def requirement_text(req: Requirement) -> str:
    """``str(req)``, remembered per requirement object (the parsed ones are shared and never
    mutated): packaging formats it anew each time, marker included, and a backtracking
    resolution builds ~20,000 requirements from the same few hundred. The entry holds the
    object, so its id cannot be reused while the entry lives."""
    got = _TEXTS.get(id(req))
    if got is None or got[0] is not req:
        if len(_TEXTS) >= 65536:
            _TEXTS.clear()
        got = _TEXTS[id(req)] = (req, str(req))
    return got[1]


_CONTAINS: dict[tuple[str, str], bool] = {}


def satisfied_by_version(specifier: SpecifierSet, version: str) -> bool:
    """Whether ``version`` (an installed distribution's, pre-releases included, as ``pip
    check`` tests it) is in ``specifier``; False for a version packaging cannot parse.
    Remembered per (specifier, version) text: packaging re-parses each clause's version on
    every comparison, and pip check asks the same questions of every distribution."""
    key = (str(specifier), version)
    found = _CONTAINS.get(key)
    if found is None:
        from packaging.version import InvalidVersion, Version

        try:
            found = specifier.contains(Version(version), prereleases=True)
        except InvalidVersion:
            found = False
        _CONTAINS[key] = found
    return found


def _evaluate(marker: Marker, environment: dict[str, str]) -> bool:
    """``marker`` against the target's environment only. ``Marker.evaluate`` fills every name
    the caller does not give from the *running* interpreter (this machine's ``sys_platform``,
    ``platform_machine``...): for a target that does not say them, that would be a guess, not
    an unknown. packaging's own evaluator without that default layer; a name the target lacks
    raises ``UndefinedEnvironmentName``."""
    from packaging.markers import _evaluate_markers, _repair_python_full_version

    env: dict[str, str | AbstractSet[str]] = dict(environment)
    if "python_full_version" in env:  # packaging's fix for "3.12.0+" builds
        env = _repair_python_full_version(env)
    try:
        return _evaluate_markers(marker._markers, env)
    except KeyError as exc:  # packaging 25 looks names up directly
        raise UndefinedEnvironmentName(f"{exc.args[0]!r} is not known for the target") from None


_MARKERS: dict[tuple[int, int, tuple[str, ...], bool], tuple[object, object, bool]] = {}


def marker_holds(
    req: Requirement,
    markers: Mapping[str, str],
    extras: Iterable[str] = ("",),
    *,
    unknown: bool = True,
) -> bool:
    """Whether ``req``'s marker holds for the target's ``markers`` with one of ``extras``.

    ``unknown`` is the answer for a marker on something the target does not say (an
    undefined name): resolution keeps such a requirement (one project too many rather than one
    too few); ``pip check`` skips it, as pip's does when evaluation fails."""
    marker = req.marker
    if marker is None:
        return True
    wanted = tuple(extras)
    # packaging's evaluate is slow (~30 us) and the same markers are asked against the same
    # target thousands of times in a resolution: remember the answer per (marker object,
    # markers mapping) -- both kept alive by the entry, so their ids cannot be reused
    key = (id(marker), id(markers), wanted, unknown)
    hit = _MARKERS.get(key)
    if hit is not None and hit[0] is marker and hit[1] is markers:
        return hit[2]
    try:
        result = any(_evaluate(marker, {**markers, "extra": e}) for e in wanted)
    except (InvalidMarker, UndefinedEnvironmentName):
        result = unknown
    if len(_MARKERS) >= 65536:
        _MARKERS.clear()
    _MARKERS[key] = (marker, markers, result)
    return result


def active_requirements(
    texts: Iterable[str], markers: Mapping[str, str], extras: Iterable[str] = ()
) -> Iterator[Requirement]:
    """Parsed requirements whose marker holds for ``markers`` (with no extra, or one of
    ``extras``). A marker on something the target does not say keeps the requirement."""
    wanted = (*extras, "")
    for text in texts:
        req = parse_requirement(text)
        if req is not None and marker_holds(req, markers, wanted):
            yield req


def is_pinned(specifier: SpecifierSet | str) -> bool:
    """pip's pin test: ``===`` anything, or ``==`` without a trailing ``.*``."""
    if isinstance(specifier, str):
        try:
            specifier = SpecifierSet(specifier)
        except InvalidSpecifier:
            return False
    return any(
        s.operator == "===" or (s.operator == "==" and not s.version.endswith(".*"))
        for s in specifier
    )
