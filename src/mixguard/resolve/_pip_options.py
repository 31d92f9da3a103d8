"""``pip install``'s options as pip 25.3's own parser declares them, and what each does here.

Dumped from ``create_command("install").parser`` of pip 25.3 (``tools/dump_pip_options.py``):
long and short names, ``dest``, optparse action and whether it takes a value. The role is
mixguard's: ``plan`` options are emulated; ``inert`` ones cannot change what pip installs
(output, network, caching, build-only settings); ``refused`` ones change the plan in a way
the check does not emulate, and are refused by name (on the command line) or named as not
honoured (from configuration).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

__all__ = ["OPTIONS", "PipOption", "by_name"]

Action = Literal["store", "store_true", "store_false", "append", "count", "callback", "help"]
Role = Literal["plan", "inert", "refused"]


@dataclass(frozen=True, slots=True)
class PipOption:
    names: tuple[str, ...]  # long names first, as optparse lists them
    dest: str
    action: Action
    takes_value: bool
    role: Role
    why: str = ""  # for refused options: what the option changes

    @property
    def name(self) -> str:
        return self.names[0]


def _o(
    names: str, dest: str, action: Action, takes_value: bool, role: Role, why: str = ""
) -> PipOption:
    return PipOption(tuple(names.split()), dest, action, takes_value, role, why)


_TARGET = "changes the target interpreter: give mixguard the environment instead"
_ELSEWHERE = "installs somewhere else than the environment being checked"

OPTIONS: tuple[PipOption, ...] = (
    _o("--requirement -r", "requirements", "append", True, "plan"),
    _o("--constraint -c", "constraints", "append", True, "plan"),
    _o("--build-constraint", "build_constraints", "append", True, "inert"),
    _o("--no-deps --no-dependencies", "ignore_dependencies", "store_true", False, "plan"),
    _o("--pre", "pre", "store_true", False, "plan"),
    _o("--editable -e", "editables", "append", True, "plan"),
    _o("--dry-run", "dry_run", "store_true", False, "inert"),
    _o("--target -t", "target_dir", "store", True, "refused", _ELSEWHERE),
    _o("--platform", "platforms", "append", True, "refused", _TARGET),
    _o("--python-version", "python_version", "callback", True, "refused", _TARGET),
    _o("--implementation", "implementation", "store", True, "refused", _TARGET),
    _o("--abi", "abis", "append", True, "refused", _TARGET),
    _o("--user", "use_user_site", "store_true", False, "refused", _ELSEWHERE),
    _o("--no-user", "use_user_site", "store_false", False, "inert"),
    _o("--root", "root_path", "store", True, "refused", _ELSEWHERE),
    _o("--prefix", "prefix_path", "store", True, "refused", _ELSEWHERE),
    _o("--src --source --source-dir --source-directory", "src_dir", "callback", True, "inert"),
    _o("--upgrade -U", "upgrade", "store_true", False, "plan"),
    _o("--upgrade-strategy", "upgrade_strategy", "store", True, "plan"),
    _o("--force-reinstall", "force_reinstall", "store_true", False, "plan"),
    _o("--ignore-installed -I", "ignore_installed", "store_true", False, "plan"),
    _o("--ignore-requires-python", "ignore_requires_python", "store_true", False, "plan"),
    _o("--no-build-isolation", "build_isolation", "store_false", False, "plan"),
    _o("--use-pep517", "use_pep517", "store_true", False, "inert"),
    _o("--check-build-dependencies", "check_build_deps", "store_true", False, "inert"),
    _o("--break-system-packages", "override_externally_managed", "store_true", False, "plan"),
    _o("--config-settings -C", "config_settings", "callback", True, "inert"),
    _o("--compile", "compile", "store_true", False, "inert"),
    _o("--no-compile", "compile", "store_false", False, "inert"),
    _o("--no-warn-script-location", "warn_script_location", "store_false", False, "inert"),
    _o("--no-warn-conflicts", "warn_about_conflicts", "store_false", False, "inert"),
    _o("--no-binary", "format_control", "callback", True, "plan"),
    _o("--only-binary", "format_control", "callback", True, "plan"),
    _o("--prefer-binary", "prefer_binary", "store_true", False, "plan"),
    _o("--require-hashes", "require_hashes", "store_true", False, "plan"),
    _o("--progress-bar", "progress_bar", "store", True, "inert"),
    _o("--root-user-action", "root_user_action", "store", True, "inert"),
    _o("--report", "json_report_file", "store", True, "inert"),
    _o(
        "--group",
        "dependency_groups",
        "callback",
        True,
        "refused",
        "dependency groups are not emulated",
    ),
    _o("--no-clean", "no_clean", "store_true", False, "inert"),
    _o("--index-url --pypi-url -i", "index_url", "store", True, "plan"),
    _o("--extra-index-url", "extra_index_urls", "append", True, "plan"),
    _o("--no-index", "no_index", "store_true", False, "plan"),
    _o("--find-links -f", "find_links", "append", True, "plan"),
    _o(
        "--help -h",
        "help",
        "help",
        False,
        "refused",
        "pip prints its help and installs nothing",
    ),
    _o("--debug", "debug_mode", "store_true", False, "inert"),
    _o("--isolated", "isolated_mode", "store_true", False, "plan"),
    _o("--require-virtualenv --require-venv", "require_venv", "store_true", False, "plan"),
    _o("--python", "python", "store", True, "refused", "runs pip for another interpreter"),
    _o("--verbose -v", "verbose", "count", False, "inert"),
    _o(
        "--version -V",
        "version",
        "store_true",
        False,
        "refused",
        "pip prints its version and installs nothing",
    ),
    _o("--quiet -q", "quiet", "count", False, "inert"),
    _o("--log --log-file --local-log", "log", "store", True, "inert"),
    _o("--no-input", "no_input", "store_true", False, "inert"),
    _o("--keyring-provider", "keyring_provider", "store", True, "inert"),
    _o("--proxy", "proxy", "store", True, "inert"),
    _o("--retries", "retries", "store", True, "inert"),
    _o("--timeout --default-timeout", "timeout", "store", True, "inert"),
    _o("--exists-action", "exists_action", "append", True, "inert"),
    _o("--trusted-host", "trusted_hosts", "append", True, "inert"),
    _o("--cert", "cert", "store", True, "inert"),
    _o("--client-cert", "client_cert", "store", True, "inert"),
    _o("--cache-dir", "cache_dir", "store", True, "inert"),
    _o("--no-cache-dir", "cache_dir", "callback", False, "inert"),
    _o("--disable-pip-version-check", "disable_pip_version_check", "store_true", False, "inert"),
    _o("--no-color", "no_color", "store_true", False, "inert"),
    _o("--no-python-version-warning", "no_python_version_warning", "store_true", False, "inert"),
    _o(
        "--use-feature",
        "features_enabled",
        "append",
        True,
        "refused",
        "pip feature flags are not emulated",
    ),
    _o(
        "--use-deprecated",
        "deprecated_features_enabled",
        "append",
        True,
        "refused",
        "pip's deprecated behaviours are not emulated",
    ),
    _o("--resume-retries", "resume_retries", "store", True, "inert"),
)

_BY_NAME = {n: o for o in OPTIONS for n in o.names}
_LONG = sorted(n for n in _BY_NAME if n.startswith("--"))


def by_name(name: str) -> PipOption | None:
    """The option ``name`` (``--index-url``, ``-i``), exactly as written."""
    return _BY_NAME.get(name)


def match_long(prefix: str) -> tuple[str, ...]:
    """optparse's ``_match_abbrev``: the long options ``prefix`` abbreviates (exact wins)."""
    if prefix in _BY_NAME:
        return (prefix,)
    return tuple(n for n in _LONG if n.startswith(prefix))
