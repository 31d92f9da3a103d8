"""The report drawn for a person at a terminal, with rich.

Same content as :meth:`~mixguard.report.Report.to_text` (which stays the stable plain form for
scripts), laid out to be read: a header naming the environment, the target facts and where each
came from, the indexes and the pip configuration; the verdict; pip's changes as a table; the
findings grouped per affected package, most severe first, wrapped to the terminal; what is
unproven; the remedies. Colour and the progress display are for a person watching: both are off
when the stream is not a terminal, colour also under ``NO_COLOR`` (no-color.org) and ``CI``,
the progress display also under ``CI`` and ``TERM=dumb``.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import IO, TYPE_CHECKING

from ._secrets import redact_text

if TYPE_CHECKING:
    from rich.console import Console
    from rich.status import Status

    from .report import Report

__all__ = ["StatusProgress", "console", "progress_on", "render", "shows_progress"]

_STYLE = {"error": "bold red", "warning": "yellow", "info": "dim"}
_MARK = {"error": "✗", "warning": "!", "info": "i", None: "✓"}


def _colour_off(environ: Mapping[str, str]) -> bool:
    return "NO_COLOR" in environ or bool(environ.get("CI"))


def shows_progress(stream: IO[str], environ: Mapping[str, str] | None = None) -> bool:
    """Whether a progress display belongs on ``stream``: a terminal, not CI, not dumb."""
    env = os.environ if environ is None else environ
    return stream.isatty() and not env.get("CI") and env.get("TERM", "") != "dumb"


def console(
    stream: IO[str],
    *,
    width: int | None = None,
    record: bool = False,
    environ: Mapping[str, str] | None = None,
) -> Console:
    """A rich console on ``stream``: colour only for a terminal, and not under ``NO_COLOR`` or
    ``CI``; ``width`` default the terminal's (100 when it is not one)."""
    from rich.console import Console

    env = os.environ if environ is None else environ
    tty = stream.isatty()
    colour = tty and not _colour_off(env)
    return Console(
        file=stream,
        width=width if width is not None else (None if tty else 100),
        color_system="auto" if colour else None,
        no_color=not colour,
        force_terminal=record or None,  # a recording (a screenshot) draws as a terminal would
        highlight=False,
        emoji=False,
        markup=False,
        record=record,
        legacy_windows=False,
    )


class StatusProgress:
    """:class:`~mixguard.progress.Progress` drawn as rich's one-line status (a spinner and
    the stage, with the count of distributions pinned so far)."""

    def __init__(self, status: Status) -> None:
        self._status = status
        self._stage = ""
        self._pinned = 0

    def stage(self, text: str) -> None:
        self._stage = redact_text(text)
        self._pinned = 0
        self._show(self._stage)

    def pinned(self, name: str, version: str) -> None:
        self._pinned += 1
        self._show(f"{self._stage}: {self._pinned} pinned ({name} {version})")

    def _show(self, text: str) -> None:
        from rich.text import Text

        # one line, whatever the width: a status that wraps redraws badly
        self._status.update(Text(text, no_wrap=True, overflow="ellipsis"))


@contextmanager
def progress_on(stream: IO[str]) -> Iterator[StatusProgress | None]:
    """A progress display on ``stream`` while the block runs, or None where none belongs."""
    if not shows_progress(stream):
        yield None
        return
    con = console(stream)
    with con.status("starting", spinner="dots") as status:
        yield StatusProgress(status)


def render(report: Report, con: Console) -> None:
    """Draw ``report`` on ``con``."""
    from rich.padding import Padding
    from rich.table import Table
    from rich.text import Text

    from .report import severity_counts

    def indented(text: Text, by: int) -> None:
        con.print(Padding(text, (0, 0, 0, by)))  # wrapped lines keep the indent

    con.print(_header(report))
    if report.plan is not None and report.plan.refusals:
        con.print(Text("pip would stop with an error (nothing installed)", style="bold red"))
    if report.conflict:
        con.print(Text("pip would stop: ResolutionImpossible", style="bold red"))
        con.print(Text(redact_text(report.conflict)), style="red")

    if report.plan is not None and report.plan.changes:
        table = Table(
            title="What pip would change",
            title_justify="left",
            caption="* a package conda installed: conda's record goes stale",
            caption_justify="left",
            box=None,
            pad_edge=False,
            show_edge=False,
            header_style="bold",
        )
        for column in ("", "action", "distribution", "installed", "after", "conda record"):
            table.add_column(column, overflow="fold")
        for c in report.plan.changes:
            owner = c.replaces.conda_record if c.replaces is not None else None
            style = "yellow" if owner is not None else ("dim" if c.action == "unchanged" else "")
            table.add_row(
                "*" if owner is not None else "",
                c.action,
                c.name,
                c.replaces.version if c.replaces is not None else "",
                c.version,
                owner.label if owner is not None else "",
                style=style,
            )
        con.print()
        con.print(table)

    for package, group in report.by_package():
        worst_here = group[0].severity
        con.print()
        con.print(
            Text(
                f"{worst_here.upper()}  {package}  ({severity_counts(group)})",
                style=_STYLE[worst_here],
            )
        )
        for f in group:
            line = Text(f.kind, style=_STYLE[f.severity])
            line.append(f" {f.subject}: {redact_text(f.message)}")
            indented(line, 2)
            if len(f.chain) > 1:
                indented(Text(f"why: {' -> '.join(f.chain)}", style="dim"), 6)
            for r in f.remedies[:1]:
                indented(Text(f"help: {redact_text(r)}", style="cyan"), 6)

    if report.unproven:
        con.print()
        con.print(
            Text("? Unproven: the answer rests on facts that could not be had", style="bold yellow")
        )
        for u in report.unproven:
            indented(Text(redact_text(u), style="yellow"), 2)

    notes = [*(report.plan.notes if report.plan is not None else ()), *report.notes]
    if notes:
        con.print()
        con.print(Text("Notes", style="bold"))
        for n in notes:
            indented(Text(redact_text(n)), 2)

    remedies = [r for r in report.remedies if r.summary]
    if remedies:
        con.print()
        con.print(Text("Remedies", style="bold"))
        for r in remedies:
            ok = {True: "works", False: "does not work", None: "unknown"}[r.ok]
            style = {True: "green", False: "red", None: "yellow"}[r.ok]
            line = Text(f"{r.kind} ")
            line.append(f"({ok})", style=style)
            line.append(f": {redact_text(r.summary)}")
            indented(line, 2)
            if r.command:
                indented(Text(redact_text(r.command), style="cyan"), 6)

    # the verdict last, where the eye lands when the command returns
    worst = report.worst()
    if worst is None and (report.unproven or report.conflict):
        verdict = Text("? ", style="bold yellow")  # unknown is never a pass: not a tick
    else:
        verdict = Text(f"{_MARK[worst]} ", style=_STYLE.get(worst or "", "bold green"))
    verdict.append(report.summary(), style="bold")
    con.print()
    con.print(verdict)


def _header(report: Report) -> object:
    from rich.table import Table
    from rich.text import Text

    env, t = report.env, report.env.target
    grid = Table.grid(padding=(0, 2))
    grid.add_column(style="bold", no_wrap=True)
    grid.add_column(overflow="fold")
    grid.add_row(
        "environment",
        f"{redact_text(env.source)} ({env.kind}: {len(env.records)} conda records, "
        f"{len(env.distributions)} Python distributions)",
    )
    facts = Text()
    for i, fact in enumerate(f for f in t.facts if f.name != "__unix"):
        if i:
            facts.append("\n")
        value = fact.value if fact.value is not None else "none"
        style = "yellow" if (fact.assumed or fact.unknown) else ""
        facts.append(f"{fact.name} {value}", style=style or "bold")
        facts.append(f"  {fact.source}", style=style or "dim")
    grid.add_row("target", facts)
    assumed = report.assumed_distributions()
    if assumed:
        grid.add_row(
            "assumed",
            Text(
                f"requirements of {len(assumed)} conda package(s) taken from their PyPI release "
                f"(conda-forge may patch them): {', '.join(assumed[:8])}"
                + (f" and {len(assumed) - 8} more" if len(assumed) > 8 else ""),
                style="yellow",
            ),
        )
    if env.solved:
        grid.add_row(
            "solved",
            f"{len(env.solved)} conda record(s) picked by the solver (py-rattler), not read "
            "from the source",
        )
    if report.request:
        grid.add_row("request", redact_text(f"pip install {' '.join(report.request)}"))
    if report.pip is not None:
        grid.add_row("indexes", redact_text("\n".join(report.index_lines())))
        config = Text()
        files = report.pip.config_files
        config.append(", ".join(files) if files else "no configuration files")
        for x in report.pip.config_applied:
            config.append(f"\napplied: {redact_text(x)}")
        for x in report.pip.config_not_honoured:
            config.append(
                f"\nNOT HONOURED: {redact_text(x)}: the check may differ from pip", style="red"
            )
        grid.add_row("pip config", config)
        for h in report.pip.hints:
            grid.add_row("hint", Text(redact_text(h), style="cyan"))
    return grid
