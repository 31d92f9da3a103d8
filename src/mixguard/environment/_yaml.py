"""YAML loading with typed errors (environment.yml and lock files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from ..errors import EnvironmentReadError

try:  # the C loader is much faster on multi-megabyte lock files
    _Loader: Any = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - pure-python PyYAML
    _Loader = yaml.SafeLoader


def read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EnvironmentReadError(str(path), "file does not exist", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvironmentReadError(str(path), f"cannot read: {exc}", str(path)) from None


def load_yaml(path: str | Path) -> Any:
    text = read_text(path)
    try:
        return yaml.load(text, Loader=_Loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}: line {mark.line + 1}" if mark is not None else str(path)
        raise EnvironmentReadError(
            str(path), f"invalid YAML: {getattr(exc, 'problem', exc)}", where
        ) from None
