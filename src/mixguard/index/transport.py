"""HTTP and file access behind a small Protocol, with bounded reads and retries.

Tests use the real :class:`HttpTransport` against servers on 127.0.0.1; code that only needs
"something that answers GETs" depends on :class:`Transport`.
"""

from __future__ import annotations

import random
import re
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Protocol
from urllib.parse import urlsplit, urlunsplit

from .._paths import local_path
from ..errors import MixguardError

__all__ = [
    "FetchError",
    "HttpTransport",
    "Response",
    "RetryPolicy",
    "TooLarge",
    "Transport",
    "redact_url",
]

_NETLOC_AUTH = re.compile(r"^(?P<user>[^:@/]*)(?::[^@/]*)?@")


def redact_url(url: str) -> str:
    """Hide a password (or a token given as user) in a URL, as pip does.

    >>> redact_url("https://user:s3cret@example.org/simple/")
    'https://user:****@example.org/simple/'
    >>> redact_url("https://__token__@example.org/simple/")
    'https://****@example.org/simple/'
    """
    try:
        parts = urlsplit(url)
    except ValueError:  # not a URL (a bad IPv6 host): hide anything that looks like a userinfo
        from .._secrets import redact_text

        return redact_text(url)
    if "@" not in parts.netloc:
        return url
    auth, _, host = parts.netloc.rpartition("@")
    user, sep, _password = auth.partition(":")
    shown = f"{user}:****" if sep else "****"
    return urlunsplit(parts._replace(netloc=f"{shown}@{host}"))


class FetchError(MixguardError):
    """A fetch that failed for good (after retries): status, timeout, connection, size."""

    def __init__(self, url: str, reason: str, status: int | None = None) -> None:
        self.url = redact_url(url)
        self.reason = reason
        self.status = status
        super().__init__(f"{self.url}: {reason}")


class TooLarge(FetchError):
    """The body exceeded the read bound."""


@dataclass(frozen=True, slots=True)
class Response:
    url: str  # after redirects
    status: int
    headers: Mapping[str, str]  # lower-case names
    content: bytes

    def header(self, name: str) -> str | None:
        return self.headers.get(name.lower())


class Transport(Protocol):
    """Something that answers GET requests. ``max_bytes`` bounds the body."""

    def get(
        self, url: str, *, headers: Mapping[str, str] | None = None, max_bytes: int | None = None
    ) -> Response: ...


@dataclass(frozen=True, slots=True)
class RetryPolicy:
    """Retries on 5xx, timeouts and connection errors, with exponential backoff and jitter."""

    attempts: int = 4
    backoff: float = 0.25  # seconds before the first retry; doubles each time
    max_backoff: float = 4.0

    def delay(self, attempt: int) -> float:
        base: float = min(self.max_backoff, self.backoff * (2**attempt))
        return base * (0.5 + random.random() / 2)


def _file_get(url: str, max_bytes: int | None, headers: Mapping[str, str] | None) -> Response:
    path = local_path(url)
    assert path is not None
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise FetchError(url, "is a directory", 404)
        rng = (headers or {}).get("Range") or (headers or {}).get("range")
        with path.open("rb") as fh:
            if rng:
                start, end = _parse_range(rng, size)
                fh.seek(start)
                data = fh.read(end - start + 1)
                return Response(
                    url,
                    206,
                    {
                        "content-range": f"bytes {start}-{end}/{size}",
                        "content-length": str(len(data)),
                    },
                    data,
                )
            if max_bytes is not None and size > max_bytes:
                raise TooLarge(url, f"larger than {max_bytes} bytes")
            data = fh.read()
    except FileNotFoundError:
        raise FetchError(url, "no such file", 404) from None
    except OSError as exc:
        raise FetchError(url, f"cannot read: {exc.strerror or exc}") from None
    return Response(url, 200, {"content-length": str(len(data))}, data)


def _parse_range(value: str, size: int) -> tuple[int, int]:
    m = re.fullmatch(r"bytes=(\d*)-(\d*)", value.strip())
    if not m:
        return 0, size - 1
    a, b = m.groups()
    if not a:  # suffix range
        n = int(b)
        return max(0, size - n), size - 1
    return int(a), min(size - 1, int(b)) if b else size - 1


def _env_seconds(name: str, default: float) -> float:
    import os

    try:
        value = float(os.environ.get(name, default))
    except ValueError:
        return default
    return value if value > 0 else default


class _Final(FetchError):
    """A failure another attempt would repeat (a redirect loop, an undecodable body)."""


class _Unreachable(FetchError):
    """The host could not be connected to (no such name, refused)."""


@dataclass
class HttpTransport:
    """httpx-backed transport: pooled connections, strict timeouts, bounded bodies, retries.
    Also serves ``file://`` URLs (pip's file indexes).

    HTTP/1.1 by default, as pip speaks: with ``http2`` (and ``h2`` installed) every request
    to a host shares one connection, whose frames httpcore's synchronous client reads under
    one lock in pure Python. The warming threads then wait on each other: a cold check
    measured 7.2 s over HTTP/2 against 5.9 s over 32 HTTP/1.1 connections."""

    timeout: float = 30.0  # per read (httpx)
    #: the whole fetch, retries included: a server trickling bytes cannot hold a check longer
    #: (``MIXGUARD_FETCH_DEADLINE`` seconds, default 60)
    deadline: float = field(default_factory=lambda: _env_seconds("MIXGUARD_FETCH_DEADLINE", 60.0))
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    user_agent: str = "mixguard"
    http2: bool = False  # see above
    _client: object | None = field(default=None, repr=False)
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    #: hosts that could not be connected to after every retry: not tried again this run (a
    #: file source can name hundreds of packages on one unreachable channel)
    _unreachable: dict[str, str] = field(default_factory=dict, repr=False)

    def _http(self) -> object:
        with self._lock:
            if self._client is None:
                import httpx

                try:
                    import h2  # noqa: F401

                    http2 = self.http2
                except ImportError:
                    http2 = False
                self._client = httpx.Client(
                    http2=http2,
                    timeout=httpx.Timeout(self.timeout),
                    follow_redirects=True,
                    headers={"User-Agent": self.user_agent},
                    limits=httpx.Limits(max_connections=32, max_keepalive_connections=32),
                    trust_env=True,
                )
            return self._client

    def close(self) -> None:
        if self._client is not None:
            self._client.close()  # type: ignore[attr-defined]
            self._client = None

    def get(
        self, url: str, *, headers: Mapping[str, str] | None = None, max_bytes: int | None = None
    ) -> Response:
        if url.startswith("file:"):
            return _file_get(url, max_bytes, headers)
        try:
            host = urlsplit(url).netloc
        except ValueError:
            raise _Final(url, "not a valid URL") from None
        if host in self._unreachable:
            raise FetchError(url, self._unreachable[host])
        last: FetchError | None = None
        give_up = time.monotonic() + self.deadline
        for attempt in range(self.retry.attempts):
            try:
                resp = self._once(url, headers, max_bytes, give_up)
            except FetchError as exc:
                if isinstance(exc, (TooLarge, _Final)) or (
                    exc.status is not None and exc.status < 500
                ):
                    raise
                last = exc
            else:
                if resp.status < 500:
                    return resp
                last = FetchError(url, f"HTTP {resp.status}", resp.status)
            if attempt + 1 < self.retry.attempts:
                pause = self.retry.delay(attempt)
                if time.monotonic() + pause >= give_up:
                    break  # the retry budget lives inside the deadline
                time.sleep(pause)
        assert last is not None
        reason = f"{last.reason} (after {self.retry.attempts} attempts)"
        if isinstance(last, _Unreachable):
            self._unreachable[host] = f"{host} could not be reached earlier in this run: {reason}"
        raise FetchError(last.url, reason, last.status)

    def _once(
        self,
        url: str,
        headers: Mapping[str, str] | None,
        max_bytes: int | None,
        give_up: float | None = None,
    ) -> Response:
        import httpx

        client = self._http()
        try:
            with client.stream("GET", url, headers=dict(headers or {})) as r:  # type: ignore[attr-defined]
                length = r.headers.get("content-length")
                if (
                    max_bytes is not None
                    and length
                    and length.isdigit()
                    and int(length) > max_bytes
                ):
                    raise TooLarge(
                        url,
                        f"{length} bytes is more than the {max_bytes}-byte bound",
                        r.status_code,
                    )
                chunks: list[bytes] = []
                total = 0
                for chunk in r.iter_bytes():
                    if give_up is not None and time.monotonic() > give_up:
                        raise FetchError(url, f"no complete answer within {self.deadline:g} s")
                    total += len(chunk)
                    if max_bytes is not None and total > max_bytes:
                        raise TooLarge(url, f"more than the {max_bytes}-byte bound", r.status_code)
                    chunks.append(chunk)
                return Response(
                    str(r.url),
                    r.status_code,
                    {k.lower(): v for k, v in r.headers.items()},
                    b"".join(chunks),
                )
        except httpx.TimeoutException:
            raise FetchError(url, f"timed out after {self.timeout:g} s") from None
        except httpx.ConnectError as exc:
            raise _Unreachable(url, f"connection failed: {type(exc).__name__}: {exc}") from None
        except httpx.TransportError as exc:
            raise FetchError(url, f"connection failed: {type(exc).__name__}: {exc}") from None
        except httpx.TooManyRedirects:
            raise _Final(url, "too many redirects (a redirect loop)") from None
        except (httpx.HTTPError, httpx.InvalidURL) as exc:
            # DecodingError (a body its Content-Encoding cannot decode), and the rest
            raise _Final(url, f"{type(exc).__name__}: {exc}") from None
