"""The one redaction point: credentials in URLs never reach any output.

Whatever mixguard prints or writes -- the text and JSON reports, remedies' commands, error
lines, progress lines, cache keys -- passes through :func:`redact_text` (or
:func:`redact_data` for structures): ``scheme://user:password@host`` becomes
``scheme://user:****@host`` and a token given as the user (``scheme://token@host``) becomes
``****@host``, as pip's ``redact_auth_from_url`` shows them.
"""

from __future__ import annotations

import re
from typing import Any

__all__ = ["RedactingStream", "redact_data", "redact_text"]

_AUTH = re.compile(r"(?P<scheme>\b[A-Za-z][A-Za-z0-9+.-]*://)(?P<auth>[^/@\s'\"<>]+)@")


def _mask(m: re.Match[str]) -> str:
    user, sep, _secret = m.group("auth").partition(":")
    return f"{m.group('scheme')}{user + ':****' if sep else '****'}@"


def redact_text(text: str) -> str:
    """``text`` with every URL's password or token masked.

    >>> redact_text("pip install x --index-url https://me:s3cret@host/simple")
    'pip install x --index-url https://me:****@host/simple'
    >>> redact_text("https://ghp_token@host/simple and file:///no/auth")
    'https://****@host/simple and file:///no/auth'
    """
    return _AUTH.sub(_mask, text) if "@" in text else text


def redact_data(data: Any) -> Any:
    """The same for every string inside a JSON-like structure."""
    if isinstance(data, str):
        return redact_text(data)
    if isinstance(data, dict):
        return {
            redact_text(str(k)) if isinstance(k, str) else k: redact_data(v)
            for k, v in data.items()
        }
    if isinstance(data, (list, tuple)):
        return [redact_data(v) for v in data]
    return data


class RedactingStream:
    """A text stream that redacts what is written to it (the CLI's stdout and stderr)."""

    def __init__(self, stream: Any) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        self._stream.write(redact_text(text))
        return len(text)

    def __getattr__(self, name: str) -> Any:
        return getattr(self._stream, name)
