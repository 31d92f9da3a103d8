"""Conda-side solves by conda's own solver family: rattler's (resolvo), through py-rattler.

conda's default solver is now the rattler one (``conda-rattler-solver``), and pixi's engine is
the same library, so an environment described by specs (a hand-written ``environment.yml``, an
export ``--from-history`` or ``--no-builds``) is created here as they would create it, and the
conda-first remedy asks the same solver. mixguard never writes its own conda solver.

- Channels: a directory or ``file://`` URL (its ``<subdir>/repodata.json``, ``.json.zst`` or
  ``.json.bz2``; a missing ``noarch`` is allowed), a channel name or an HTTP URL (read by
  rattler's gateway, cached in ``<cache>/rattler``).
- Channel priority: ``strict`` (conda-forge's recommended setting, pixi's and rattler's only
  priority mode); conda's ``flexible`` default differs only where one name is in several
  channels.
- Virtual packages come from the target (``__cuda``, ``__glibc``...): the facts shown in the
  report, detected, overridden or assumed.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import timedelta
from pathlib import Path
from typing import Any

from .._paths import local_path
from ..errors import MixguardError
from .channel import channel_base_urls
from .records import PackageRecord

__all__ = ["CondaSolveError", "solve", "solve_locked"]

_REPODATA = ("repodata.json", "repodata.json.zst", "repodata.json.bz2")


class CondaSolveError(MixguardError):
    """No solution; ``causes`` are the solver's explanation lines."""

    def __init__(self, message: str, causes: tuple[str, ...]) -> None:
        super().__init__(message)
        self.causes = causes


def _local_dir(location: str) -> Path | None:
    if location.startswith("file:"):
        return local_path(location)
    path = local_path(location)
    if path is None:
        return None
    path = path.expanduser()
    return path if path.is_dir() else None


def _plain_json(path: Path, tmp: Path) -> Path:
    """rattler's sparse reader takes plain JSON: compressed repodata is inflated once."""
    if path.name.endswith(".json"):
        return path
    import bz2

    out = tmp / f"{abs(hash(str(path)))}-{path.parent.name}.json"
    if path.name.endswith(".zst"):
        import zstandard

        with path.open("rb") as src, out.open("wb") as dst:
            zstandard.ZstdDecompressor().copy_stream(src, dst)
    else:
        with bz2.open(path, "rb") as src, out.open("wb") as dst:
            while chunk := src.read(1 << 20):
                dst.write(chunk)
    return out


def _sources(channels: Sequence[str | Path], subdir: str, tmp: Path) -> tuple[list[Any], bool]:
    import rattler

    sources: list[Any] = []
    remote = False
    for ch in channels:
        local = _local_dir(str(ch)) if not isinstance(ch, Path) else ch
        if local is not None:
            url = local.resolve().as_uri()
            found = False
            for sd in dict.fromkeys((subdir, "noarch")):
                path = next((local / sd / n for n in _REPODATA if (local / sd / n).is_file()), None)
                if path is not None:
                    found = True
                    sources.append(
                        rattler.SparseRepoData(rattler.Channel(url), sd, _plain_json(path, tmp))
                    )
            if not found:
                from ..errors import RepodataError

                raise RepodataError(
                    str(ch), f"no {subdir}/ or noarch/ repodata.json in the channel", str(ch)
                )
        else:
            remote = True
            sources += [rattler.Channel(u) for u in channel_base_urls(str(ch))]
    return sources, remote


def _to_rattler(r: PackageRecord) -> Any:
    import rattler

    pr = rattler.PackageRecord(
        name=r.name,
        version=r.version,
        build=rattler.BuildString(r.build),
        build_number=r.build_number,
        subdir=r.subdir,
        noarch=r.noarch,  # type: ignore[arg-type]
        depends=list(r.depends),
        constrains=list(r.constrains),
        md5=bytes.fromhex(r.md5) if r.md5 else None,
        sha256=bytes.fromhex(r.sha256) if r.sha256 else None,
        size=r.size,
    )
    if r.track_features:
        pr.track_features = list(r.track_features)
    fn = r.fn or f"{r.dist_name}.conda"
    channel = r.channel or (r.url.rsplit("/", 2)[0] if r.url else "")
    url = r.url or f"{channel or 'file:///unknown'}/{r.subdir}/{fn}"
    return rattler.RepoDataRecord(pr, fn, url, channel)


def _from_rattler(r: Any) -> PackageRecord:
    ts = r.timestamp
    raw: dict[str, Any] = {
        "name": r.name.normalized,
        "version": str(r.version),
        "build": str(r.build),
        "build_number": int(r.build_number),
        "subdir": str(r.subdir),
        "depends": list(r.depends),
        "constrains": list(r.constrains),
        "track_features": list(r.track_features),
        "noarch": {"python": "python", "generic": "generic"}.get(
            str(r.noarch).split('"')[1] if '"' in str(r.noarch) else ""
        ),
        "timestamp": int(ts.timestamp() * 1000) if ts is not None else None,
        "md5": r.md5.hex() if r.md5 else None,
        "sha256": r.sha256.hex() if r.sha256 else None,
        "size": r.size,
        "fn": r.file_name,
        "url": r.url,
        "channel": str(r.channel) if r.channel else None,
        "license": r.license,
    }
    return PackageRecord.from_dict({k: v for k, v in raw.items() if v is not None}, "solved")


def _virtual(records: Iterable[PackageRecord]) -> list[Any]:
    import rattler

    return [
        rattler.GenericVirtualPackage(
            rattler.PackageName(v.name), rattler.Version(v.version), rattler.BuildString(v.build)
        )
        for v in records
    ]


def solve(
    specs: Sequence[str],
    channels: Sequence[str | Path],
    subdir: str,
    virtual: Iterable[PackageRecord] = (),
    *,
    pinned: Iterable[PackageRecord] = (),
    locked: Iterable[PackageRecord] = (),
    cache_dir: str | Path | None = None,
    timeout: float = 120.0,
) -> tuple[PackageRecord, ...]:
    """The records rattler's solver installs for ``specs`` from ``channels`` on ``subdir``.

    ``pinned`` records cannot change (conda's "locked environment"), ``locked`` ones are
    preferred. Raises :class:`CondaSolveError` with the solver's explanation when there is no
    solution.
    """
    import asyncio
    import tempfile

    import rattler
    from rattler.exceptions import SolverError

    with tempfile.TemporaryDirectory(prefix="mixguard-solve-") as tmp:
        sources, remote = _sources(channels, subdir, Path(tmp))
        gateway = None
        if remote:
            from ..index.cache import default_cache_dir

            root = Path(cache_dir) if cache_dir is not None else default_cache_dir()
            gateway = rattler.Gateway(cache_dir=root / "rattler")
        try:
            got = asyncio.run(
                rattler.solve(
                    sources=sources,
                    # conda reads "numpy 1.21.6 py310*" as ==1.21.6: lenient, as conda is
                    specs=[rattler.MatchSpec(s, strict=False) for s in specs],
                    gateway=gateway,
                    platforms=list(dict.fromkeys((subdir, "noarch"))),  # type: ignore[arg-type]
                    virtual_packages=_virtual(virtual),
                    pinned_packages=[_to_rattler(r) for r in pinned],
                    locked_packages=[_to_rattler(r) for r in locked],
                    timeout=timedelta(seconds=timeout),
                    channel_priority=rattler.ChannelPriority.Strict,
                )
            )
        except SolverError as exc:
            lines = tuple(x.strip() for x in str(exc).splitlines() if x.strip())
            raise CondaSolveError(
                f"conda's solver (rattler) finds no solution for {', '.join(specs)}: "
                + " ".join(lines[:12]),
                lines,
            ) from None
        except Exception as exc:  # rattler's gateway/parse errors are plain exceptions
            if isinstance(exc, MixguardError):
                raise
            raise CondaSolveError(
                f"conda's solver (rattler) could not run: {str(exc).splitlines()[0][:300]}",
                tuple(str(exc).splitlines()),
            ) from None
    return tuple(_from_rattler(r) for r in got)


def solve_locked(
    specs: Sequence[str],
    channels: Sequence[str | Path],
    subdir: str,
    installed: Iterable[PackageRecord],
    virtual: Iterable[PackageRecord] = (),
    *,
    free: Iterable[str] = (),
    cache_dir: str | Path | None = None,
) -> Mapping[str, PackageRecord]:
    """Records satisfying ``specs`` with every installed record pinned except the ``free``
    names and the names the specs ask for: can conda provide them in this environment as it
    is? Name -> record of everything the solution needs."""
    from .matchspec import MatchSpec

    asked = {MatchSpec.parse(s).name for s in specs} | set(free)
    pinned = [r for r in installed if r.name not in asked and not r.name.startswith("__")]
    solved = solve(specs, channels, subdir, virtual, pinned=pinned, cache_dir=cache_dir)
    return {str(r.name): r for r in solved}
