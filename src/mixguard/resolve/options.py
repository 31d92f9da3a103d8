"""pip's own command line, parsed with the same meaning: ``pip install <these arguments>``.

Requirement strings, ``-r`` files (nested, with options inside), ``-c`` constraints,
``-e``/paths/URLs, index options, upgrade options, ``--pre`` and format controls. An option
mixguard does not emulate raises :class:`UnsupportedPipOption` naming it: never silence.
"""

from __future__ import annotations

import os
import re
import shlex
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Literal

from packaging.requirements import InvalidRequirement, Requirement
from packaging.utils import canonicalize_name

from ..errors import ParseError
from ..index.client import PYPI, IndexConfig

__all__ = ["PipRequest", "RootRequirement", "UnsupportedPipOption", "parse_pip_args"]


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

    @property
    def name(self) -> str | None:
        return canonicalize_name(self.requirement.name) if self.requirement else None


Strategy = Literal["only-if-needed", "eager", "to-satisfy-only"]


@dataclass(frozen=True, slots=True)
class PipRequest:
    """Everything ``pip install`` would be told, already parsed."""

    requirements: tuple[RootRequirement, ...] = ()
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
    args: tuple[str, ...] = ()

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


# Options that take a value, and options that do not; everything pip install accepts that
# does not change what is resolved is accepted and ignored (listed in _IGNORED*).
_VALUE = {
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--upgrade-strategy",
    "--only-binary",
    "--no-binary",
}
_FLAGS = {
    "-U",
    "--upgrade",
    "--force-reinstall",
    "-I",
    "--ignore-installed",
    "--no-deps",
    "--pre",
    "--prefer-binary",
    "--no-build-isolation",
    "--no-index",
    "--ignore-requires-python",
}
_IGNORED_FLAGS = {
    "-q",
    "--quiet",
    "-v",
    "--verbose",
    "--dry-run",
    "--no-color",
    "--disable-pip-version-check",
    "--no-cache-dir",
    "--no-input",
    "--isolated",
    "--no-warn-script-location",
    "--no-warn-conflicts",
    "--progress-bar=off",
    "--require-virtualenv",
    "--no-compile",
    "--compile",
    "--use-pep517",
    "--no-use-pep517",
    "--check-build-dependencies",
    "--exists-action=i",
    "--root-user-action=ignore",
}
_IGNORED_VALUE = {
    "--report",
    "--cache-dir",
    "--timeout",
    "--retries",
    "--log",
    "--progress-bar",
    "--root-user-action",
    "--exists-action",
    "--trusted-host",
    "--cert",
    "--client-cert",
    "--proxy",
    "--keyring-provider",
    "--src",
    "--global-option",
    "--config-settings",
    "-C",
}
_UNSUPPORTED = {
    "--user": "installs into the user site, not the environment being checked",
    "--target": "installs into another directory, not the environment being checked",
    "-t": "installs into another directory, not the environment being checked",
    "--prefix": "installs into another prefix",
    "--root": "installs under another root",
    "--python-version": "changes the target interpreter: give mixguard the environment instead",
    "--platform": "changes the target platform: give mixguard the environment instead",
    "--abi": "changes the target ABI: give mixguard the environment instead",
    "--implementation": "changes the target interpreter: give mixguard the environment instead",
    "--require-hashes": "hash-checking mode is not emulated",
    "--hash": "hash-checking mode is not emulated",
    "--use-feature": "pip feature flags are not emulated",
    "--use-deprecated": "pip's deprecated behaviours are not emulated",
    "--group": "dependency groups are not emulated",
    "--no-clean": "not emulated",
}
_REQ_FILE_OPTIONS = {
    "-r",
    "--requirement",
    "-c",
    "--constraint",
    "-e",
    "--editable",
    "-i",
    "--index-url",
    "--extra-index-url",
    "-f",
    "--find-links",
    "--no-index",
    "--pre",
    "--prefer-binary",
    "--only-binary",
    "--no-binary",
    "--trusted-host",
    "--use-feature",
    "--hash",
    "--config-settings",
    "--global-option",
}


_FILE_ONLY_VALUE = ("--trusted-host", "--config-settings", "--global-option")


@dataclass
class _State:
    reqs: list[RootRequirement] = field(default_factory=list)
    constraints: list[RootRequirement] = field(default_factory=list)
    editables: list[RootRequirement] = field(default_factory=list)
    files: list[RootRequirement] = field(default_factory=list)
    index_url: str | None = None
    extra: list[str] = field(default_factory=list)
    find_links: list[str] = field(default_factory=list)
    no_index: bool = False
    flags: dict[str, object] = field(default_factory=dict)
    only_binary: set[str] = field(default_factory=set)
    no_binary: set[str] = field(default_factory=set)
    shown: dict[Path, str] = field(default_factory=dict)  # file -> the name pip shows for it


def _format_control(value: str, target: set[str], other: set[str]) -> None:
    # pip's handle_mutual_excludes: ':all:' / ':none:' / names; a name leaves the other set
    for item in value.split(","):
        item = item.strip()
        if item == ":all:":
            target.clear()
            other.clear()
            target.add(":all:")
        elif item == ":none:":
            target.clear()
        elif item:
            key = canonicalize_name(item)
            other.discard(key)
            target.add(key)


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
            link = str((base / Path(link).expanduser()).resolve())
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


def _split_option(token: str) -> tuple[str, str | None]:
    if token.startswith("--") and "=" in token:
        opt, _, value = token.partition("=")
        return opt, value
    if (
        token.startswith("-")
        and not token.startswith("--")
        and len(token) > 2
        and token[:2]
        in (
            "-r",
            "-c",
            "-e",
            "-i",
            "-f",
        )
    ):
        return token[:2], token[2:]
    return token, None


def _apply(
    state: _State, opt: str, value: str | None, where: str, base: Path, stack: tuple[Path, ...]
) -> None:
    if opt in ("-r", "--requirement", "-c", "--constraint"):
        assert value is not None
        # pip shows a nested file as its path joined to the including file's directory
        parent = state.shown.get(stack[-1]) if stack else None
        shown = os.path.join(os.path.dirname(parent), value) if parent else value
        _read_file(
            state,
            base / value,
            constraint=opt in ("-c", "--constraint"),
            stack=stack,
            where=where,
            shown=shown,
        )
    elif opt in ("-e", "--editable"):
        assert value is not None
        state.editables.append(_root(value, where, base, editable=True))
    elif opt in ("-i", "--index-url"):
        state.index_url = value
    elif opt == "--extra-index-url":
        assert value is not None
        state.extra.append(value)
    elif opt in ("-f", "--find-links"):
        assert value is not None
        state.find_links.append(value if "://" in value else str((base / value).resolve()))
    elif opt == "--no-index":
        state.no_index = True
    elif opt == "--upgrade-strategy":
        if value not in ("only-if-needed", "eager"):
            raise ParseError(value, "--upgrade-strategy must be only-if-needed or eager", where)
        state.flags["strategy"] = value
    elif opt == "--only-binary":
        assert value is not None
        _format_control(value, state.only_binary, state.no_binary)
    elif opt == "--no-binary":
        assert value is not None
        _format_control(value, state.no_binary, state.only_binary)
    elif opt in ("-U", "--upgrade"):
        state.flags["upgrade"] = True
    elif opt in ("-I", "--ignore-installed"):
        state.flags["ignore_installed"] = True
    else:
        state.flags[opt.lstrip("-").replace("-", "_")] = True


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
    # pip: join continuation lines, drop comments (a '#' after whitespace or at line start)
    logical: list[tuple[int, str]] = []
    buf, start = "", 0
    for n, line in enumerate(text.splitlines(), 1):
        if not buf:
            start = n
        stripped = re.sub(r"(^|\s+)#.*$", "", line)
        if stripped.endswith("\\"):
            buf += stripped[:-1]  # pip join_lines: only the backslash goes
            continue
        buf += stripped
        if buf.strip():
            logical.append((start, buf.strip()))
        buf = ""
    if buf.strip():
        logical.append((start, buf.strip()))
    for n, line in logical:
        here = f"{path.name}:{n}"
        if line.startswith("-"):
            tokens = shlex.split(line)
            i = 0
            while i < len(tokens):
                opt, value = _split_option(tokens[i])
                if opt not in _REQ_FILE_OPTIONS and opt not in _FLAGS:
                    raise UnsupportedPipOption(
                        opt, "not an option pip accepts in a requirements file", here
                    )
                if opt in ("--hash", "--use-feature"):
                    raise UnsupportedPipOption(opt, _UNSUPPORTED[opt], here)
                takes_value = opt in _VALUE or opt in _FILE_ONLY_VALUE
                if takes_value and value is None:
                    i += 1
                    if i >= len(tokens):
                        raise ParseError(opt, "option needs a value", here)
                    value = tokens[i]
                if opt not in _FILE_ONLY_VALUE:  # accepted, and nothing to resolve differently
                    _apply(state, opt, value, here, path.parent, (*stack, path))
                i += 1
            continue
        req_text = re.split(r"\s+--", line, maxsplit=1)[0]  # per-requirement options
        if " --hash" in line:
            raise UnsupportedPipOption("--hash", _UNSUPPORTED["--hash"], here)
        root = _root(req_text, here, path.parent, constraint=constraint)
        # pip's comes_from for a file requirement, used in its conflict messages
        root = replace(root, comes_from=f"{'-c' if constraint else '-r'} {shown} (line {n})")
        (state.constraints if constraint else state.files).append(root)


def parse_pip_args(args: Sequence[str], cwd: str | Path = ".") -> PipRequest:
    """Parse ``pip install`` arguments (everything after ``pip install``).

    >>> r = parse_pip_args(["-U", "numpy>=2", "--upgrade-strategy", "eager"])
    >>> [x.text for x in r.requirements], r.upgrade, r.upgrade_strategy
    (['numpy>=2'], True, 'eager')
    """
    base = Path(cwd)
    state = _State()
    tokens = list(args)
    if tokens and tokens[0] == "install":
        tokens = tokens[1:]
    i = 0
    while i < len(tokens):
        token = tokens[i]
        if token == "--":
            state.reqs.extend(_root(t, "command line", base) for t in tokens[i + 1 :])
            break
        if token.startswith("-") and token != "-":
            opt, value = _split_option(token)
            if opt in _UNSUPPORTED:
                raise UnsupportedPipOption(opt, _UNSUPPORTED[opt], "command line")
            if opt in _IGNORED_FLAGS or token in _IGNORED_FLAGS:
                i += 1
                continue
            if opt in _IGNORED_VALUE:
                i += 1 if value is not None else 2
                continue
            if opt not in _VALUE and opt not in _FLAGS:
                raise UnsupportedPipOption(
                    opt, "not a pip install option mixguard knows", "command line"
                )
            if opt in _VALUE and value is None:
                i += 1
                if i >= len(tokens):
                    raise ParseError(opt, "option needs a value", "command line")
                value = tokens[i]
            _apply(state, opt, value, "command line", base, ())
        else:
            state.reqs.append(_root(token, "command line", base))
        i += 1
    upgrade = bool(state.flags.get("upgrade"))
    strategy: Strategy = "to-satisfy-only"
    if upgrade:
        strategy = state.flags.get("strategy", "only-if-needed")  # type: ignore[assignment]
    index = IndexConfig(
        index_url=state.index_url or PYPI,
        extra_index_urls=tuple(state.extra),
        find_links=tuple(state.find_links),
        no_index=state.no_index,
    )
    # pip's order: constraints, command-line requirements, editables, requirement files
    ordered = (*state.constraints, *state.reqs, *state.editables, *state.files)
    return PipRequest(
        requirements=ordered,
        index=index,
        upgrade=upgrade,
        upgrade_strategy=strategy,
        force_reinstall=bool(state.flags.get("force_reinstall")),
        ignore_installed=bool(state.flags.get("ignore_installed")),
        no_deps=bool(state.flags.get("no_deps")),
        pre=bool(state.flags.get("pre")),
        only_binary=frozenset(state.only_binary),
        no_binary=frozenset(state.no_binary),
        prefer_binary=bool(state.flags.get("prefer_binary")),
        no_build_isolation=bool(state.flags.get("no_build_isolation")),
        ignore_requires_python=bool(state.flags.get("ignore_requires_python")),
        args=tuple(args),
    )


def with_index(request: PipRequest, index: IndexConfig) -> PipRequest:
    """The same request against another index (tests and snapshots)."""
    return replace(request, index=index)
