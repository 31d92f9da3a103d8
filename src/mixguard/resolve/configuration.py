"""pip's configuration, read as the environment's pip reads it (pip 25.3 ``configuration.py``
and ``cli/parser.py``).

Files, in pip's order: *global* (``$XDG_CONFIG_DIRS/pip/pip.conf`` -- default
``/etc/xdg/pip/pip.conf`` -- then ``/etc/pip.conf``), *user* (``~/.pip/pip.conf``, then
``$XDG_CONFIG_HOME/pip/pip.conf``; skipped when ``PIP_CONFIG_FILE`` names an existing file, or
in ``--isolated`` mode), *site* (``<prefix>/pip.conf``: the environment's own), then
``PIP_CONFIG_FILE``; ``PIP_CONFIG_FILE=os.devnull`` disables every file. Then the ``PIP_*``
variables (not in ``--isolated`` mode). pip applies the values section by section --
``[global]`` of every file, then ``[install]`` of every file, then the variables -- each
replacing what an earlier one set for the same option, and the command line comes last.

:class:`PipConfiguration` holds the items in that order with where each came from; turning
them into option values is :mod:`mixguard.resolve.options`' job.
"""

from __future__ import annotations

import configparser
import locale
import os
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from ..errors import ParseError

__all__ = ["ConfigItem", "PipConfiguration", "config_files"]

_IGNORED_VARS = ("version", "help")  # pip's ENV_NAMES_IGNORED


@dataclass(frozen=True, slots=True)
class ConfigItem:
    """One configured option: ``key`` as pip normalises it (``index-url``)."""

    section: str  # "global", "install" or ":env:"
    key: str
    value: str
    source: str  # "/etc/pip.conf [global]" or "PIP_INDEX_URL"


def _normalize(name: str) -> str:
    return name.lower().replace("_", "-").removeprefix("--")


def config_files(
    *,
    site_prefix: str | Path | None,
    environ: Mapping[str, str],
    platform: str = sys.platform,
    isolated: bool = False,
) -> list[tuple[str, list[str]]]:
    """``Configuration.iter_config_files``: (kind, files) for ``global``, ``user``, ``site``,
    ``env``, as the pip of an environment at ``site_prefix`` looks for them."""
    home = environ.get("HOME") or os.path.expanduser("~")
    basename = "pip.ini" if platform == "win32" else "pip.conf"
    if platform == "darwin":
        global_dirs = ["/Library/Application Support/pip"]
        data = os.path.join(home, "Library", "Application Support", "pip")
        user_dir = data if os.path.isdir(data) else os.path.join(home, ".config", "pip")
    elif platform == "win32":
        global_dirs = [os.path.join(environ.get("ALLUSERSPROFILE", r"C:\ProgramData"), "pip")]
        user_dir = os.path.join(
            environ.get("APPDATA", os.path.join(home, "AppData", "Roaming")), "pip"
        )
    else:
        # platformdirs' site_config_dir(multipath=True) then pip adds /etc
        dirs = environ.get("XDG_CONFIG_DIRS", "").strip() or "/etc/xdg"
        global_dirs = [os.path.join(d.rstrip(os.sep), "pip") for d in dirs.split(os.pathsep)]
        global_dirs.append("/etc")
        xdg_home = environ.get("XDG_CONFIG_HOME", "").strip() or os.path.join(home, ".config")
        user_dir = os.path.join(xdg_home, "pip")
    legacy = os.path.join(home, "pip" if platform == "win32" else ".pip", basename)
    env_file = environ.get("PIP_CONFIG_FILE")
    out: list[tuple[str, list[str]]] = [
        ("global", [os.path.join(d, basename) for d in global_dirs])
    ]
    if not isolated and not (env_file and os.path.exists(env_file)):
        out.append(("user", [legacy, os.path.join(user_dir, basename)]))
    out.append(("site", [os.path.join(str(site_prefix), basename)] if site_prefix else []))
    out.append(("env", [env_file] if env_file is not None else []))
    return out


@dataclass(frozen=True, slots=True)
class PipConfiguration:
    """pip's configuration items in the order pip applies them, and where they came from."""

    items: tuple[ConfigItem, ...] = ()
    files: tuple[str, ...] = ()  # files that exist and were read
    isolated: bool = False

    @classmethod
    def empty(cls) -> PipConfiguration:
        """No configuration at all (``PIP_CONFIG_FILE=/dev/null`` and no ``PIP_*``)."""
        return cls()

    @classmethod
    def load(
        cls,
        *,
        site_prefix: str | Path | None = None,
        environ: Mapping[str, str] | None = None,
        isolated: bool = False,
        command: str = "install",
        platform: str = sys.platform,
    ) -> PipConfiguration:
        """Read the configuration pip would read for ``pip <command>`` in the environment at
        ``site_prefix`` (None: no site file, e.g. an environment that does not exist yet).

        A file pip cannot parse is a :class:`~mixguard.errors.ParseError` naming it (pip stops
        there too).
        """
        env = os.environ if environ is None else environ
        kinds = config_files(
            site_prefix=site_prefix, environ=env, platform=platform, isolated=isolated
        )
        per_file: dict[str, dict[str, dict[str, str]]] = {}  # file -> section -> key -> value
        read: list[str] = []
        if dict(kinds)["env"][0:1] != [os.devnull]:
            for _kind, names in kinds:
                for name in names:
                    sections = _read_file(name)
                    if sections is None:
                        continue
                    read.append(name)
                    # a file listed twice keeps its first place and its last values (pip's dict)
                    merged = per_file.setdefault(name, {})
                    for section, values in sections.items():
                        merged.setdefault(section, {}).update(values)
        variables: dict[str, tuple[str, str]] = {}  # key -> (value, the variable's name)
        if not isolated:
            for var, value in env.items():
                if var.startswith("PIP_") and var[4:].lower() not in _IGNORED_VARS:
                    variables[_normalize(var[4:])] = (value, var)
        items: list[ConfigItem] = []
        for section in ("global", command):
            for name, sections in per_file.items():
                for key, value in sections.get(section, {}).items():
                    if value:  # pip ignores empty values
                        items.append(ConfigItem(section, key, value, f"{name} [{section}]"))
        for key, (value, var) in variables.items():
            if value:
                items.append(ConfigItem(":env:", key, value, var))
        return cls(tuple(items), tuple(dict.fromkeys(read)), isolated)


def _read_file(name: str) -> dict[str, dict[str, str]] | None:
    if not os.path.exists(name):
        return None
    parser = configparser.RawConfigParser()
    try:
        parser.read(name, encoding=locale.getpreferredencoding(False))
    except UnicodeDecodeError:
        raise ParseError(
            name, "pip cannot decode this configuration file (pip stops here too)", name
        ) from None
    except configparser.Error as exc:
        reason = str(exc).splitlines()[0]
        raise ParseError(
            name, f"pip cannot parse this configuration file: {reason}", name
        ) from None
    except OSError as exc:
        raise ParseError(name, f"cannot read: {exc.strerror or exc}", name) from None
    return {
        section: {_normalize(k): v for k, v in parser.items(section)}
        for section in parser.sections()
    }
