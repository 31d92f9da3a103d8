"""YAML loading with typed errors (environment.yml and lock files)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..errors import EnvironmentReadError


def read_text(path: str | Path) -> str:
    try:
        return Path(path).read_text(encoding="utf-8")
    except FileNotFoundError:
        raise EnvironmentReadError(str(path), "file does not exist", str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise EnvironmentReadError(str(path), f"cannot read: {exc}", str(path)) from None


#: aliases a file may use: real environment and lock files use none; a "billion laughs"
#: document uses a handful to describe a structure exponentially larger than itself
MAX_ALIASES = 64


def _count_aliases(text: str) -> int:
    # only when anchors are there at all (lock files of megabytes have none): scanning tokens
    # in Python is not free
    if "&" not in text or "*" not in text:
        return 0
    import yaml

    return sum(
        1 for tok in yaml.scan(text, Loader=yaml.SafeLoader) if isinstance(tok, yaml.AliasToken)
    )


def load_yaml(path: str | Path) -> Any:
    # imported here: reading a prefix (most checks) never needs YAML
    import yaml

    # the C loader is much faster on multi-megabyte lock files
    loader: Any = getattr(yaml, "CSafeLoader", yaml.SafeLoader)
    text = read_text(path)
    try:
        if _count_aliases(text) > MAX_ALIASES:
            raise EnvironmentReadError(
                str(path),
                f"more than {MAX_ALIASES} YAML aliases: refused (a document that expands to "
                "far more than its size)",
                str(path),
            )
        return yaml.load(text, Loader=loader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f"{path}: line {mark.line + 1}" if mark is not None else str(path)
        raise EnvironmentReadError(
            str(path), f"invalid YAML: {getattr(exc, 'problem', exc)}", where
        ) from None
