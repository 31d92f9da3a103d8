"""The embedded demo: a TF 2.9 / CUDA 11.2 conda prefix (no conda, no network needed).

Built by ``tools/build_demo_prefix.py`` from real conda-forge records and real PyPI metadata;
see ``tf29-cuda112/README.md``.
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path

__all__ = ["DEMO_REQUIREMENTS", "DEMO_VIRTUAL_PACKAGES", "demo_index", "demo_prefix"]

#: The demo models a GPU node whose driver supports CUDA 11.2.
DEMO_VIRTUAL_PACKAGES = {"cuda": "11.2"}
#: What the demo asks pip for; ``demo_index()`` holds its universe.
DEMO_REQUIREMENTS = ("sentence-transformers",)


def demo_prefix() -> Path:
    """Path of the embedded TF 2.9 / CUDA 11.2 prefix (read-only: never write to it)."""
    with as_file(files(__package__) / "tf29-cuda112") as path:
        return Path(path)


def demo_index() -> Path:
    """Path of the embedded offline index (a mixguard snapshot, PyPI as of 2024-06-01)."""
    with as_file(files(__package__) / "index") as path:
        return Path(path)
