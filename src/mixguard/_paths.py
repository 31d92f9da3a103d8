"""The one owner of "which local file does this location name": ``file://`` URLs and paths.

>>> local_path("file:///tmp/a%20b/x.whl").as_posix(), local_path("https://host/x") is None
('/tmp/a b/x.whl', True)
"""

from __future__ import annotations

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
        # urllib.request costs ~15 ms to import (http.client, ssl, email): only when asked
        from urllib.request import url2pathname

        return Path(url2pathname(unquote(urlsplit(text).path)))
    if "://" in text:
        return None
    return Path(text)
