"""``@EXPLICIT`` files from ``conda list --explicit`` (with or without ``#md5``)."""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path

from ..errors import EnvironmentReadError, total
from ._urls import record_from_url
from ._yaml import read_text
from .model import Environment
from .target import Target

__all__ = ["read_explicit"]


@total("@EXPLICIT file")
def read_explicit(
    path: str | Path,
    *,
    overrides: Mapping[str, str | None] | None = None,
    environ: Mapping[str, str] | None = None,
    subdir: str | None = None,
) -> Environment:
    text = read_text(path)
    records = []
    platform: str | None = None
    seen_marker = False
    for n, raw_line in enumerate(text.splitlines(), 1):
        line = raw_line.strip()
        where = f"{path}: line {n}"
        if not line:
            continue
        if line.startswith("#"):
            if line.lower().startswith("# platform:"):
                platform = line.split(":", 1)[1].strip()
            continue
        if line == "@EXPLICIT":
            seen_marker = True
            continue
        if line.startswith("@"):
            continue
        if not seen_marker:
            raise EnvironmentReadError(line, "package line before the @EXPLICIT marker", where)
        url, _, digest = line.partition("#")
        md5 = sha256 = None
        if digest.startswith("sha256:"):
            sha256 = digest[len("sha256:") :]
        elif digest:
            md5 = digest
        records.append(record_from_url(url.strip(), where, md5=md5, sha256=sha256))
    if not seen_marker:
        raise EnvironmentReadError(str(path), "not an explicit file: no @EXPLICIT line", str(path))
    target = Target.from_records(records, subdir or platform, overrides, environ)
    return Environment(
        source=str(path),
        kind="explicit",
        target=target,
        records=tuple(records),
        channels=tuple(dict.fromkeys(c for r in records if (c := r.channel_name))),
    )
