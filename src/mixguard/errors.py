"""The exception hierarchy: one root, typed leaves, messages that quote input and place."""

from __future__ import annotations

__all__ = [
    "EnvironmentReadError",
    "InvalidMatchSpec",
    "InvalidRecord",
    "InvalidVersion",
    "InvalidVersionSpec",
    "MixguardError",
    "ParseError",
    "RepodataError",
]


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
        if where and str(value) == where:
            message = f"{where}: {reason}"  # the place is the input (a file): say it once
        else:
            message = f"{where}: {value!r}: {reason}" if where else f"{value!r}: {reason}"
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
