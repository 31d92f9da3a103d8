"""The resolver's two kinds of objects, as pip's ``resolution/resolvelib/base.py``.

Identifiers follow pip: a project's canonical name, ``name[extra1,extra2]`` for extras, and
``<Python from Requires-Python>`` for the interpreter.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

from packaging.version import Version

if TYPE_CHECKING:
    from .factory import Factory

__all__ = ["REQUIRES_PYTHON", "Candidate", "Req", "format_name"]


REQUIRES_PYTHON = "<Python from Requires-Python>"


def format_name(project: str, extras: frozenset[str]) -> str:
    if not extras:
        return project
    return f"{project}[{','.join(sorted(extras))}]"


class Candidate:
    """A concrete (project, version) the resolver may pick.

    Equality is pip's (resolvelib's backjumping compares candidates and requirements):
    index files by URL, installed distributions by (name, version), extras by (base, extras).
    Incompatibilities are still tracked by ``id()``, as pip does."""

    name: str  # identifier
    project: str
    version: Version
    #: pip's ``ireq.comes_from``: who required it when it was made (None: not recorded)
    comes_from: str | None = None

    def iter_dependencies(self, factory: Factory, with_requires: bool) -> Iterator[Req]:
        return iter(())


class Req:
    """A requirement the resolver must satisfy."""

    name: str  # identifier
    project: str
    parent: Candidate | None = None
    text: str = ""

    def satisfied_by(self, candidate: Candidate) -> bool:
        raise NotImplementedError

    def format_for_error(self) -> str:
        return self.text
