"""Package URLs (explicit files, lock files) to records."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import unquote, urlparse

from ..conda.channel import split_subdir
from ..conda.records import PackageRecord
from ..errors import EnvironmentReadError, ParseError

_BUILD_NUMBER = re.compile(r"_(\d+)$")


def record_from_url(url: str, where: str, **extra: Any) -> PackageRecord:
    """A record for ``https://…/<channel>/<subdir>/<name>-<version>-<build>.conda``.

    ``build_number`` is not in a URL: unless given, it is read from the build string's
    conventional ``_<N>`` suffix (conda-build's own convention).
    """
    path = unquote(urlparse(url).path) if "://" in url else url
    head, _, fn = path.rpartition("/")
    if fn.endswith(".conda"):
        stem = fn[: -len(".conda")]
    elif fn.endswith(".tar.bz2"):
        stem = fn[: -len(".tar.bz2")]
    else:
        raise EnvironmentReadError(url, "not a conda package URL (.conda or .tar.bz2)", where)
    parts = stem.rsplit("-", 2)
    if len(parts) != 3:
        raise EnvironmentReadError(url, "package file name is not name-version-build", where)
    name, version, build = parts
    url_head = url.rsplit("/", 1)[0]
    channel, subdir = split_subdir(url_head)
    raw: dict[str, Any] = {
        "name": name,
        "version": version,
        "build": build,
        "fn": fn,
        "url": url,
        "subdir": subdir or (head.rsplit("/", 1)[-1] if head else "noarch"),
        "channel": channel,
    }
    m = _BUILD_NUMBER.search(build)
    raw["build_number"] = int(m.group(1)) if m else 0
    raw.update({k: v for k, v in extra.items() if v is not None})
    try:
        return PackageRecord.from_dict(raw, where)
    except ParseError as exc:
        raise EnvironmentReadError(exc.value, exc.reason, exc.where or where) from None
