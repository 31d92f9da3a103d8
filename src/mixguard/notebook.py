"""mixguard in Jupyter: ``%load_ext mixguard``.

- ``%mixguard pip install ...`` checks the install against the kernel's own environment (its
  ``sys.prefix``; mixguard's options before ``install`` choose another, as on the command
  line), shows the findings as a table in the notebook, and runs the environment's pip only when
  the check passes (or with ``--yes``); pip's output streams into the cell. Other pip commands
  pass through, as ``mixguard pip`` does.
- ``%mixguard guard on [OPTIONS]`` makes this kernel's ``%pip install`` and ``!pip install``
  lines go through ``%mixguard pip [OPTIONS] install`` (an IPython input transformer: the
  cell's text is rewritten before it runs); ``%mixguard guard off`` removes it; ``status``
  says which. Nothing is written anywhere.
- ``%mixguard check ...`` (any other command) runs the CLI in the kernel.

A :class:`~mixguard.report.Report` displayed in a notebook is the same table
(:func:`report_html`).
"""

from __future__ import annotations

import html
import re
import shlex
import subprocess
import sys
from typing import TYPE_CHECKING, Any

from ._secrets import redact_text

if TYPE_CHECKING:
    from .report import Report

__all__ = ["load_ipython_extension", "report_html", "unload_ipython_extension"]

_SEVERITY_COLOUR = {"error": "#c62828", "warning": "#ef6c00", "info": "#546e7a"}
_PIP_LINE = re.compile(r"^(\s*)[%!]pip(?:3)?\s+install\b")


def report_html(report: Report) -> str:
    """``report`` as HTML for a notebook: the verdict, the environment and its target facts,
    one row per finding (most severe package first) with its why and the help, what is
    unproven, and pip's changes (folded)."""

    def esc(text: object) -> str:
        return html.escape(redact_text(str(text)))

    worst = report.worst()
    if worst is None and (report.unproven or report.conflict):
        worst = "warning"  # unknown is never a pass: not green
    colour = _SEVERITY_COLOUR.get(worst or "", "#2e7d32")
    t = report.env.target
    facts = ", ".join(
        f"{f.name} {f.value if f.value is not None else 'none'} <i>({esc(f.source)})</i>"
        for f in t.facts
        if f.name != "__unix"
    )
    out = [
        '<div class="mixguard">',
        f'<p style="color:{colour};font-weight:bold">{esc(report.summary())}</p>',
        f"<p><b>environment</b> {esc(report.env.source)} ({esc(report.env.kind)})<br>"
        f"<b>target</b> {facts}<br>",
    ]
    if report.pip is not None:
        out.append(f"<b>indexes</b> {esc(', '.join(report.index_lines()))}<br>")
        files = ", ".join(report.pip.config_files) or "none"
        out.append(f"<b>pip configuration</b> {esc(files)}")
    out.append("</p>")
    if report.findings:
        out.append(
            "<table><thead><tr><th>severity</th><th>package</th><th>finding</th>"
            "<th>what happens</th><th>why</th><th>help</th></tr></thead><tbody>"
        )
        for package, group in report.by_package():
            for f in group:
                c = _SEVERITY_COLOUR[f.severity]
                out.append(
                    f'<tr><td style="color:{c};font-weight:bold">{f.severity}</td>'
                    f"<td>{esc(package)}</td><td><code>{esc(f.kind)}</code></td>"
                    f'<td style="text-align:left">{esc(f.message)}</td>'
                    f'<td style="text-align:left">{esc(" -> ".join(f.chain))}</td>'
                    f'<td style="text-align:left">{esc(f.remedies[0] if f.remedies else "")}</td>'
                    "</tr>"
                )
        out.append("</tbody></table>")
    if report.conflict:
        out.append(
            f"<p><b>pip would stop: ResolutionImpossible</b></p><pre>{esc(report.conflict)}</pre>"
        )
    if report.unproven:
        out.append('<p style="color:#ef6c00"><b>Unproven</b> (facts that could not be had)</p><ul>')
        out += [f"<li>{esc(u)}</li>" for u in report.unproven]
        out.append("</ul>")
    if report.plan is not None and report.plan.changes:
        out.append(
            f"<details><summary>What pip would change ({len(report.plan.changes)})</summary>"
            "<table><thead><tr><th>action</th><th>distribution</th><th>installed</th>"
            "<th>after</th><th>conda record</th></tr></thead><tbody>"
        )
        for ch in report.plan.changes:
            owner = ch.replaces.conda_record if ch.replaces is not None else None
            out.append(
                f"<tr><td>{ch.action}</td><td>{esc(ch.name)}</td>"
                f"<td>{esc(ch.replaces.version if ch.replaces is not None else '')}</td>"
                f"<td>{esc(ch.version)}</td><td>{esc(owner.label if owner else '')}</td></tr>"
            )
        out.append("</tbody></table></details>")
    out.append("</div>")
    return "\n".join(out)


def _stream(cmd: list[str]) -> int:
    """Run ``cmd`` with its output in the cell as it comes (a kernel's stdout is not a file
    descriptor a child can inherit)."""
    with subprocess.Popen(
        cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, bufsize=1
    ) as proc:
        assert proc.stdout is not None
        for line in proc.stdout:
            print(redact_text(line), end="")
    return proc.returncode


def _show(report: Report) -> None:
    from IPython.display import HTML, display

    # (IPython's display functions carry no annotations)
    display(HTML(report_html(report)))  # type: ignore[no-untyped-call]


def _pip_magic(words: list[str]) -> int:
    from .cli import EXIT_INPUT
    from .cli._shared import _UsageError
    from .cli.parser import build_parser, subparser
    from .cli.pip_runner import run_pip_command, split_pip_argv
    from .errors import MixguardError

    parser = build_parser()
    mine, theirs = split_pip_argv(subparser(parser, "pip"), words)
    try:
        args = parser.parse_args(["pip", *mine])
    except SystemExit as exc:  # argparse has printed its one line
        return int(exc.code or 0)
    args.pip_args = theirs
    sources = ("demo", "prefix", "python", "env_file", "lock", "explicit", "conda_list")
    if not any(getattr(args, k, None) for k in sources):
        args.prefix = sys.prefix  # the kernel's own environment, not the shell's
    try:
        return run_pip_command(args, show=_show, run=_stream)
    except (MixguardError, _UsageError) as exc:  # one line in the cell, as the CLI prints it
        print(f"mixguard: error: {redact_text(str(exc))}", file=sys.stderr)
        return EXIT_INPUT


class _Guard:
    """The kernel's ``%pip install`` / ``!pip install`` rewritten to ``%mixguard pip``."""

    def __init__(self, options: list[str]) -> None:
        self.options = options

    def __call__(self, lines: list[str]) -> list[str]:
        opts = " ".join(shlex.quote(o) for o in self.options)
        head = f"%mixguard pip {opts} install" if opts else "%mixguard pip install"
        return [_PIP_LINE.sub(lambda m: f"{m.group(1)}{head}", line) for line in lines]


def _guards(ip: Any) -> list[_Guard]:
    return [t for t in ip.input_transformers_cleanup if isinstance(t, _Guard)]


def _guard_magic(ip: Any, words: list[str]) -> int:
    """``guard on [MIXGUARD OPTIONS]``, ``guard off``, ``guard status`` for this kernel (the
    options are put before ``install`` in the rewritten lines: ``--prefix P``, ``--yes``)."""
    action, options = (words[0] if words else "status"), words[1:]
    active = _guards(ip)
    if action == "status":
        shown = f" ({' '.join(active[0].options)})" if active and active[0].options else ""
        print(f"mixguard: guard {'on' if active else 'off'} in this kernel{shown}")
        return 0
    if action not in ("on", "off"):
        print(f"mixguard: error: guard {action!r}: use on, off or status", file=sys.stderr)
        return 2
    for g in active:
        ip.input_transformers_cleanup.remove(g)
    if action == "on":
        ip.input_transformers_cleanup.append(_Guard(options))
        print(
            "mixguard: guard on in this kernel: %pip install and !pip install run the check first"
        )
    else:
        print("mixguard: guard off in this kernel")
    return 0


def load_ipython_extension(ipython: Any) -> None:
    """``%load_ext mixguard``: registers the ``%mixguard`` line magic."""

    def mixguard(line: str) -> None:
        words = shlex.split(line)
        if words[:1] == ["pip"]:
            _pip_magic(words[1:])
        elif words[:1] == ["guard"]:  # the kernel's guard (a prefix's: `!mixguard guard on`)
            _guard_magic(ipython, words[1:])
        else:
            from .cli import main

            main(words)

    ipython.register_magic_function(mixguard, magic_kind="line", magic_name="mixguard")


def unload_ipython_extension(ipython: Any) -> None:
    """``%unload_ext mixguard``: the guard goes with it."""
    for g in _guards(ipython):
        ipython.input_transformers_cleanup.remove(g)
