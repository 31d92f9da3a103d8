"""IndexClient: pip's source order, file:// indexes, the cache, offline mode, concurrency."""

from __future__ import annotations

import threading
from pathlib import Path

from mixguard.index.cache import Cache
from mixguard.index.client import IndexClient, IndexConfig
from mixguard.index.links import DistributionFile
from mixguard.index.metadata import DistMetadata, Unknown
from mixguard.index.transport import HttpTransport, RetryPolicy

from .._util import must
from .builders import sha256, wheel
from .server import IndexServer, Route

FAST = HttpTransport(retry=RetryPolicy(attempts=2, backoff=0.01))


def _page(*files: tuple[str, bytes], prefix: str = "/files/") -> bytes:
    return "".join(
        f'<a href="{prefix}{fn}#sha256={sha256(d)}">{fn}</a>\n' for fn, d in files
    ).encode()


def test_pip_source_order(server: IndexServer, tmp_path: Path) -> None:
    # pip's find_all_candidates: local find-links files (newest first), then pages in order:
    # find-links pages, --index-url, --extra-index-url
    local = tmp_path / "wheels"
    local.mkdir()
    for v in ("1.0", "3.0"):
        fn, data = wheel("demo", v)
        (local / fn).write_bytes(data)
    (local / "other-1.0-py3-none-any.whl").write_bytes(wheel("other", "1.0")[1])
    server.add("/links.html", _page(wheel("demo", "2.0"), wheel("other", "9.0")))
    server.add("/main/demo/", _page(wheel("demo", "4.0")))
    server.add("/extra/demo/", _page(wheel("demo", "5.0")))
    cfg = IndexConfig(
        index_url=server.url + "/main",
        extra_index_urls=(server.url + "/extra",),
        find_links=(str(local), server.url + "/links.html"),
    )
    files = IndexClient(cfg, FAST).project_files("demo").files
    assert [str(f.version) for f in files] == ["3.0", "1.0", "2.0", "4.0", "5.0"]
    no_index = IndexClient(
        IndexConfig(index_url=server.url + "/main", no_index=True, find_links=(str(local),)), FAST
    )
    assert [str(f.version) for f in no_index.project_files("demo").files] == ["3.0", "1.0"]


def test_file_index_reads_json_or_html(tmp_path: Path) -> None:
    fn, data = wheel("demo", "1.0", ["six"])
    proj = tmp_path / "simple" / "demo"
    proj.mkdir(parents=True)
    (proj / "index.html").write_text(f'<a href="{fn}" data-core-metadata="true">{fn}</a>')
    (proj / fn).write_bytes(data)
    client = IndexClient(IndexConfig(index_url=(tmp_path / "simple").as_uri()), offline=True)
    (f,) = client.project_files("demo").files
    assert f.url == (proj / fn).as_uri()
    m = client.metadata(f)  # offline still reads file:// sources
    assert isinstance(m, DistMetadata) and m.requires_dist == ("six",)


def test_page_cache_etag_and_ttl(server: IndexServer, tmp_path: Path) -> None:
    route = Route(body=_page(wheel("demo", "1.0")), etag='"v1"')
    path = "/simple/demo/"
    server.add(path, route)
    cache = Cache(tmp_path, ttl=0)  # always stale: revalidate every time
    for _ in range(2):
        files = (
            IndexClient(IndexConfig(index_url=server.url + "/simple"), FAST, cache)
            .project_files("demo")
            .files
        )
        assert len(files) == 1
    reqs = server.requests(path)
    assert len(reqs) == 2 and reqs[1].headers.get("if-none-match") == '"v1"'
    assert route.hits == 2  # the second answer was the 304 (If-None-Match matched the ETag)
    fresh = Cache(tmp_path, ttl=3600)
    IndexClient(IndexConfig(index_url=server.url + "/simple"), FAST, fresh).project_files("demo")
    assert len(server.requests(path)) == 2  # within the TTL: no request at all


def test_cache_control_max_age_wins_over_ttl(server: IndexServer, tmp_path: Path) -> None:
    server.add(
        "/simple/demo/",
        Route(body=_page(wheel("demo", "1.0")), headers={"Cache-Control": "max-age=0"}),
    )
    cache = Cache(tmp_path, ttl=3600)
    for _ in range(2):
        IndexClient(IndexConfig(index_url=server.url + "/simple"), FAST, cache).project_files(
            "demo"
        )
    assert len(server.requests("/simple/demo/")) == 2


def test_offline_never_touches_the_network(server: IndexServer, tmp_path: Path) -> None:
    fn, data = wheel("demo", "1.0", ["six"])
    server.add("/simple/demo/", _page((fn, data)))
    server.add(f"/files/{fn}", Route(body=data))
    fn2, data2 = wheel("demo", "2.0")
    cache = Cache(tmp_path)
    online = IndexClient(IndexConfig(index_url=server.url + "/simple"), FAST, cache)
    (f,) = online.project_files("demo").files
    assert isinstance(online.metadata(f), DistMetadata)
    before = len(server.log)
    offline = IndexClient(IndexConfig(index_url=server.url + "/simple"), FAST, cache, offline=True)
    (g,) = offline.project_files("demo").files
    assert isinstance(offline.metadata(g), DistMetadata)
    missing = offline.project_files("six")
    assert missing.files == () and "offline: no cached copy" in missing.problems[0]
    unknown = offline.metadata(
        must(
            DistributionFile.from_link(
                fn2, f"{server.url}/files/{fn2}", hashes={"sha256": sha256(data2)}
            )
        )
    )
    assert isinstance(unknown, Unknown) and unknown.kind == "offline"
    assert len(server.log) == before


def test_metadata_is_keyed_by_file_hash(server: IndexServer, tmp_path: Path) -> None:
    fn, data = wheel("demo", "1.0", ["six"])
    server.add("/a/demo/", _page((fn, data), prefix="/fa/"))
    server.add("/b/demo/", _page((fn, data), prefix="/fb/"))
    server.add(f"/fa/{fn}", Route(body=data))
    server.add(f"/fb/{fn}", Route(body=data))
    cache = Cache(tmp_path)
    a = IndexClient(IndexConfig(index_url=server.url + "/a"), FAST, cache)
    a.metadata(a.project_files("demo").files[0])
    b = IndexClient(IndexConfig(index_url=server.url + "/b"), FAST, cache)
    m = b.metadata(b.project_files("demo").files[0])
    assert isinstance(m, DistMetadata) and m.source == "cache"
    assert server.requests(f"/fb/{fn}") == []  # same sha256: no second fetch


def test_parallel_prefetch_with_failures(server: IndexServer) -> None:
    files = []
    for i in range(12):
        fn, data = wheel(f"p{i}", "1.0", [f"dep{i}"])
        url = server.add(f"/f/{fn}", Route(body=data, delay=0.05) if i % 4 else Route(status=404))
        f = __import__(
            "mixguard.index.links", fromlist=["DistributionFile"]
        ).DistributionFile.from_link(fn, url)
        files.append(f)
    results = IndexClient(transport=FAST, workers=8).prefetch(files)
    known = [r for r in results.values() if isinstance(r, DistMetadata)]
    unknown = [r for r in results.values() if isinstance(r, Unknown)]
    assert len(known) == 9 and len(unknown) == 3
    assert all(u.kind == "fetch-failed" for u in unknown)
    assert server.max_in_flight > 1  # concurrent, not one after another


def test_concurrent_callers_share_one_fetch(server: IndexServer) -> None:
    # the resolver asking for what a prefetch is already fetching waits for it: one request
    fn, data = wheel("shared", "1.0", ["six"])
    server.add("/s/shared/", Route(body=_page((fn, data)), delay=0.1))
    server.add(f"/files/{fn}", Route(body=data, delay=0.1))
    client = IndexClient(IndexConfig(index_url=server.url + "/s"), FAST)
    results: list[object] = []

    def both() -> None:
        results.append(client.metadata(client.project_files("shared").files[0]))

    threads = [threading.Thread(target=both) for _ in range(6)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(results) == 6 and all(isinstance(r, DistMetadata) for r in results)
    assert len({id(r) for r in results}) == 1  # one result object, shared
    assert len(server.requests("/s/shared/")) == 1
    first = len(server.requests(f"/files/{fn}"))
    client.metadata(client.project_files("shared").files[0])
    assert len(server.requests(f"/files/{fn}")) == first  # memory cache afterwards


def test_atomic_cache_writes_under_concurrency(tmp_path: Path) -> None:
    cache = Cache(tmp_path)
    big = {"text": "x" * 200_000}
    errors: list[str] = []

    def writer() -> None:
        for _ in range(30):
            cache.store_metadata("sha256-abc", big)

    def reader() -> None:
        for _ in range(300):
            got = cache.metadata("sha256-abc")
            if got is not None and got != big:
                errors.append("partial read")

    threads = [threading.Thread(target=writer) for _ in range(3)] + [
        threading.Thread(target=reader) for _ in range(3)
    ]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    assert not [p for p in tmp_path.rglob("*.tmp")]


def test_cache_dir_from_environment(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("MIXGUARD_CACHE_DIR", str(tmp_path / "c"))
    assert Cache().root == tmp_path / "c"


def test_warm_fetches_page_and_pick_in_the_background_once(
    server: IndexServer, tmp_path: Path
) -> None:
    for name in ("a", "b"):
        fn, data = wheel(name, "1.0", ["six"])
        server.add(f"/w/{name}/", Route(body=_page((fn, data)), delay=0.05))
        server.add(f"/files/{fn}", Route(body=data, delay=0.05))
    client = IndexClient(IndexConfig(index_url=server.url + "/w"), FAST)
    picked = threading.Event()

    def pick(files):  # type: ignore[no-untyped-def]
        picked.set()
        return files.files[0]

    client.warm("a", pick)  # returns at once
    client.warm("b")
    client.warm("A")  # "A" is "a": already on its way
    (a,) = client.project_files("a").files  # waits for the fetch in flight, or finds it done
    assert picked.wait(5)
    assert isinstance(client.metadata(a), DistMetadata)
    assert client.project_files("b").files
    client.warm("a", pick)  # already read: nothing more
    assert len(server.requests("/w/a/")) == len(server.requests("/w/b/")) == 1
    a_file = f"/files/{a.filename}"
    assert 1 <= len(server.requests(a_file)) <= 3  # the pick's METADATA, by Range, once
    assert server.requests("/files/b-1.0-py3-none-any.whl") == []  # no pick asked for b
    # a resolution that ends drops what has not started: nothing left queued for exit
    for name in "cdefghijklmnopqrstuvwxyz":
        server.add(f"/w/{name}/", Route(body=_page(), delay=0.2))
        client.warm(name)
    client.stop_warming()
    assert len([n for n in "cdefghijklmnopqrstuvwxyz" if server.requests(f"/w/{n}/")]) < 24
    # offline (or a local index) there is nothing to overlap: no background fetch at all
    offline = IndexClient(IndexConfig(index_url=server.url + "/w"), FAST, Cache(tmp_path), True)
    offline.warm("a")
    assert len(server.requests("/w/a/")) == 1  # nothing fetched in the background


def test_warming_stops_when_the_last_resolution_ends(server: IndexServer) -> None:
    """Two resolutions may run at once (the plan's and the constraints remedy's): the first
    to end must not drop the other's background fetches; the last one does."""
    import time

    names = [f"p{i:02d}" for i in range(40)]
    for name in names:
        server.add(f"/s/{name}/", Route(body=_page(), delay=0.1))
    client = IndexClient(IndexConfig(index_url=server.url + "/s"), FAST)
    with client.warming():
        with client.warming():
            for name in names[:20]:
                client.warm(name)
        # the inner resolution ended: the outer one's queue goes on to the end
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline and not all(
            server.requests(f"/s/{n}/") for n in names[:20]
        ):
            time.sleep(0.02)
        assert all(server.requests(f"/s/{n}/") for n in names[:20])
        for name in names[20:]:
            client.warm(name)
    # the last one ended: what had not started is dropped (16 workers, 20 queued, 0.1 s each)
    time.sleep(0.5)
    assert len([n for n in names[20:] if server.requests(f"/s/{n}/")]) < 20


def test_warm_record_reads_a_pinned_wheels_record_once(server: IndexServer) -> None:
    fn, data = wheel("rec", "1.0", ["six"])
    url = server.add(f"/files/{fn}", Route(body=data, delay=0.05))
    from mixguard.index.links import DistributionFile

    f = DistributionFile.from_link(fn, url, hashes={"sha256": sha256(data)})
    assert f is not None
    client = IndexClient(transport=FAST)
    client.warm_record(f)  # returns at once
    client.warm_record(f)  # already on its way: nothing more
    paths = client.record(f)  # waits for the read in flight (or finds it done)
    assert paths is not None and any(p.endswith("METADATA") for p in paths)
    seen = len(server.requests(f"/files/{fn}"))
    assert client.record(f) == paths and len(server.requests(f"/files/{fn}")) == seen
    client.stop_warming()


def test_a_record_at_hand_with_the_metadata_costs_no_request(server: IndexServer) -> None:
    # RECORD sits next to METADATA at the archive's end: the tail read for METADATA holds it
    fn, data = wheel("near", "1.0", ["six"], padding=200_000)
    url = server.add(f"/files/{fn}", Route(body=data))
    f = must(DistributionFile.from_link(fn, url, hashes={"sha256": sha256(data)}))
    client = IndexClient(transport=FAST)
    meta = client.metadata(f)
    assert isinstance(meta, DistMetadata) and meta.requires_dist == ("six",)
    seen = len(server.requests(f"/files/{fn}"))
    paths = client.record(f)
    assert len(server.requests(f"/files/{fn}")) == seen  # no request of its own
    from mixguard.index.metadata import fetch_record

    assert paths is not None and paths == fetch_record(FAST, f)  # what reading it gives
    assert "near/blob.bin" in paths and "near-1.0.dist-info/RECORD" in paths


def test_a_record_out_of_reach_is_read_on_its_own(server: IndexServer) -> None:
    # RECORD first, then 200 KB, then METADATA: the METADATA reads do not reach it
    import io
    import zipfile

    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_STORED) as zf:
        zf.writestr("far-1.0.dist-info/RECORD", "far/__init__.py,,\nfar-1.0.dist-info/RECORD,,\n")
        zf.writestr("far/blob.bin", b"x" * 200_000)
        zf.writestr("far/__init__.py", "")
        zf.writestr(
            "far-1.0.dist-info/METADATA", "Metadata-Version: 2.1\nName: far\nVersion: 1.0\n"
        )
    fn, data = "far-1.0-py3-none-any.whl", buf.getvalue()
    url = server.add(f"/files/{fn}", Route(body=data))
    f = must(DistributionFile.from_link(fn, url, hashes={"sha256": sha256(data)}))
    client = IndexClient(transport=FAST)
    meta = client.metadata(f)
    assert isinstance(meta, DistMetadata) and meta.record is None
    seen = len(server.requests(f"/files/{fn}"))
    assert client.record(f) == ("far/__init__.py", "far-1.0.dist-info/RECORD")
    assert len(server.requests(f"/files/{fn}")) > seen
