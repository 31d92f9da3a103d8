"""Channel names and URLs, as far as matching records and reading local channels needs."""

from __future__ import annotations

from urllib.parse import unquote, urlparse

__all__ = ["KNOWN_SUBDIRS", "channel_name", "split_subdir"]

KNOWN_SUBDIRS = frozenset(
    {
        "noarch",
        "emscripten-wasm32",
        "wasi-wasm32",
        "freebsd-64",
        "linux-32",
        "linux-64",
        "linux-aarch64",
        "linux-armv6l",
        "linux-armv7l",
        "linux-ppc64",
        "linux-ppc64le",
        "linux-riscv64",
        "linux-s390x",
        "osx-64",
        "osx-arm64",
        "win-32",
        "win-64",
        "win-arm64",
        "zos-z",
    }
)

# Hosts whose first path component(s) up to the channel name are not part of the name.
_ANACONDA_HOSTS = ("conda.anaconda.org", "repo.anaconda.com", "repo.anaconda.cloud")
_DEFAULTS = frozenset({"pkgs/main", "pkgs/r", "pkgs/free", "pkgs/pro", "pkgs/msys2"})


def split_subdir(text: str) -> tuple[str, str | None]:
    """``conda-forge/linux-64`` -> (``conda-forge``, ``linux-64``); a bare channel keeps None."""
    stripped = text.rstrip("/")
    head, sep, tail = stripped.rpartition("/")
    if sep and tail in KNOWN_SUBDIRS:
        return head, tail
    return stripped, None


def channel_name(text: str) -> str:
    """The canonical short name of a channel given by name, URL or a package URL.

    >>> channel_name("https://conda.anaconda.org/conda-forge/noarch/pip-23.0-pyhd8ed1ab_0.conda")
    'conda-forge'
    >>> channel_name("https://repo.anaconda.com/pkgs/main/linux-64")
    'pkgs/main'
    """
    text = text.strip()
    if text.endswith((".conda", ".tar.bz2")):
        text = text.rsplit("/", 1)[0]
    text, _ = split_subdir(text)
    if "://" not in text:
        return text
    url = urlparse(text)
    path = unquote(url.path).strip("/")
    if url.scheme == "file":
        return text  # a local channel is named by its URL
    host = url.hostname or ""
    if host in _ANACONDA_HOSTS or host.endswith(".anaconda.org"):
        # strip token paths such as /t/<token>/
        parts = path.split("/")
        if len(parts) >= 2 and parts[0] == "t":
            parts = parts[2:]
        return "/".join(parts)
    return f"{url.scheme}://{url.netloc}/{path}" if path else f"{url.scheme}://{url.netloc}"


def channels_equal(spec_channel: str, record_channel: str) -> bool:
    """Whether a MatchSpec's channel names the channel a record came from."""
    a, b = channel_name(spec_channel), channel_name(record_channel)
    if a == b:
        return True
    return a == "defaults" and b in _DEFAULTS
