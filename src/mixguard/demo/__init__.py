"""The embedded demo: a TF 2.9 / CUDA 11.2 conda prefix (no conda, no network needed).

Built by ``tools/build_demo_prefix.py`` from real conda-forge records and real PyPI metadata;
see ``tf29-cuda112/README.md``.
"""

from __future__ import annotations

import atexit
from contextlib import ExitStack
from functools import cache
from importlib.resources import as_file, files
from pathlib import Path

from ..environment.host import HostFacts

__all__ = [
    "DEMO_HOST",
    "DEMO_NAME",
    "DEMO_REQUIREMENTS",
    "DEMO_VIRTUAL_PACKAGES",
    "demo_cuda",
    "demo_index",
    "demo_prefix",
]

#: The demo is not this machine: it models a GPU node (glibc 2.17, a driver for CUDA 11.2), and
#: its offline index was recorded for that node. Reports show these facts as the demo's.
DEMO_HOST = HostFacts(
    subdir="linux-64", glibc="2.17", linux="5.4", archspec="x86_64", label="the demo's GPU node"
)
#: ``Environment.name`` of the demo (its pip has no configuration: the check ignores this
#: machine's pip.conf and PIP_* for it)
DEMO_NAME = "mixguard demo (TF 2.9 / CUDA 11.2)"
#: The same facts as overrides (``snapshot --demo``, tools).
DEMO_VIRTUAL_PACKAGES: dict[str, str | None] = {"cuda": "11.2", "glibc": "2.17"}


def demo_cuda() -> tuple[str | None, str]:
    """The demo node's driver, as :func:`mixguard.environment.host.host_cuda` would read it."""
    return "11.2", "the demo's driver"


#: What the demo asks pip for; ``demo_index()`` holds its universe.
DEMO_REQUIREMENTS = ("sentence-transformers",)


# The resources stay materialised until the interpreter exits: a path returned from inside a
# closed as_file() would point at a deleted copy when the package is zipped.
_RESOURCES = ExitStack()
atexit.register(_RESOURCES.close)


@cache
def _resource(name: str) -> Path:
    return Path(_RESOURCES.enter_context(as_file(files(__package__) / name)))


def demo_prefix() -> Path:
    """Path of the embedded TF 2.9 / CUDA 11.2 prefix (read-only: never write to it)."""
    return _resource("tf29-cuda112")


def demo_index() -> Path:
    """Path of the embedded offline index (a mixguard snapshot, PyPI as of 2024-06-01)."""
    return _resource("index")
