"""pip's own command line, parsed with the same meaning: ``pip install <these arguments>``.

pip 25.3's rules: its configuration first (:mod:`mixguard.resolve.configuration`, applied as
``ConfigOptionParser._update_defaults`` applies it), then the command line as optparse reads it
(abbreviated long options, clustered short ones), then the files: ``-c`` constraints, the
requirements, ``-e``, ``-r`` files (nested, their option lines applied last, ``${VAR}``
expanded, ``--hash`` per requirement). Every option is in pip's own table
(:mod:`mixguard.resolve._pip_options`): an option that would change the plan in a way mixguard
does not emulate raises :class:`UnsupportedPipOption` naming it (or, from configuration, is
reported as not honoured): never silence.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..errors import MixguardError, ParseError, total
from ..index.client import PYPI, IndexConfig
from ._pip_options import PipOption, by_name, match_long
from .configuration import ConfigItem, PipConfiguration

__all__ = [
    "PipCommandError",
    "PipRequest",
    "RootRequirement",
    "UnsupportedPipOption",
    "parse_pip_args",
    "wants_isolated",
]


class UnsupportedPipOption(ParseError):
    """A ``pip install`` option mixguard does not emulate (named in the message)."""


@dataclass(frozen=True, slots=True)
class RootRequirement:
    """One requirement as the user gave it, with where it came from (pip's ``comes_from``)."""

    text: str
    requirement: Requirement | None  # None for URLs/paths without a name
    constraint: bool = False
    editable: bool = False
    link: str | None = None  # a direct URL or local path
    where: str = "command line"
    comes_from: str | None = None  # pip's text for a file requirement: "-r FILE (line N)"
    hashes: tuple[str, ...] = ()  # "sha256:<hex>" from --hash options (hash-checking mode)

    @property
    def name(self) -> str | None:
        return canonicalize_name(self.requirement.name) if self.requirement else None


Strategy = Literal["only-if-needed", "eager", "to-satisfy-only"]


@dataclass(frozen=True, slots=True)
class PipRequest:
    """Everything ``pip install`` would be told, already parsed."""

    requirements: tuple[RootRequirement, ...] = ()
    #: ``(project, version)`` pins a constraints file would give (``project==version``); turned
    #: into constraints only for the projects the resolution meets (a conda prefix holds
    #: thousands: parsing each as a requirement up front costs seconds)
    held: tuple[tuple[str, str], ...] = ()
    index: IndexConfig = field(default_factory=IndexConfig)
    upgrade: bool = False
    upgrade_strategy: Strategy = "to-satisfy-only"
    force_reinstall: bool = False
    ignore_installed: bool = False
    no_deps: bool = False
    pre: bool = False
    only_binary: frozenset[str] = frozenset()  # canonical names, or ":all:"
    no_binary: frozenset[str] = frozenset()
    prefer_binary: bool = False
    no_build_isolation: bool = False
    ignore_requires_python: bool = False
    require_hashes: bool = False  # hash-checking mode (--require-hashes, or any --hash)
    break_system_packages: bool = False
    require_virtualenv: bool = False
    args: tuple[str, ...] = ()
    #: pip configuration applied ("FILE [section]: key = value" or "PIP_X: key = value")
    config_applied: tuple[str, ...] = ()
    #: configured options pip would act on that the check cannot honour (named, not dropped)
    config_not_honoured: tuple[str, ...] = ()
    config_files: tuple[str, ...] = ()  # pip configuration files read
    hints: tuple[str, ...] = ()  # one-line hints about the command line

    def allowed_hashes(self, name: str) -> frozenset[str] | None:
        """pip's ``Hashes`` for ``name``: the intersection over its root requirements and
        constraints that give any (None: no hashes given for it)."""
        key = canonicalize_name(name)
        found: frozenset[str] | None = None
        for r in self.requirements:
            if r.hashes and r.name == key:
                found = frozenset(r.hashes) if found is None else found & frozenset(r.hashes)
        return found

    @property
    def user_requirements(self) -> tuple[RootRequirement, ...]:
        return tuple(r for r in self.requirements if not r.constraint)

    @property
    def constraints(self) -> tuple[RootRequirement, ...]:
        return tuple(r for r in self.requirements if r.constraint)

    def allows_binary(self, name: str) -> bool:
        key = canonicalize_name(name)
        return not (
            key in self.no_binary or (":all:" in self.no_binary and key not in self.only_binary)
        )

    def allows_source(self, name: str) -> bool:
        key = canonicalize_name(name)
        return not (
            key in self.only_binary or (":all:" in self.only_binary and key not in self.no_binary)
        )


@dataclass
class _State:
    """Option values by pip's ``dest``: pip's defaults, then configuration, then the command
    line, then the options inside requirement files (read last, as pip reads them)."""

    values: dict[str, object] = field(default_factory=dict)
    only_binary: set[str] = field(default_factory=set)
    no_binary: set[str] = field(default_factory=set)
    positional: list[str] = field(default_factory=list)
    reqs: list[RootRequirement] = field(default_factory=list)
    constraints: list[RootRequirement] = field(default_factory=list)
    editables: list[RootRequirement] = field(default_factory=list)
    files: list[RootRequirement] = field(default_factory=list)
    shown: dict[Path, str] = field(default_factory=dict)  # file -> the name pip shows for it
    applied: list[str] = field(default_factory=list)  # configuration items applied
    not_honoured: list[str] = field(default_factory=list)
    environ: Mapping[str, str] = field(default_factory=dict)

    def flag(self, dest: str) -> bool:
        return bool(self.values.get(dest))

    def listed(self, dest: str) -> list[str]:
        value = self.values.get(dest)
        return list(value) if isinstance(value, list) else []


def _format_control(value: str, target: set[str], other: set[str], where: str) -> None:
    """pip's ``FormatControl.handle_mutual_excludes``."""
    if value.startswith("-"):
        raise ParseError(value, "--no-binary / --only-binary option requires 1 argument.", where)
    new = value.split(",")
    while ":all:" in new:
        other.clear()
        target.clear()
        target.add(":all:")
        del new[: new.index(":all:") + 1]
        if ":none:" not in new:  # :all: covers every name that follows
            return
    for name in new:
        if name == ":none:":
            target.clear()
            continue
        key = canonicalize_name(name)
        other.discard(key)
        target.add(key)


def _format_option(state: _State, opt: PipOption, value: str, where: str) -> None:
    """``--no-binary`` / ``--only-binary`` (pip's callbacks): each excludes the other."""
    if opt.name == "--no-binary":
        _format_control(value, state.no_binary, state.only_binary, where)
    else:
        _format_control(value, state.only_binary, state.no_binary, where)


def _strtobool(value: str) -> bool:
    """pip's ``strtobool``."""
    low = value.lower()
    if low in ("y", "yes", "t", "true", "on", "1"):
        return True
    if low in ("n", "no", "f", "false", "off", "0"):
        return False
    raise ValueError(value)


def _apply_config(state: _State, item: ConfigItem) -> None:
    """pip's ``ConfigOptionParser._update_defaults`` for one item: the value *replaces* the
    option's default (lists included); format controls accumulate, as pip's callbacks do."""
    opt = by_name(f"--{item.key}")
    if opt is None:
        return  # pip ignores options the install command does not have (e.g. [global] ones)
    shown = f"{item.source}: {item.key} = {_redact(item.value)}"
    value: object
    if opt.action in ("store_true", "store_false"):
        try:
            value = _strtobool(item.value)
        except ValueError:
            raise ParseError(
                item.value,
                f"{item.value} is not a valid value for {item.key} option, please specify a "
                "boolean value like yes/no, true/false or 1/0 instead. (pip stops here too)",
                item.source,
            ) from None
    elif opt.action == "count":
        try:
            value = int(_strtobool(item.value))
        except ValueError:
            try:
                value = int(item.value)
            except ValueError:
                value = -1
        if not isinstance(value, int) or value < 0:
            raise ParseError(
                item.value, f"not a valid value for {item.key} (pip stops)", item.source
            )
    elif opt.action == "append":
        value = item.value.split()
    elif opt.action == "callback":
        if opt.dest == "format_control":
            _format_option(state, opt, item.value, item.source)
        value = item.value
    else:
        value = item.value
        if opt.dest == "upgrade_strategy" and value not in ("only-if-needed", "eager"):
            raise ParseError(
                value, "invalid choice for upgrade-strategy (pip stops here too)", item.source
            )
    if opt.role == "refused":
        # pip would act on it; the check cannot: say so, never drop it silently (a boolean set
        # to false is the default, and changes nothing)
        if value is not False:
            state.not_honoured.append(f"{shown} ({opt.why})")
        return
    state.values[opt.dest] = value
    if opt.role == "plan":
        state.applied.append(shown)


def _redact(value: str) -> str:
    from .._secrets import redact_text

    return redact_text(value)


def _is_link(text: str) -> bool:
    return (
        "://" in text.split(" ", 1)[0]
        or text.startswith((".", "/", "~"))
        or text.endswith((".whl", ".tar.gz", ".zip", ".tar.bz2"))
        or (Path(text).exists() and not re.match(r"^[A-Za-z0-9][A-Za-z0-9._-]*$", text))
    )


def _root(
    text: str, where: str, base: Path, constraint: bool = False, editable: bool = False
) -> RootRequirement:
    text = text.strip()
    if editable or _is_link(text):
        # "name @ url" is PEP 508; a bare URL/path has no name until built
        if " @ " in text:
            try:
                req = Requirement(text)
            except InvalidRequirement as exc:
                raise ParseError(text, f"invalid requirement: {exc}", where) from None
            return RootRequirement(text, req, constraint, editable, req.url, where)
        link = text
        if "://" not in link:
            link = str((base / os.path.expanduser(link)).resolve())  # ~unknown: as written
        name = _egg_name(text)
        return RootRequirement(
            text, Requirement(name) if name else None, constraint, editable, link, where
        )
    try:
        req = Requirement(text)
    except InvalidRequirement as exc:
        raise ParseError(text, f"invalid requirement: {exc}", where) from None
    return RootRequirement(text, req, constraint, editable, req.url, where)


def _egg_name(text: str) -> str | None:
    m = re.search(r"[#&]egg=([A-Za-z0-9._-]+)", text)
    if m:
        return m.group(1)
    fn = text.rstrip("/").rsplit("/", 1)[-1]
    if fn.endswith(".whl"):
        return fn.split("-", 1)[0]
    for ext in (".tar.gz", ".zip", ".tar.bz2"):
        if fn.endswith(ext):
            return fn[: -len(ext)].rsplit("-", 1)[0]
    return None


def _tokens(
    tokens: Sequence[str], where: str, positional: list[str] | None
) -> Iterator[tuple[PipOption, str, str | None]]:
    """optparse's walk over ``tokens``: (option, as written, value). Long options may be
    abbreviated to any unique prefix, short ones clustered (``-Uq``, ``-rreq.txt``); with
    ``positional`` None (a requirements-file line) arguments are an error."""
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "--" and positional is not None:
            positional.extend(tokens[i + 1 :])
            return
        if token.startswith("--"):
            name, eq, value = token.partition("=")
            matches = match_long(name)
            if not matches:
                raise UnsupportedPipOption(name, "no such option (pip: 'no such option')", where)
            if len(matches) > 1:
                raise ParseError(name, f"ambiguous option: could be {', '.join(matches)}", where)
            opt = by_name(matches[0])
            assert opt is not None
            if opt.takes_value and not eq:
                i += 1
                if i >= len(tokens):
                    raise ParseError(name, f"{name} option requires 1 argument", where)
                value = tokens[i]
            elif not opt.takes_value and eq:
                raise ParseError(token, f"{name} option does not take a value", where)
            yield opt, name, value if opt.takes_value else None
        elif token.startswith("-") and token != "-":
            j = 1
            while j < len(token):
                short = f"-{token[j]}"
                opt = by_name(short)
                if opt is None:
                    raise UnsupportedPipOption(
                        short, "no such option (pip: 'no such option')", where
                    )
                if opt.takes_value:
                    value = token[j + 1 :]
                    if not value:
                        i += 1
                        if i >= len(tokens):
                            raise ParseError(short, f"{short} option requires 1 argument", where)
                        value = tokens[i]
                    yield opt, short, value
                    break
                yield opt, short, None
                j += 1
        elif positional is None:
            raise ParseError(token, "not an option (a requirement goes on its own line)", where)
        else:
            positional.append(token)
        i += 1


def _apply_command_line(state: _State, opt: PipOption, written: str, value: str | None) -> None:
    if opt.role == "refused":
        raise UnsupportedPipOption(written, opt.why, "command line")
    if opt.action == "store_true":
        state.values[opt.dest] = True
    elif opt.action == "store_false":
        state.values[opt.dest] = False
    elif opt.action == "count":
        state.values[opt.dest] = int(state.values.get(opt.dest, 0) or 0) + 1  # type: ignore[call-overload]
    elif opt.action == "append":
        assert value is not None
        # optparse appends to the list configuration set: configuration first, then these
        state.values[opt.dest] = [*state.listed(opt.dest), value]
    elif opt.action == "store":
        assert value is not None
        if opt.dest == "upgrade_strategy" and value not in ("only-if-needed", "eager"):
            raise ParseError(
                value,
                "invalid choice for --upgrade-strategy (choose from 'eager', 'only-if-needed')",
                "command line",
            )
        state.values[opt.dest] = value
    elif opt.dest == "format_control":
        assert value is not None
        _format_option(state, opt, value, "command line")


# what pip 25.3 accepts on a requirements-file line of its own (req_file.SUPPORTED_OPTIONS)
_FILE_OPTIONS = frozenset(
    {
        "index_url",
        "extra_index_urls",
        "no_index",
        "constraints",
        "requirements",
        "editables",
        "find_links",
        "format_control",
        "prefer_binary",
        "require_hashes",
        "pre",
        "trusted_hosts",
        "features_enabled",
    }
)
_STRONG_HASHES = ("sha256", "sha384", "sha512")  # pip's STRONG_HASHES
_ENV_VAR = re.compile(r"(?P<var>\$\{(?P<name>[A-Z0-9_]+)\})")  # pip's req_file.ENV_VAR_RE


def _apply_file_option(
    state: _State,
    opt: PipOption,
    value: str | None,
    where: str,
    path: Path,
    stack: tuple[Path, ...],
) -> None:
    """pip's ``handle_option_line``: what a requirements file's option line changes."""
    if opt.dest not in _FILE_OPTIONS:
        raise UnsupportedPipOption(
            opt.name, "not an option pip accepts in a requirements file", where
        )
    if opt.dest == "features_enabled":
        raise UnsupportedPipOption(opt.name, opt.why, where)
    base = path.parent
    if opt.dest in ("requirements", "constraints"):
        assert value is not None
        # pip shows a nested file as its path joined to the including file's directory
        parent = state.shown.get(stack[-1]) if stack else None
        shown = os.path.join(os.path.dirname(parent), value) if parent else value
        _read_file(
            state,
            _file_location(base, value, where),
            constraint=opt.dest == "constraints",
            stack=stack,
            where=where,
            shown=shown,
        )
    elif opt.dest == "editables":
        assert value is not None
        state.editables.append(_root(value, where, base, editable=True))
    elif opt.dest == "index_url":
        state.values["index_url"] = value
    elif opt.dest == "extra_index_urls":
        assert value is not None
        state.values["extra_index_urls"] = [*state.listed("extra_index_urls"), value]
    elif opt.dest == "find_links":
        assert value is not None
        # pip: relative to the requirements file when that path exists there
        local = base / os.path.expanduser(value)
        found = str(local.resolve()) if "://" not in value and local.exists() else value
        state.values["find_links"] = [*state.listed("find_links"), found]
    elif opt.dest == "format_control":
        assert value is not None
        _format_option(state, opt, value, where)
    elif opt.dest != "trusted_hosts":  # no_index, prefer_binary, require_hashes, pre
        state.values[opt.dest] = True


def _logical_lines(text: str, environ: Mapping[str, str]) -> list[tuple[int, str]]:
    """pip's ``preprocess``: join continuation lines, drop comments (a ``#`` at line start or
    after whitespace), expand ``${VAR}`` (upper case, digits, ``_``; unset or empty: kept)."""
    logical: list[tuple[int, str]] = []
    buf, start = "", 0
    for n, line in enumerate(text.splitlines(), 1):
        if not buf:
            start = n
        if line.endswith("\\"):
            buf += line[:-1]  # pip join_lines: only the backslash goes
            continue
        buf += line
        logical.append((start, buf))
        buf = ""
    if buf:
        logical.append((start, buf))
    out = []
    for n, line in logical:
        line = re.sub(r"(^|\s+)#.*$", "", line).strip()
        if not line:
            continue
        for var, name in _ENV_VAR.findall(line):
            value = environ.get(name)
            if value:
                line = line.replace(var, value)
        out.append((n, line))
    return out


def _hashes(options: str, where: str) -> tuple[str, ...]:
    """The ``--hash`` options of a requirement line (pip's SUPPORTED_OPTIONS_REQ)."""
    tokens = shlex.split(options)
    found: list[str] = []
    i = 0
    while i < len(tokens):
        token = tokens[i]
        name, eq, value = token.partition("=")
        if name in ("--config-settings", "-C"):
            i += 1 if eq else 2
            continue
        if name != "--hash":
            raise UnsupportedPipOption(name, "not an option pip accepts after a requirement", where)
        if not eq:
            i += 1
            if i >= len(tokens):
                raise ParseError(name, "--hash option requires 1 argument", where)
            value = tokens[i]
        algo, sep, digest = value.partition(":")
        if not sep or algo not in _STRONG_HASHES:
            raise ParseError(
                value,
                "Arguments to --hash must be a hash name followed by a value, like "
                "--hash=sha256:abcde... Allowed hash algorithms for --hash are sha256, "
                "sha384, sha512.",
                where,
            )
        found.append(f"{algo}:{digest.lower()}")
        i += 1
    return tuple(found)


def _file_location(base: Path, value: str, where: str) -> Path:
    """A requirements or constraints file: a path (relative to ``base``) or a ``file:`` URL,
    as pip's ``get_file_content`` reads them; pip also fetches http(s) URLs, which the check
    does not (said, never silently skipped)."""
    from urllib.parse import unquote, urlsplit

    scheme = value.split(":", 1)[0].lower() if "://" in value else ""
    if scheme == "file":
        return Path(unquote(urlsplit(value).path))
    if scheme:
        from .._secrets import redact_text

        raise UnsupportedPipOption(
            redact_text(value),
            "a requirements file given as a URL: pip fetches it, mixguard does not; "
            "download it and give the path",
            where,
        )
    return base / value


def _read_file(
    state: _State, path: Path, *, constraint: bool, stack: tuple[Path, ...], where: str, shown: str
) -> None:
    path = path.resolve()
    state.shown[path] = shown
    if path in stack:
        raise ParseError(str(path), "requirements file includes itself", where)
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ParseError(
            str(path), f"cannot read requirements file: {exc.strerror or exc}", where
        ) from None
    for n, line in _logical_lines(text, state.environ):
        here = f"{path.name}:{n}"
        if line.startswith("-"):
            try:
                tokens = shlex.split(line)
            except ValueError as exc:
                raise ParseError(line, f"cannot split the line: {exc}", here) from None
            for opt, _written, value in _tokens(tokens, here, None):
                _apply_file_option(state, opt, value, here, path, (*stack, path))
            continue
        req_text, sep, options = line.partition(" --")
        req_text = re.split(r"\s+-C\b", req_text, maxsplit=1)[0]
        hashes = _hashes(f"--{options}", here) if sep else ()
        root = _root(req_text, here, path.parent, constraint=constraint)
        # pip's comes_from for a file requirement, used in its conflict messages
        root = replace(
            root, comes_from=f"{'-c' if constraint else '-r'} {shown} (line {n})", hashes=hashes
        )
        (state.constraints if constraint else state.files).append(root)


class PipCommandError(MixguardError):
    """pip refuses the command line itself (pip's words, as pip prints them)."""


def wants_isolated(args: Sequence[str]) -> bool:
    """pip's own test (``"--isolated" in args``): configuration is then read isolated."""
    return "--isolated" in args


@total("pip arguments")
def parse_pip_args(
    args: Sequence[str],
    cwd: str | Path = ".",
    *,
    config: PipConfiguration | None = None,
    environ: Mapping[str, str] | None = None,
) -> PipRequest:
    """Parse ``pip install`` arguments (everything after ``pip install``) with pip's rules.

    ``config`` is pip's configuration (:meth:`PipConfiguration.load`; None: none), applied
    before the command line as pip applies it; ``environ`` expands ``${VAR}`` in requirement
    files (default ``os.environ``). An option that would change the plan in a way mixguard does
    not emulate raises :class:`UnsupportedPipOption`; pip's own usage errors raise
    :class:`PipCommandError` with pip's words.

    >>> r = parse_pip_args(["-U", "numpy>=2", "--upgrade-strategy", "eager"])
    >>> [x.text for x in r.requirements], r.upgrade, r.upgrade_strategy
    (['numpy>=2'], True, 'eager')
    """
    base = Path(cwd)
    state = _State(environ=os.environ if environ is None else environ)
    for item in config.items if config is not None else ():
        _apply_config(state, item)
    for opt, written, value in _tokens(list(args), "command line", state.positional):
        _apply_command_line(state, opt, written, value)
    # pip builds its finder from the options, then reads the files (whose options come last)
    for value in state.listed("constraints"):
        path = _file_location(base, value, "-c")
        _read_file(state, path, constraint=True, stack=(), where="-c", shown=value)
    state.reqs.extend(_root(t, "command line", base) for t in state.positional)
    state.editables[:0] = [
        _root(v, "command line", base, editable=True) for v in state.listed("editables")
    ]
    for value in state.listed("requirements"):
        path = _file_location(base, value, "-r")
        _read_file(state, path, constraint=False, stack=(), where="-r", shown=value)
    find_links = [
        v if "://" in v else str((base / os.path.expanduser(v)).resolve())
        for v in state.listed("find_links")
    ]
    if not (state.positional or state.listed("editables") or state.listed("requirements")):
        # pip's install.py, word for word
        if find_links:
            raise PipCommandError(
                "You must give at least one requirement to install (maybe you meant "
                f'"pip install {" ".join(_redact(f) for f in state.listed("find_links"))}"?)'
            )
        raise PipCommandError(
            'You must give at least one requirement to install (see "pip help install")'
        )
    hints: list[str] = []
    if state.positional[:1] == ["install"]:
        hints.append(
            "`install` is read as a requirement, as pip reads `pip install install ...`: "
            "give only what follows `pip install`"
        )
    upgrade = state.flag("upgrade")
    strategy: Strategy = "to-satisfy-only"
    if upgrade:
        chosen = state.values.get("upgrade_strategy") or "only-if-needed"
        strategy = "eager" if chosen == "eager" else "only-if-needed"
    index = IndexConfig(
        index_url=str(state.values.get("index_url") or PYPI),
        extra_index_urls=tuple(state.listed("extra_index_urls")),
        find_links=tuple(find_links),
        no_index=state.flag("no_index"),
    )
    # pip's order: constraints, command-line requirements, editables, requirement files
    ordered = (*state.constraints, *state.reqs, *state.editables, *state.files)
    return PipRequest(
        requirements=ordered,
        index=index,
        upgrade=upgrade,
        upgrade_strategy=strategy,
        force_reinstall=state.flag("force_reinstall"),
        ignore_installed=state.flag("ignore_installed"),
        no_deps=state.flag("ignore_dependencies"),
        pre=state.flag("pre"),
        only_binary=frozenset(state.only_binary),
        no_binary=frozenset(state.no_binary),
        prefer_binary=state.flag("prefer_binary"),
        no_build_isolation=state.values.get("build_isolation", True) is False,
        ignore_requires_python=state.flag("ignore_requires_python"),
        require_hashes=state.flag("require_hashes") or any(r.hashes for r in ordered),
        break_system_packages=state.flag("override_externally_managed"),
        require_virtualenv=state.flag("require_venv"),
        args=tuple(args),
        config_applied=tuple(state.applied),
        config_not_honoured=tuple(state.not_honoured),
        config_files=config.files if config is not None else (),
        hints=tuple(hints),
    )


def with_index(request: PipRequest, index: IndexConfig) -> PipRequest:
    """The same request against another index (tests and snapshots)."""
    return replace(request, index=index)
