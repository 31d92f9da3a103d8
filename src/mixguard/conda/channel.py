"""Channel names and URLs, as far as matching records and reading local channels needs."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlparse

__all__ = [
    "KNOWN_SUBDIRS",
    "Channel",
    "MultiChannel",
    "channel_base_urls",
    "channel_name",
    "split_subdir",
]

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


#: conda's default ``channel_alias`` (the ``defaults`` multichannel: ``MultiChannel``, below)
CHANNEL_ALIAS = "https://conda.anaconda.org"


def channel_base_urls(text: str) -> tuple[str, ...]:
    """The base URLs conda reads a channel from, as conda's ``Channel.base_urls`` gives them
    with the default configuration (``defaults`` is a multichannel).

    >>> channel_base_urls("conda-forge")
    ('https://conda.anaconda.org/conda-forge',)
    >>> channel_base_urls("pkgs/main")
    ('https://repo.anaconda.com/pkgs/main',)
    """
    text = text.strip()
    if "://" in text:
        # as given: a token or credentials in the URL are what fetching it needs
        return (split_subdir(text)[0].rstrip("/"),)
    return tuple(u for u in Channel.from_value(text).base_urls if u)


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
    """Whether a MatchSpec's channel names the channel a record came from (by conda's
    canonical names: ``pkgs/main`` and its URL are ``defaults``)."""
    a, b = channel_name(spec_channel), channel_name(record_channel)
    if a == b:
        return True
    if a == "defaults" and b in _DEFAULTS:
        return True
    try:
        ca = Channel.from_value(split_subdir(spec_channel)[0]).canonical_name
        cb = Channel.from_value(
            split_subdir(
                record_channel.rsplit("/", 1)[0]
                if record_channel.endswith((".conda", ".tar.bz2"))
                else record_channel
            )[0]
        ).canonical_name
    except ValueError:
        return False
    return ca == cb


# --- Channel objects (conda's ``conda.models.channel``, default configuration) --------------
#
# Adapted from conda/models/channel.py (BSD-3-Clause, conda @ 0f64223f) for conda's *default*
# configuration: ``channel_alias`` https://conda.anaconda.org, the ``defaults`` multichannel
# (pkgs/main, pkgs/r; pkgs/msys2 on Windows), no custom or migrated channels. mixguard reads no
# .condarc: a channel configured there is named as conda would name it without the file.

_UNKNOWN = "<unknown>"
_TOKEN = re.compile(r"/t/([a-zA-Z0-9-_]{0,2}[a-zA-Z0-9-]*)")
_HAS_SCHEME = re.compile(r"^[a-z][a-z0-9+.-]*://", re.IGNORECASE)
_REPO = "repo.anaconda.com"
_DEFAULT_NAMES = ("pkgs/main", "pkgs/r")


def _join(*parts: str | None) -> str:
    # conda's join_url: a leading "/" of the first part is kept (file:// locations)
    start = "/" if not parts[0] or parts[0].startswith("/") else ""
    return start + "/".join(p.strip("/") for p in parts if p and p.strip("/"))


@dataclass(frozen=True, slots=True)
class Channel:
    """A conda channel, parsed as conda parses one (``Channel.from_value``).

    >>> c = Channel.from_value("conda-forge/linux-64")
    >>> c.canonical_name, c.platform, c.base_url
    ('conda-forge', 'linux-64', 'https://conda.anaconda.org/conda-forge')
    >>> Channel.from_value("https://repo.anaconda.com/pkgs/main").canonical_name
    'defaults'
    """

    scheme: str | None = None
    auth: str | None = None
    location: str | None = None
    token: str | None = None
    name: str = ""
    platform: str | None = None
    package_filename: str | None = None

    @staticmethod
    def from_value(value: str | None) -> Channel:
        if value in (None, _UNKNOWN, "None:///<unknown>", "None"):
            return Channel(name=_UNKNOWN)
        text = str(value).strip()
        if _HAS_SCHEME.match(text):
            return _from_url(text)
        if text.startswith(("/", "./", "../", "~", "\\")) or (len(text) > 1 and text[1] == ":"):
            return _from_url(Path(text).expanduser().resolve().as_uri())
        if text.endswith((".conda", ".tar.bz2")):
            return _from_url(text)
        stripped, platform = split_subdir(text)
        if stripped == "defaults":
            return MultiChannel("defaults", _defaults(platform), platform)
        return _for_name(stripped, platform)

    @property
    def channel_location(self) -> str | None:
        return self.location

    @property
    def channel_name(self) -> str:
        return self.name

    @property
    def subdir(self) -> str | None:
        return self.platform

    @property
    def canonical_name(self) -> str:
        if self.name == _UNKNOWN:
            return _UNKNOWN
        if self.name in _DEFAULT_NAMES and self.location == _REPO:
            return "defaults"
        if self.name in _DEFAULT_NAMES or self.location == _ALIAS_LOCATION:
            return self.name
        if self.scheme:
            return f"{self.scheme}://{_join(self.location, self.name)}"
        return _join(self.location, self.name)

    @property
    def base_url(self) -> str | None:
        if self.name == _UNKNOWN:
            return None
        return f"{self.scheme}://{_join(self.location, self.name)}"

    @property
    def base_urls(self) -> tuple[str | None, ...]:
        return (self.base_url,)

    @property
    def channels(self) -> tuple[Channel, ...]:
        return (self,)

    def urls(
        self, with_credentials: bool = False, subdirs: Iterable[str] | None = None
    ) -> list[str]:
        if self.name == _UNKNOWN:
            return Channel.from_value("defaults").urls(with_credentials, subdirs)
        base = _join(
            self.location,
            *(("t", self.token) if with_credentials and self.token else ()),
            self.name,
        )
        if subdirs is not None:
            plats = list(subdirs)
        elif self.platform:
            plats = [self.platform] + (["noarch"] if self.platform != "noarch" else [])
        else:
            plats = [_HOST_SUBDIR, "noarch"]
        auth = f"{self.auth}@" if with_credentials and self.auth else ""
        return [f"{self.scheme}://{auth}{_join(base, p)}" for p in plats]

    def url(self, with_credentials: bool = False) -> str | None:
        if self.name == _UNKNOWN:
            return None
        parts = [self.location]
        if with_credentials and self.token:
            parts += ["t", self.token]
        parts.append(self.name)
        if self.platform:
            parts.append(self.platform)
            if self.package_filename:
                parts.append(self.package_filename)
        elif self.package_filename:
            parts.append(self.package_filename)  # notices.json: no subdir
        else:
            parts.append(_HOST_SUBDIR)
        auth = f"{self.auth}@" if with_credentials and self.auth else ""
        return f"{self.scheme}://{auth}{_join(*parts)}"

    def __str__(self) -> str:
        base = self.base_url or self.name
        return _join(base, self.platform) if self.platform else base

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Channel):
            try:
                other = Channel.from_value(str(other))
            except (ValueError, TypeError):
                return False
        return (self.location, self.name, self.platform) == (
            other.location,
            other.name,
            other.platform,
        )

    def __hash__(self) -> int:
        return hash((self.location, self.name, self.platform))

    def __bool__(self) -> bool:
        return bool(self.location or self.name)


@dataclass(frozen=True, slots=True, eq=False)
class MultiChannel(Channel):
    """A name standing for several channels (``defaults``)."""

    members: tuple[Channel, ...] = ()

    def __init__(self, name: str, members: Iterable[Channel] = (), platform: str | None = None):
        object.__setattr__(self, "scheme", None)
        object.__setattr__(self, "auth", None)
        object.__setattr__(self, "location", None)
        object.__setattr__(self, "token", None)
        object.__setattr__(self, "name", name)
        object.__setattr__(self, "platform", platform)
        object.__setattr__(self, "package_filename", None)
        object.__setattr__(self, "members", tuple(members))

    @property
    def canonical_name(self) -> str:
        return self.name

    @property
    def base_url(self) -> str | None:
        return None

    @property
    def base_urls(self) -> tuple[str | None, ...]:
        return tuple(c.base_url for c in self.members)

    @property
    def channels(self) -> tuple[Channel, ...]:
        return self.members

    def urls(
        self, with_credentials: bool = False, subdirs: Iterable[str] | None = None
    ) -> list[str]:
        return [u for c in self.members for u in c.urls(with_credentials, subdirs)]

    def url(self, with_credentials: bool = False) -> str | None:
        return None

    def __str__(self) -> str:
        return _join(self.name, self.platform) if self.platform else self.name

    def __eq__(self, other: object) -> bool:
        return Channel.__eq__(self, other)

    def __hash__(self) -> int:
        return Channel.__hash__(self)


_ALIAS_LOCATION = "conda.anaconda.org"
_HOST_SUBDIR = "linux-64"


def _defaults(platform: str | None) -> tuple[Channel, ...]:
    names = (*_DEFAULT_NAMES, "pkgs/msys2") if os.name == "nt" else _DEFAULT_NAMES
    return tuple(Channel("https", None, _REPO, None, n, platform) for n in names)


def _for_name(name: str, platform: str | None) -> Channel:
    for default in _DEFAULT_NAMES:
        if name == default or name.startswith(default + "/"):
            return Channel("https", None, _REPO, None, name, platform)
    return Channel("https", None, _ALIAS_LOCATION, None, name, platform)


_PLATFORM_IN_URL = re.compile(
    r"/({})(?:/|$)".format("|".join(re.escape(d) for d in sorted(KNOWN_SUBDIRS))), re.IGNORECASE
)
# conda.common.path.strip_pkg_extension: package files and repodata files
_FILE_EXTENSIONS = (".conda", ".tar.bz2", ".json", ".json.zst")


def _from_url(url: str) -> Channel:
    if url.startswith("file:"):
        url = url.replace("\\", "/")  # conda's win_path_backout
    token = None
    m = _TOKEN.search(url)
    if m:
        token = m.group(1)
        url = url[: m.start()] + url[m.end() :]
    # conda's split_platform: the first known subdir anywhere in the path is the platform
    platform = None
    pm = _PLATFORM_IN_URL.search(url)
    if pm:
        platform = pm.group(1)
        url = url.replace("/" + platform, "", 1).rstrip("/")
    package_filename = None
    if url.endswith(_FILE_EXTENSIONS) and "/" in url:
        url, package_filename = url.rsplit("/", 1)
        package_filename = unquote(package_filename)  # conda decodes %21 in file names
    parts = urlparse(url)
    scheme = parts.scheme or None
    auth = None
    if parts.username is not None:
        auth = parts.username + (f":{parts.password}" if parts.password is not None else "")
    host = parts.hostname
    netloc = (host or "") + (f":{parts.port}" if parts.port else "")
    path = unquote(parts.path or "").rstrip("/")
    if not path:
        return Channel(scheme, auth, netloc, token, "", platform, package_filename)
    test = _join(netloc, path)
    for default in _DEFAULT_NAMES:
        if test == _join(_REPO, default) or test.startswith(_join(_REPO, default) + "/"):
            return Channel(
                scheme, auth, _REPO, token, test[len(_REPO) + 1 :], platform, package_filename
            )
    if netloc == _ALIAS_LOCATION:
        return Channel(scheme, auth, netloc, token, path.strip("/"), platform, package_filename)
    if not host:  # a file:// URL: the last path element is the channel's name
        path = "/" + path.lstrip("/")
        location, _, name = path.rpartition("/")
        return Channel("file", None, location or "/", None, name, platform, package_filename)
    bump = ""
    segs = path.strip("/").split("/")
    if segs and segs[0] == "conda":  # Anaconda Enterprise's /conda prefix (conda does this)
        bump, path = "conda", "/".join(segs[1:])
    return Channel(
        scheme, auth, _join(netloc, bump), token, path.strip("/"), platform, package_filename
    )
