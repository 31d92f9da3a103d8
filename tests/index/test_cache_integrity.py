"""A cache that cannot lie: truncated, garbage and swapped entries are dropped and refetched;
an unwritable cache degrades to an uncached run with one note, never a traceback."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from mixguard.index.cache import Cache
from mixguard.index.client import IndexClient, IndexConfig
from mixguard.index.metadata import DistMetadata

from .builders import metadata_text, sha256, wheel
from .server import IndexServer, Route


def _index(server: IndexServer) -> IndexConfig:
    for name, version, requires in (("alpha", "1.0", ["six"]), ("beta", "2.0", ["numpy<2"])):
        fn, data = wheel(name, version, requires)
        meta = metadata_text(name, version, requires).encode()
        server.add(
            f"/simple/{name}/",
            f'<a href="/f/{fn}#sha256={sha256(data)}" data-core-metadata="sha256={sha256(meta)}">'
            f"{fn}</a>",
        )
        server.add(f"/f/{fn}", Route(body=data))
        server.add(f"/f/{fn}.metadata", Route(body=meta))
    return IndexConfig(index_url=server.url + "/simple")


def _requires(client: IndexClient, name: str) -> tuple[str, ...]:
    (f,) = client.project_files(name).files
    m = client.metadata(f)
    assert isinstance(m, DistMetadata)
    return m.requires_dist


def test_corrupt_entries_are_dropped_and_refetched(server: IndexServer, tmp_path: Path) -> None:
    cfg = _index(server)
    assert _requires(IndexClient(cfg, cache=Cache(tmp_path)), "alpha") == ("six",)
    assert _requires(IndexClient(cfg, cache=Cache(tmp_path)), "beta") == ("numpy<2",)
    metas = sorted((tmp_path / "metadata").rglob("*.json"))
    bodies = sorted((tmp_path / "pages").rglob("*.body"))
    assert len(metas) == 2 and len(bodies) == 2
    # swap the two metadata entries, and the two page bodies; truncate nothing yet
    a, b = (p.read_bytes() for p in metas)
    metas[0].write_bytes(b)
    metas[1].write_bytes(a)
    x, y = (p.read_bytes() for p in bodies)
    bodies[0].write_bytes(y)
    bodies[1].write_bytes(x)
    cache = Cache(tmp_path)
    client = IndexClient(cfg, cache=cache)
    assert _requires(client, "alpha") == ("six",)  # not beta's, swapped in
    assert _requires(client, "beta") == ("numpy<2",)
    assert cache.dropped == 4
    # truncated and garbage entries too
    for p in sorted((tmp_path / "metadata").rglob("*.json")):
        p.write_bytes(p.read_bytes()[:10])
    for p in sorted((tmp_path / "pages").rglob("*.body")):
        p.write_bytes(b"\x00garbage")
    cache = Cache(tmp_path)
    assert _requires(IndexClient(cfg, cache=cache), "alpha") == ("six",)
    assert cache.dropped == 2  # alpha's page and metadata
    # offline, a dropped entry is not used: unknown, not a lie
    assert _requires(IndexClient(cfg, cache=Cache(tmp_path)), "beta") == ("numpy<2",)
    for p in sorted((tmp_path / "metadata").rglob("*.json")):
        p.write_bytes(b"[]")
    offline = IndexClient(cfg, cache=Cache(tmp_path), offline=True)
    (f,) = offline.project_files("beta").files
    assert not isinstance(offline.metadata(f), DistMetadata)


@pytest.mark.skipif(os.geteuid() == 0, reason="root writes through read-only modes")
def test_a_read_only_cache_degrades(server: IndexServer, tmp_path: Path) -> None:
    cfg = _index(server)
    root = tmp_path / "ro"
    root.mkdir()
    root.chmod(0o500)
    cache = Cache(root)
    assert _requires(IndexClient(cfg, cache=cache), "alpha") == ("six",)
    assert cache.write_error is not None


def test_a_cache_that_cannot_be_created_degrades(server: IndexServer, tmp_path: Path) -> None:
    # a file where the cache directory should be: every write fails (as on a full disk)
    cfg = _index(server)
    blocker = tmp_path / "cache"
    blocker.write_text("not a directory")
    cache = Cache(blocker)
    assert _requires(IndexClient(cfg, cache=cache), "alpha") == ("six",)
    assert cache.write_error is not None and str(blocker) in cache.write_error
    assert not list(tmp_path.rglob("*.tmp"))


def _json_index(server: IndexServer, versions: tuple[str, ...]) -> IndexConfig:
    files = [
        {
            "filename": f"gamma-{v}-py3-none-any.whl",
            "url": f"/f/gamma-{v}-py3-none-any.whl",
            "hashes": {"sha256": f"{i:064x}"},
            "requires-python": ">=3.8",
        }
        for i, v in enumerate(versions)
    ]
    body = json.dumps({"meta": {"api-version": "1.1"}, "name": "gamma", "files": files})
    server.add("/simple/gamma/", Route(body=body.encode(), etag=f'"{len(versions)}"'))
    return IndexConfig(index_url=server.url + "/simple")


def _versions(client: IndexClient) -> list[str]:
    return [str(f.version) for f in client.project_files("gamma").files]


def test_a_saved_page_scan_stands_for_its_body_only(server: IndexServer, tmp_path: Path) -> None:
    cfg = _json_index(server, ("1.0", "1.1", "2.0"))
    assert _versions(IndexClient(cfg, cache=Cache(tmp_path))) == ["1.0", "1.1", "2.0"]
    # fetched, the page is stored; its scan is saved when it is first read back
    assert not list((tmp_path / "pages").rglob("*.scan"))
    assert _versions(IndexClient(cfg, cache=Cache(tmp_path), offline=True)) == ["1.0", "1.1", "2.0"]
    (scan,) = (tmp_path / "pages").rglob("*.scan")
    (body,) = (tmp_path / "pages").rglob("*.body")
    # a warm read takes the saved scan: the body is not read (here: not there)
    saved = body.read_bytes()
    body.unlink()
    cache = Cache(tmp_path)
    assert _versions(IndexClient(cfg, cache=cache, offline=True)) == ["1.0", "1.1", "2.0"]
    assert cache.dropped == 0
    # a damaged scan is dropped, and the page read from its body (and its scan saved again)
    body.write_bytes(saved)
    good = scan.read_bytes()
    for damaged in (good[:-5], good[:72] + b"\x00" + good[73:], b"garbage"):
        scan.write_bytes(damaged)
        cache = Cache(tmp_path)
        assert _versions(IndexClient(cfg, cache=cache, offline=True)) == ["1.0", "1.1", "2.0"]
        assert cache.dropped == 1
        assert scan.read_bytes() == good
    # the page changes upstream: the scan of the old body is not used for the new one
    cfg = _json_index(server, ("1.0", "1.1", "2.0", "3.0"))
    cache = Cache(tmp_path, ttl=0)
    assert _versions(IndexClient(cfg, cache=cache)) == ["1.0", "1.1", "2.0", "3.0"]
    assert scan.read_bytes() == good  # the old page's scan, beside the new page's head
    cache = Cache(tmp_path)
    assert _versions(IndexClient(cfg, cache=cache, offline=True)) == ["1.0", "1.1", "2.0", "3.0"]
    assert cache.dropped == 1 and scan.read_bytes() != good
    # revalidated (a 304), the page is read from its saved scan: the body is not needed
    body.unlink()
    cache = Cache(tmp_path, ttl=0)
    client = IndexClient(cfg, cache=cache)
    assert _versions(client) == ["1.0", "1.1", "2.0", "3.0"]
    assert server.requests("/simple/gamma/")[-1].headers.get("if-none-match") == '"4"'
    assert cache.dropped == 0 and not body.exists()
