"""Fault injection: a real server on 127.0.0.1 misbehaving in every way an index can, and the
documented outcome of ``mixguard check`` for each (docs/index-client.md, "Faults").

Outcomes: a fetch that cannot complete makes the page or metadata unknown -- the check says so
and exits 4 (facts missing), never "no findings"; a transient failure is retried and the check
completes (exit 0); what pip itself refuses (a page of another Content-Type) is what pip does.
"""

from __future__ import annotations

import gzip
import io
import shutil
import time
import zlib
from collections.abc import Callable
from pathlib import Path

import pytest

from mixguard.cli import EXIT_CONFLICT, EXIT_OK, EXIT_UNKNOWN, main
from mixguard.demo import demo_prefix

from .builders import metadata_text, sha256, wheel
from .server import IndexServer, Route

FN, DATA = wheel("leafpkg", "1.0")
META = metadata_text("leafpkg", "1.0").encode()


def _page(core: bool = True) -> bytes:
    extra = f' data-core-metadata="sha256={sha256(META)}"' if core else ""
    return f'<a href="/f/{FN}#sha256={sha256(DATA)}"{extra}>{FN}</a>'.encode()


@pytest.fixture
def prefix(tmp_path_factory: pytest.TempPathFactory) -> Path:
    dest = tmp_path_factory.mktemp("faults") / "env"
    shutil.copytree(demo_prefix(), dest)
    return dest


def _check(server: IndexServer, prefix: Path, tmp_path: Path) -> int:
    args = ["check", "--prefix", str(prefix), "--cache-dir", str(tmp_path / "cache"), "--"]
    return main([*args, "leafpkg", "--index-url", f"{server.url}/simple"])


def _slow(
    delay: float, chunks: int
) -> Callable[[dict[str, str]], tuple[int, dict[str, str], bytes]]:
    def answer(_headers: dict[str, str]) -> tuple[int, dict[str, str], bytes]:
        time.sleep(delay)
        return 200, {"Content-Type": "text/html"}, _page() * chunks

    return answer


def _bomb(encoding: str) -> Route:
    raw = b"\0" * (200 * 1024 * 1024)
    if encoding == "gzip":
        buf = io.BytesIO()
        with gzip.GzipFile(fileobj=buf, mode="wb", compresslevel=9) as gz:
            gz.write(raw)
        body = buf.getvalue()
    else:
        body = zlib.compress(raw, 9)
    return Route(body=body, headers={"Content-Encoding": encoding, "Content-Type": "text/html"})


def _no_central_directory() -> bytes:
    return DATA[: DATA.rfind(b"PK\x05\x06")] + b"PK\x05\x06" + b"\xff" * 18


SCENARIOS: dict[str, tuple[Callable[[IndexServer], object], int, str]] = {
    # name: (set-up, exit code, what the report says)
    "5xx": (lambda s: s.add("/simple/leafpkg/", Route(status=500)), EXIT_UNKNOWN, "HTTP 500"),
    "503-then-200": (
        lambda s: (
            s.add("/simple/leafpkg/", Route(body=_page(), fail_first=1)),
            s.add(f"/f/{FN}", Route(body=DATA)),
            s.add(f"/f/{FN}.metadata", Route(body=META)),
        ),
        EXIT_OK,
        "install  leafpkg",
    ),
    "reset": (
        lambda s: s.add(
            "/simple/leafpkg/", Route(body=b"", status=200, headers={"Content-Length": "5000"})
        ),
        EXIT_UNKNOWN,
        "index pages not read",
    ),
    "trickle": (
        lambda s: s.add("/simple/leafpkg/", Route(dynamic=_slow(3.0, 1))),
        EXIT_UNKNOWN,
        "no complete answer within",
    ),
    "wrong-content-type": (
        lambda s: s.add(
            "/simple/leafpkg/", Route(body=_page(), headers={"Content-Type": "text/plain"})
        ),
        EXIT_CONFLICT,  # pip skips the page too: no candidate, as pip says
        "No matching distribution found for leafpkg",
    ),
    "range-ignored": (
        lambda s: (
            s.add("/simple/leafpkg/", _page(core=False)),
            s.add(f"/f/{FN}", Route(body=DATA, ranges=False)),
        ),
        EXIT_OK,  # the wheel is read whole (within the byte bound): metadata and RECORD known
        "install  leafpkg",
    ),
    "range-garbage": (
        lambda s: (
            s.add("/simple/leafpkg/", _page(core=False)),
            s.add(
                f"/f/{FN}",
                Route(dynamic=lambda h: (206, {"Content-Range": "bytes oops"}, b"garbage")),
            ),
        ),
        EXIT_UNKNOWN,
        "unknown",
    ),
    "central-directory-out-of-bounds": (
        lambda s: (
            s.add("/simple/leafpkg/", _page(core=False)),
            s.add(f"/f/{FN}", Route(body=_no_central_directory())),
        ),
        EXIT_UNKNOWN,
        "unknown",
    ),
    "100MB-metadata": (
        lambda s: (
            s.add("/simple/leafpkg/", _page()),
            s.add(
                f"/f/{FN}.metadata",
                Route(body=b"Metadata-Version: 2.1\n" + b"x" * (100 * 1024 * 1024)),
            ),
        ),
        EXIT_UNKNOWN,
        "unknown",
    ),
    "gzip-bomb": (lambda s: s.add("/simple/leafpkg/", _bomb("gzip")), EXIT_UNKNOWN, "byte bound"),
    "deflate-bomb": (
        lambda s: s.add("/simple/leafpkg/", _bomb("deflate")),
        EXIT_UNKNOWN,
        "byte bound",
    ),
    "redirect-loop": (
        lambda s: (
            s.add("/simple/leafpkg/", Route(redirect="/simple/leafpkg/again")),
            s.add("/simple/leafpkg/again", Route(redirect="/simple/leafpkg/")),
        ),
        EXIT_UNKNOWN,
        "too many redirects",
    ),
    "malformed-json": (
        lambda s: s.add(
            "/simple/leafpkg/",
            Route(
                body=b'{"files": [', headers={"Content-Type": "application/vnd.pypi.simple.v1+json"}
            ),
        ),
        EXIT_UNKNOWN,
        "invalid JSON",
    ),
}


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_fault(
    name: str,
    prefix: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("MIXGUARD_FETCH_DEADLINE", "2")
    setup, code, says = SCENARIOS[name]
    server = IndexServer()
    try:
        setup(server)
        started = time.monotonic()
        got = _check(server, prefix, tmp_path)
        out = capsys.readouterr()
        text = out.out + out.err
        assert got == code, text
        assert says in text, text
        assert time.monotonic() - started < 30  # bounded: deadline and retry budget
    finally:
        server.close()
