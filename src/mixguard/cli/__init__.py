"""The ``mixguard`` command line.

argparse (stdlib) rather than click/typer: nothing to install, ~20 ms start-up, and ``--``
hands the rest of the line to pip's own option parser untouched, which is the point of
``mixguard check -- <pip install arguments>``. Heavy modules are imported inside the commands.

Exit codes (``docs/cli.md``):

0. the check passes (no finding at or above ``--fail-on``, nothing unknown); other commands
   succeeded;
1. findings at or above ``--fail-on`` (``snapshot``: metadata unknown or a requirement unmet);
2. usage or input error: one line on stderr, ``--debug`` shows the traceback;
3. pip could not resolve the request (``ResolutionImpossible``);
4. the facts could not be had (metadata, an index page or a RECORD unread: offline cache miss,
   unreachable index; configuration the check cannot honour): unknown never passes."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import NoReturn

from .._secrets import RedactingStream, redact_text
from ._shared import (
    EXIT_CONFLICT,
    EXIT_FINDINGS,
    EXIT_INPUT,
    EXIT_OK,
    EXIT_UNKNOWN,
    _Conflict,
    _UsageError,
)
from .commands import _COMMANDS, _inspect
from .parser import build_parser

__all__ = [
    "EXIT_CONFLICT",
    "EXIT_FINDINGS",
    "EXIT_INPUT",
    "EXIT_OK",
    "EXIT_UNKNOWN",
    "build_parser",
    "main",
    "run",
]


def main(argv: Sequence[str] | None = None) -> int:
    """The CLI; everything it prints goes through the one redaction point (no credential in
    any output, however it got into a message)."""
    out, err = sys.stdout, sys.stderr
    sys.stdout, sys.stderr = RedactingStream(out), RedactingStream(err)
    try:
        return _main(argv)
    finally:
        sys.stdout, sys.stderr = out, err


def run() -> NoReturn:
    """The ``mixguard`` command (and ``python -m mixguard``): :func:`main`, then an exit
    without the interpreter's teardown.

    Freeing a check's objects and every module one by one took ~50 ms of a ~400 ms warm
    check (an A/B of 15 rounds: median 477 -> 403 ms). Exit handlers still run (``atexit``:
    the demo index's extracted files, a coverage run's data) and both streams are flushed;
    while a thread that is not a daemon is alive, the exit is the usual one (it waits for
    that thread). :func:`main` stays an ordinary function for callers in process.
    """
    import atexit
    import contextlib
    import os
    import threading

    code = main()
    me = threading.current_thread()
    if any(t is not me and not t.daemon for t in threading.enumerate()):
        raise SystemExit(code)
    atexit._run_exitfuncs()  # what the usual exit runs first; the teardown after it is skipped
    for stream in (sys.stdout, sys.stderr):
        # a closed pipe (`mixguard ... | head`), a closed stream: nothing more can be said
        with contextlib.suppress(OSError, ValueError):
            stream.flush()
    os._exit(code)


def _main(argv: Sequence[str] | None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["pip"]:
        # mixguard's options, then pip's command line as typed (argparse would claim pip's
        # options: `pip -q list`, `pip install --help`)
        from .parser import subparser
        from .pip_runner import split_pip_argv

        mine, theirs = split_pip_argv(subparser(parser, "pip"), argv[1:])
        args = parser.parse_args(["pip", *mine])
        args.pip_args = theirs
    else:
        args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return EXIT_INPUT
    from ..errors import MixguardError

    try:
        return _COMMANDS.get(args.command, _inspect)(args)
    except _Conflict as exc:
        print(
            f"mixguard: pip cannot resolve the request:\n{redact_text(str(exc))}", file=sys.stderr
        )
        return EXIT_CONFLICT
    except (MixguardError, _UsageError) as exc:
        if getattr(args, "debug", False):  # (`hook` takes its options itself)
            raise
        message = redact_text(" ".join(str(exc).split("\n")))
        print(f"mixguard: error: {message}", file=sys.stderr)
        return EXIT_INPUT
    except BrokenPipeError:
        # output piped into `head`: stop quietly, as other Unix tools do
        import os

        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return EXIT_OK
