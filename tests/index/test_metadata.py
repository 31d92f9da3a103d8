"""Every metadata path gives correct metadata or a typed unknown, never an empty list."""

from __future__ import annotations

from pathlib import Path

import pytest

from mixguard.index.links import DistributionFile
from mixguard.index.metadata import (
    DistMetadata,
    Limits,
    Unknown,
    fetch_metadata,
    read_local_metadata,
)
from mixguard.index.transport import HttpTransport, RetryPolicy

from .builders import metadata_text, sdist, sha256, wheel
from .server import IndexServer, Route

T = HttpTransport(retry=RetryPolicy(attempts=2, backoff=0.01))


def _file(url: str, filename: str, **kw: object) -> DistributionFile:
    f = DistributionFile.from_link(filename, url, **kw)  # type: ignore[arg-type]
    assert f is not None
    return f


def test_pep658_good_hash(server: IndexServer) -> None:
    fn, data = wheel("demo", "1.0", ["six>=1.0"])
    text = metadata_text("demo", "1.0", ["six>=1.0", "numpy<2"])  # differs from the wheel's
    url = server.add(f"/f/{fn}", Route(body=data))
    server.add(f"/f/{fn}.metadata", Route(body=text.encode()))
    m = fetch_metadata(T, _file(url, fn, metadata={"sha256": sha256(text.encode())}))
    assert isinstance(m, DistMetadata) and m.source == "pep658"
    assert m.requires_dist == ("six>=1.0", "numpy<2")
    assert server.requests(f"/f/{fn}") == []  # the wheel was never touched


def test_pep658_bad_hash_is_an_error_not_a_fallback(server: IndexServer) -> None:
    # pip stops on a metadata file whose hash is not the page's: reading the wheel instead
    # would hide tampering (tests/test_integrity.py holds it against real pip)
    fn, data = wheel("demo", "1.0", ["six>=1.0"])
    url = server.add(f"/f/{fn}", Route(body=data))
    server.add(f"/f/{fn}.metadata", Route(body=metadata_text("demo", "1.0", ["evil"]).encode()))
    m = fetch_metadata(T, _file(url, fn, metadata={"sha256": "00" * 32}))
    assert isinstance(m, Unknown) and m.kind == "hash-mismatch"
    assert f"expected {'00' * 32}, got " in m.reason
    assert server.requests(f"/f/{fn}") == []


def test_range_reads_only_the_tail(server: IndexServer) -> None:
    fn, data = wheel("big", "2.0", ["requests"], padding=3_000_000)
    url = server.add(f"/f/{fn}", Route(body=data))
    m = fetch_metadata(T, _file(url, fn))
    assert isinstance(m, DistMetadata) and m.source == "range" and m.requires_dist == ("requests",)
    reqs = server.requests(f"/f/{fn}")
    assert all("range" in r.headers for r in reqs)
    # the 3 MB payload was never transferred: a tail read plus a small read of METADATA
    assert len(reqs) <= 3


def test_range_ignored_small_file_is_downloaded(server: IndexServer) -> None:
    fn, data = wheel("demo", "1.0", ["six"])
    url = server.add(f"/f/{fn}", Route(body=data, ranges=False))
    m = fetch_metadata(T, _file(url, fn))
    assert isinstance(m, DistMetadata) and m.source == "download" and m.requires_dist == ("six",)
    assert "server ignored Range" in m.notes[0]


def test_range_ignored_large_file_is_unknown(server: IndexServer) -> None:
    fn, data = wheel("big", "1.0", padding=200_000)
    url = server.add(f"/f/{fn}", Route(body=data, ranges=False))
    m = fetch_metadata(T, _file(url, fn), Limits(max_download_bytes=100_000))
    assert isinstance(m, Unknown) and m.kind == "too-large"


def test_truncated_zip(server: IndexServer) -> None:
    fn, data = wheel("demo", "1.0")
    url = server.add(f"/f/{fn}", Route(body=data[: len(data) // 2]))
    m = fetch_metadata(T, _file(url, fn))
    assert isinstance(m, Unknown) and m.kind == "invalid" and "archive" in m.reason


def test_zip_without_metadata(server: IndexServer) -> None:
    fn, data = wheel("demo", "1.0", include_metadata=False)
    url = server.add(f"/f/{fn}", Route(body=data))
    m = fetch_metadata(T, _file(url, fn))
    assert isinstance(m, Unknown) and "no .dist-info/METADATA" in m.reason


def test_oversized_metadata(server: IndexServer) -> None:
    huge = metadata_text("demo", "1.0") + "Description: " + "x" * 300_000 + "\n"
    fn, data = wheel("demo", "1.0", metadata=huge)
    url = server.add(f"/f/{fn}", Route(body=data))
    m = fetch_metadata(T, _file(url, fn), Limits(max_metadata_bytes=100_000))
    assert isinstance(m, Unknown) and m.kind == "too-large"


def test_metadata_of_another_project_is_rejected(server: IndexServer) -> None:
    fn, data = wheel("demo", "1.0", metadata=metadata_text("other", "1.0"))
    url = server.add(f"/f/{fn}", Route(body=data))
    m = fetch_metadata(T, _file(url, fn))
    assert isinstance(m, Unknown) and "'other'" in m.reason


def test_404_is_unknown_not_empty(server: IndexServer) -> None:
    m = fetch_metadata(
        T, _file(server.url + "/f/gone-1.0-py3-none-any.whl", "gone-1.0-py3-none-any.whl")
    )
    assert isinstance(m, Unknown) and m.kind == "fetch-failed"


@pytest.mark.parametrize(
    ("pkg_info", "known", "reason"),
    [
        (metadata_text("demo", "1.0", ["six"], metadata_version="2.2"), True, ""),
        (
            metadata_text("demo", "1.0", ["six"], metadata_version="2.4", dynamic=["Version"]),
            True,
            "",
        ),
        (
            metadata_text("demo", "1.0", ["six"], metadata_version="2.1"),
            False,
            "Metadata-Version 2.1",
        ),
        (
            metadata_text("demo", "1.0", metadata_version="2.2", dynamic=["Requires-Dist"]),
            False,
            "Dynamic",
        ),
        (None, False, "no PKG-INFO"),
    ],
)
def test_sdist_pkg_info_rules(
    server: IndexServer, pkg_info: str | None, known: bool, reason: str
) -> None:
    fn, data = sdist("demo", "1.0", pkg_info)
    url = server.add(f"/f/{fn}", Route(body=data))
    m = fetch_metadata(T, _file(url, fn))
    assert m.known is known
    if isinstance(m, Unknown):
        assert m.kind == "needs-build" and reason in m.reason
    else:
        assert m.requires_dist == ("six",) and m.source == "sdist-pkg-info"


def test_local_files(tmp_path: Path) -> None:
    fn, data = wheel("demo", "1.0", ["six"])
    (tmp_path / fn).write_bytes(data)
    m = read_local_metadata(tmp_path / fn)
    assert isinstance(m, DistMetadata) and m.source == "local" and m.requires_dist == ("six",)
    # a direct file:// URL goes the same way
    m2 = fetch_metadata(T, _file((tmp_path / fn).as_uri(), fn))
    assert isinstance(m2, DistMetadata) and m2.requires_dist == ("six",)
    sfn, sdata = sdist(
        "demo", "2.0", metadata_text("demo", "2.0", ["attrs"], metadata_version="2.2")
    )
    (tmp_path / sfn).write_bytes(sdata)
    m3 = read_local_metadata(tmp_path / sfn)
    assert isinstance(m3, DistMetadata) and m3.requires_dist == ("attrs",)
    assert isinstance(read_local_metadata(tmp_path / "nope-1.0-py3-none-any.whl"), Unknown)


def test_wheel_record_by_range(server: IndexServer) -> None:
    from mixguard.index.metadata import fetch_record

    fn, data = wheel("big", "2.0", padding=1_000_000)
    url = server.add(f"/f/{fn}", Route(body=data))
    paths = fetch_record(T, _file(url, fn))
    assert (
        paths is not None and "big/__init__.py" in paths and "big-2.0.dist-info/METADATA" in paths
    )
    assert all("range" in r.headers for r in server.requests(f"/f/{fn}"))
    assert (
        fetch_record(
            T, _file(server.url + "/f/gone-1.0-py3-none-any.whl", "gone-1.0-py3-none-any.whl")
        )
        is None
    )
