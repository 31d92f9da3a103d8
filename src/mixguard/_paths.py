"""The one owner of "which local file does this location name": ``file://`` URLs and paths.

>>> local_path("file:///tmp/a%20b/x.whl").as_posix(), local_path("https://host/x") is None
('/tmp/a b/x.whl', True)
>>> local_path("file:///tmp/100%2525.whl").as_posix()  # unquoted once, as pip does
'/tmp/100%25.whl'

"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import unquote, urlsplit

__all__ = ["is_local", "local_path"]


def is_local(location: str | Path) -> bool:
    """A path or a ``file:`` URL (anything without another scheme)."""
    text = str(location)
    return text.startswith("file:") or "://" not in text


def local_path(location: str | Path) -> Path | None:
    """The path a ``file:`` URL or a plain path names; None for a remote URL."""
    text = str(location)
    if text.startswith("file:"):
        # urllib.request.url2pathname, without importing urllib.request (~15 ms: http.client,
        # ssl, email): on POSIX it is unquote, on Windows nturl2path's; it unquotes, once
        path = urlsplit(text).path
        if os.name == "nt":
            from nturl2path import url2pathname

            return Path(url2pathname(path))
        return Path(unquote(path))
    if "://" in text:
        return None
    return Path(text)
