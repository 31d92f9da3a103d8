"""Offline snapshots: a standard static index tree holding what a resolution needs.

Layout (``pip install --index-url file://<dir>/simple --dry-run`` reads it with no wheels
present; mixguard reads it offline)::

    <dir>/snapshot.json                         manifest: request, target, cutoff, contents
    <dir>/simple/index.html                     PEP 503 root
    <dir>/simple/<name>/index.html              PEP 503 page: #sha256=, data-requires-python,
                                                data-yanked, data-dist-info-metadata,
                                                data-core-metadata
    <dir>/simple/<name>/index.json              PEP 691 page
    <dir>/simple/<name>/<file>.metadata         PEP 658 core metadata

What goes in: starting from the requirements, for every requirement met on the way (markers
evaluated for the *target*, extras followed), the newest target-compatible versions that
satisfy it (``max_versions`` per distinct specifier), published before ``exclude_newer``, and
their dependencies, recursively. The snapshot is the universe both pip and mixguard resolve in.
"""

from __future__ import annotations

import hashlib
import html
import json
from collections import defaultdict
from collections.abc import Iterable, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import Any

from packaging.requirements import InvalidRequirement, Requirement
from packaging.specifiers import InvalidSpecifier, SpecifierSet
from packaging.utils import canonicalize_name
from packaging.version import Version

from ..environment.target import Target
from ..errors import ParseError
from ..requirements import is_pinned, marker_holds
from .client import IndexClient
from .links import DistributionFile
from .metadata import DistMetadata, Unknown
from .transport import redact_url

__all__ = ["Closure", "SnapshotManifest", "build_snapshot", "parse_cutoff", "walk_closure"]


def parse_cutoff(value: str) -> datetime:
    """``--exclude-newer``: an ISO 8601 date or timestamp (UTC if no zone)."""
    try:
        dt = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        raise ParseError(
            value, "expected an ISO 8601 date such as 2024-05-01 or 2024-05-01T12:00:00Z"
        ) from None
    return dt if dt.tzinfo else dt.replace(tzinfo=timezone.utc)


def _uploaded(file: DistributionFile) -> datetime | None:
    if not file.upload_time:
        return None
    try:
        return parse_cutoff(file.upload_time)
    except ParseError:
        return None


@dataclass
class SnapshotManifest:
    requirements: list[str]
    target: dict[str, Any]
    exclude_newer: str | None
    projects: dict[str, list[str]] = field(default_factory=dict)  # name -> versions
    files: int = 0
    unknown: list[str] = field(default_factory=list)  # metadata we could not get
    skipped: list[str] = field(default_factory=list)  # requirements nothing satisfied
    sources: list[str] = field(default_factory=list)  # indexes read (credentials redacted)

    def as_json(self) -> dict[str, Any]:
        return {
            "schema": "mixguard.snapshot/1",
            "created": datetime.now(timezone.utc).isoformat(timespec="seconds"),
            "requirements": self.requirements,
            "target": self.target,
            "exclude_newer": self.exclude_newer,
            "sources": self.sources,
            "projects": self.projects,
            "files": self.files,
            "unknown_metadata": self.unknown,
            "unsatisfied": self.skipped,
        }


@lru_cache(maxsize=4096)
def _python_ok(requires_python: str, python: Version) -> bool:
    try:
        return SpecifierSet(requires_python).contains(python, prereleases=True)
    except InvalidSpecifier:
        return True  # pip ignores an invalid Requires-Python


def _compatible(file: DistributionFile, tags: frozenset[str], python: Version | None) -> bool:
    if file.kind == "wheel" and file.tags.isdisjoint(tags):
        return False
    return not (
        file.requires_python and python is not None and not _python_ok(file.requires_python, python)
    )


def _best_file(files: list[DistributionFile], tag_rank: dict[str, int]) -> DistributionFile:
    def rank(f: DistributionFile) -> tuple[int, int]:
        if f.kind != "wheel":
            return (1, 0)
        return (0, min(tag_rank.get(t, 10**9) for t in f.tags))

    return min(files, key=rank)


@dataclass
class Closure:
    """What a walk found: files per project and version, their metadata, and the manifest."""

    chosen: dict[str, dict[Version, list[DistributionFile]]]
    metadata: dict[str, DistMetadata]
    manifest: SnapshotManifest


def build_snapshot(
    client: IndexClient,
    requirements: Sequence[str],
    target: Target,
    out: str | Path,
    *,
    exclude_newer: datetime | None = None,
    max_versions: int = 1,
    extra_names: Iterable[str] = (),
) -> SnapshotManifest:
    """Walk the requirements' closure for ``target`` and write the index tree under ``out``.

    ``extra_names`` adds projects to record even if nothing requires them (e.g. the
    distributions installed in the target environment, which pip may upgrade).
    """
    closure = walk_closure(
        client,
        requirements,
        target,
        exclude_newer=exclude_newer,
        max_versions=max_versions,
        extra_names=extra_names,
    )
    _write_tree(Path(out), closure.chosen, closure.metadata, client, closure.manifest)
    return closure.manifest


def walk_closure(
    client: IndexClient,
    requirements: Sequence[str],
    target: Target,
    *,
    exclude_newer: datetime | None = None,
    max_versions: int = 1,
    extra_names: Iterable[str] = (),
) -> Closure:
    """The metadata closure of ``requirements`` for ``target`` (see the module docstring).

    A pipeline, not a level-by-level walk: each project page or metadata that arrives
    schedules what it implies at once, so the wall time follows the longest dependency chain,
    not the sum of each level's slowest fetch.
    """
    tags = target.wheel_tags()
    if not tags:
        raise ParseError(
            target.subdir, "the target has no python version or platform: cannot pick wheels"
        )
    tag_strs = [str(t) for t in tags]
    tag_set = frozenset(tag_strs)
    tag_rank = {t: i for i, t in enumerate(tag_strs)}
    python = Version(target.python_version) if target.python_version else None
    env = target.markers()

    chosen: dict[str, dict[Version, list[DistributionFile]]] = defaultdict(dict)
    seen_specs: set[tuple[str, str, frozenset[str]]] = set()
    metadata: dict[str, DistMetadata] = {}
    manifest = SnapshotManifest(
        requirements=list(requirements),
        target={
            "subdir": target.subdir,
            "python": target.python_version,
            "implementation": target.implementation,
            "virtual_packages": [str(v) for v in target.virtual_packages],
        },
        exclude_newer=exclude_newer.isoformat() if exclude_newer else None,
        sources=[redact_url(u) for u in (*client.config.find_links, *client.config.index_urls)],
    )
    initial: list[tuple[Requirement, str]] = []
    for i, text in enumerate(requirements):
        try:
            initial.append((Requirement(text), f"requirements[{i}]"))
        except InvalidRequirement as exc:
            raise ParseError(text, f"invalid requirement: {exc}", f"requirements[{i}]") from None
    initial += [(Requirement(canonicalize_name(n)), "extra name") for n in extra_names]

    pool = ThreadPoolExecutor(max_workers=max(1, client.workers))
    pages: dict[str, Future[Any]] = {}
    pending: dict[Future[Any], tuple[str, Any]] = {}

    def want(req: Requirement, origin: str) -> None:
        name = canonicalize_name(req.name)
        key = (name, str(req.specifier), frozenset(req.extras))
        if key in seen_specs:
            return
        seen_specs.add(key)
        if name not in pages:
            pages[name] = pool.submit(client.project_files, name)
        # a page already fetched is queued again: the loop hands it its new waiters at once
        pending.setdefault(pages[name], ("page", (req, origin)))
        waiting[name].append((req, origin))

    waiting: dict[str, list[tuple[Requirement, str]]] = defaultdict(list)

    def choose(req: Requirement, origin: str) -> None:
        name = canonicalize_name(req.name)
        by_version: dict[Version, list[DistributionFile]] = defaultdict(list)
        for f in client.project_files(name).files:  # already fetched: served from memory
            if f.version is None or not _compatible(f, tag_set, python):
                continue
            up = _uploaded(f)
            if exclude_newer is not None and up is not None and up > exclude_newer:
                continue
            by_version[f.version].append(f)
        pinned = {Version(sp.version) for sp in req.specifier if is_pinned(str(sp))}
        ok = [
            v
            for v in by_version
            if req.specifier.contains(v, prereleases=True if v in pinned else None)
            and (v in pinned or not all(f.yanked for f in by_version[v]))
        ]
        if not ok and not req.specifier.prereleases:
            # pip: pre-releases are considered when nothing else satisfies the specifier
            ok = [v for v in by_version if req.specifier.contains(v, prereleases=True)]
        if not ok:
            manifest.skipped.append(f"{req} (from {origin})")
            return
        ranked = sorted(ok, reverse=True)
        for v in ranked[:max_versions]:
            pick(req, name, v, by_version, ranked[max_versions:])

    def pick(
        req: Requirement,
        name: str,
        v: Version,
        by_version: dict[Version, list[DistributionFile]],
        fallback: list[Version],
    ) -> None:
        if v not in chosen[name]:
            chosen[name][v] = by_version[v]
        best = _best_file(chosen[name][v], tag_rank)
        pending[pool.submit(client.metadata, best)] = (
            "meta",
            (req, best, name, by_version, fallback),
        )

    def follow(
        req: Requirement,
        f: DistributionFile,
        result: Any,
        name: str,
        by_version: dict[Version, list[DistributionFile]],
        fallback: list[Version],
    ) -> None:
        if isinstance(result, Unknown):
            if str(result) not in manifest.unknown:
                manifest.unknown.append(str(result))
            # a version whose metadata only a build can tell stays out of the universe; the
            # next newest version of this requirement takes its place
            chosen[name].pop(f.version, None)  # type: ignore[arg-type]
            if fallback:
                pick(req, name, fallback[0], by_version, fallback[1:])
            return
        metadata[f.filename] = result
        extras = {str(canonicalize_name(e)) for e in req.extras}
        for dep_text in result.requires_dist:
            try:
                dep = Requirement(dep_text)
            except InvalidRequirement:
                manifest.unknown.append(f"{f.filename}: invalid Requires-Dist {dep_text!r}")
                continue
            if not marker_holds(dep, env, extras or {""}):
                continue  # (an undefined marker keeps it: one project too many, not too few)
            want(dep, f"{f.name} {f.version}")

    try:
        for req, origin in initial:
            want(req, origin)
        while pending:
            done, _ = wait(list(pending), return_when=FIRST_COMPLETED)
            for fut in done:
                kind, payload = pending.pop(fut)
                if kind == "page":
                    name = canonicalize_name(payload[0].name)
                    for req, origin in waiting.pop(name, []):
                        choose(req, origin)
                else:
                    req, f, name, by_version, fallback = payload
                    follow(req, f, fut.result(), name, by_version, fallback)
    finally:
        pool.shutdown(wait=True)
    manifest.unknown.sort()
    manifest.skipped.sort()
    return Closure(dict(chosen), metadata, manifest)


def _write_tree(
    out: Path,
    chosen: dict[str, dict[Version, list[DistributionFile]]],
    metadata: dict[str, DistMetadata],
    client: IndexClient,
    manifest: SnapshotManifest,
) -> None:
    simple = out / "simple"
    simple.mkdir(parents=True, exist_ok=True)
    names = sorted(chosen)
    (simple / "index.html").write_text(
        "<!DOCTYPE html>\n<html><body>\n"
        + "".join(f'<a href="{n}/">{n}</a>\n' for n in names)
        + "</body></html>\n"
    )
    for name in names:
        pdir = simple / name
        pdir.mkdir(exist_ok=True)
        entries: list[dict[str, Any]] = []
        for version in sorted(chosen[name]):
            files = chosen[name][version]
            # one metadata text per version: every file of a version shares it (pip checks it)
            text = next((metadata[f.filename].text for f in files if f.filename in metadata), None)
            if text is None:
                more = client.prefetch(files)
                text = next((r.text for r in more.values() if isinstance(r, DistMetadata)), None)
            if text is None:
                continue
            data = text.encode()
            digest = hashlib.sha256(data).hexdigest()
            for f in files:
                (pdir / f"{f.filename}.metadata").write_bytes(data)
                entries.append({"file": f, "metadata_sha256": digest})
            manifest.projects.setdefault(name, []).append(str(version))
        manifest.files += len(entries)
        (pdir / "index.html").write_text(_html_page(name, entries))
        (pdir / "index.json").write_text(json.dumps(_json_page(name, entries), indent=1) + "\n")
    (out / "snapshot.json").write_text(json.dumps(manifest.as_json(), indent=1) + "\n")


def _html_page(name: str, entries: list[dict[str, Any]]) -> str:
    lines = [
        "<!DOCTYPE html>",
        '<html><head><meta name="pypi:repository-version" content="1.1">'
        f"<title>Links for {html.escape(name)}</title></head><body>",
        f"<h1>Links for {html.escape(name)}</h1>",
    ]
    for e in entries:
        f: DistributionFile = e["file"]
        attrs = [
            f'href="{html.escape(f.filename)}#sha256={f.sha256}"'
            if f.sha256
            else f'href="{html.escape(f.filename)}"'
        ]
        if f.requires_python:
            attrs.append(f'data-requires-python="{html.escape(f.requires_python)}"')
        if f.yanked:
            attrs.append(f'data-yanked="{html.escape(f.yanked_reason or "")}"')
        meta = f"sha256={e['metadata_sha256']}"
        attrs.append(f'data-dist-info-metadata="{meta}"')
        attrs.append(f'data-core-metadata="{meta}"')
        lines.append(f"<a {' '.join(attrs)}>{html.escape(f.filename)}</a><br/>")
    lines.append("</body></html>")
    return "\n".join(lines) + "\n"


def _json_page(name: str, entries: list[dict[str, Any]]) -> dict[str, Any]:
    files = []
    for e in entries:
        f: DistributionFile = e["file"]
        item: dict[str, Any] = {
            "filename": f.filename,
            "url": f.filename,
            "hashes": dict(f.hashes),
            "core-metadata": {"sha256": e["metadata_sha256"]},
            "dist-info-metadata": {"sha256": e["metadata_sha256"]},
        }
        if f.requires_python:
            item["requires-python"] = f.requires_python
        if f.yanked:
            item["yanked"] = f.yanked_reason or True
        if f.upload_time:
            item["upload-time"] = f.upload_time
        if f.size is not None:
            item["size"] = f.size
        files.append(item)
    versions = sorted({str(e["file"].version) for e in entries}, key=Version)
    return {"meta": {"api-version": "1.1"}, "name": name, "versions": versions, "files": files}
