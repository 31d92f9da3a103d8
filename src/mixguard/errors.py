"""The exception hierarchy: one root, typed leaves, messages that quote input and place."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

__all__ = [
    "EnvironmentReadError",
    "InvalidMatchSpec",
    "InvalidRecord",
    "InvalidVersion",
    "InvalidVersionSpec",
    "MixguardError",
    "ParseError",
    "RepodataError",
    "total",
]


_MAX_QUOTED = 200


class MixguardError(Exception):
    """Root of every error mixguard raises on purpose."""


class ParseError(MixguardError, ValueError):
    """Input could not be parsed.

    ``value`` is the offending input, quoted in the message; ``where`` is the place it was
    found, e.g. ``conda-meta/numpy-1.21.6-py310h.json: depends[3]``.
    """

    def __init__(self, value: object, reason: str, where: str | None = None) -> None:
        self.value = value
        self.reason = reason
        self.where = where
        shown = repr(value)
        if len(shown) > _MAX_QUOTED:  # an input quoted, not a megabyte of it
            shown = f"{shown[:_MAX_QUOTED]}... ({len(shown)} characters)"
        if where and str(value) == where:
            message = f"{where}: {reason}"  # the place is the input (a file): say it once
        else:
            message = f"{where}: {shown}: {reason}" if where else f"{shown}: {reason}"
        super().__init__(message)

    def at(self, where: str) -> ParseError:
        """The same error, located at ``where`` (keeps an existing, more precise place)."""
        if self.where:
            where = f"{where}: {self.where}"
        return type(self)(self.value, self.reason, where)


class InvalidVersion(ParseError):
    """A conda version string that conda's ``VersionOrder`` rejects."""


class InvalidVersionSpec(ParseError):
    """A conda version spec (``>=1.2,<2|3.*``) that conda rejects."""


class InvalidMatchSpec(ParseError):
    """A conda MatchSpec string or mapping that conda rejects."""


class InvalidRecord(ParseError):
    """A conda package or prefix record with a missing or ill-typed field."""


class RepodataError(ParseError):
    """Malformed or truncated repodata; ``where`` is the file and JSON path."""


class EnvironmentReadError(ParseError):
    """An environment (prefix, environment.yml, lock file, explicit file) that cannot be read."""


_F = TypeVar("_F", bound=Callable[..., Any])


def total(what: str) -> Callable[[_F], _F]:
    """Make a reader total: whatever its first argument (the input) holds, it returns a
    result or raises a :class:`MixguardError` naming the input -- never another exception.
    A deeper, more precise typed error raised inside passes through unchanged; the cause of a
    converted one stays attached (``--debug`` shows it)."""

    def deco(fn: _F) -> _F:
        @functools.wraps(fn)
        def wrapper(source: Any, *args: Any, **kwargs: Any) -> Any:
            try:
                return fn(source, *args, **kwargs)
            except MixguardError:
                raise
            except RecursionError as exc:
                raise ParseError(
                    _name(source), f"{what}: nested too deeply to read", _name(source)
                ) from exc
            except OSError as exc:
                raise EnvironmentReadError(
                    _name(source), f"cannot read {what}: {exc.strerror or exc}", _name(source)
                ) from exc
            except (
                ValueError,
                TypeError,
                KeyError,
                IndexError,
                AttributeError,
                OverflowError,
            ) as exc:
                raise ParseError(
                    _name(source), f"unreadable {what}: {type(exc).__name__}: {exc}", _name(source)
                ) from exc

        return wrapper  # type: ignore[return-value]

    return deco


def _name(source: Any) -> str:
    if isinstance(source, (list, tuple)):
        return " ".join(str(x) for x in source)
    return str(source)
