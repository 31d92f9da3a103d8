"""``conda-meta/history``: what conda was asked to do, and what it linked and unlinked."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field

__all__ = ["HistoryEntry", "parse_history"]

_HEADER = re.compile(r"^==>\s*(.+?)\s*<==\s*$")
_SPECS = re.compile(r"^#\s*(\w+) specs:\s*(.*)$")


@dataclass(frozen=True, slots=True)
class HistoryEntry:
    date: str
    cmd: str | None = None
    conda_version: str | None = None
    linked: tuple[str, ...] = ()  # "channel::name-version-build"
    unlinked: tuple[str, ...] = ()
    specs: tuple[tuple[str, tuple[str, ...]], ...] = ()  # (action, specs), e.g. ("update", (...))

    def requested(self) -> tuple[str, ...]:
        """Specs the user asked for in this revision (install/update/create)."""
        return tuple(s for action, specs in self.specs if action != "remove" for s in specs)


def _spec_list(text: str) -> tuple[str, ...]:
    text = text.strip()
    if text.startswith("["):
        try:
            value = ast.literal_eval(text)
        except (ValueError, SyntaxError):
            value = None
        if isinstance(value, list):
            return tuple(str(v) for v in value)
    return tuple(s.strip() for s in text.split(",") if s.strip())


@dataclass
class _Building:
    date: str
    cmd: str | None = None
    conda_version: str | None = None
    linked: list[str] = field(default_factory=list)
    unlinked: list[str] = field(default_factory=list)
    specs: list[tuple[str, tuple[str, ...]]] = field(default_factory=list)

    def done(self) -> HistoryEntry:
        return HistoryEntry(
            self.date,
            self.cmd,
            self.conda_version,
            tuple(self.linked),
            tuple(self.unlinked),
            tuple(self.specs),
        )


def parse_history(text: str) -> tuple[HistoryEntry, ...]:
    """Parse a history file; unknown comment lines are ignored, as conda does."""
    entries: list[HistoryEntry] = []
    cur: _Building | None = None
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        m = _HEADER.match(line)
        if m:
            if cur is not None:
                entries.append(cur.done())
            cur = _Building(m.group(1))
            continue
        if cur is None:
            continue
        if line.startswith("# cmd:"):
            cur.cmd = line[len("# cmd:") :].strip()
        elif line.startswith("# conda version:"):
            cur.conda_version = line[len("# conda version:") :].strip()
        elif (m := _SPECS.match(line)) is not None:
            cur.specs.append((m.group(1), _spec_list(m.group(2))))
        elif line.startswith("+"):
            cur.linked.append(line[1:])
        elif line.startswith("-"):
            cur.unlinked.append(line[1:])
    if cur is not None:
        entries.append(cur.done())
    return tuple(entries)
