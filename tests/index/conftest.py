from __future__ import annotations

from collections.abc import Iterator

import pytest

from .server import IndexServer


@pytest.fixture
def server() -> Iterator[IndexServer]:
    s = IndexServer()
    yield s
    s.close()
