"""Index pages and the transport, against a real server on 127.0.0.1."""

from __future__ import annotations

import json

import pytest

from mixguard.index.client import IndexClient, IndexConfig
from mixguard.index.simple import JSON_TYPE, IndexPageError, parse_json_page
from mixguard.index.transport import FetchError, HttpTransport, RetryPolicy, TooLarge, redact_url

from .builders import sha256, wheel
from .server import IndexServer, Route

FAST = RetryPolicy(attempts=3, backoff=0.01)


def _json_page(files: list[dict[str, object]]) -> bytes:
    return json.dumps({"meta": {"api-version": "1.1"}, "name": "demo", "files": files}).encode()


def test_json_page(server: IndexServer) -> None:
    fn, data = wheel("demo", "1.0+cu118")
    server.add(
        "/simple/demo/",
        Route(
            body=_json_page(
                [
                    {
                        "filename": fn,
                        "url": f"../../files/{fn}",
                        "hashes": {"sha256": sha256(data)},
                        "requires-python": ">=3.8",
                        "yanked": "broken build",
                        "upload-time": "2024-01-02T03:04:05Z",
                        "size": len(data),
                        "core-metadata": {"sha256": "ab" * 32},
                    },
                    {
                        "filename": "demo-0.9.tar.gz",
                        "url": "https://files.example/demo-0.9.tar.gz",
                        "hashes": {},
                        "dist-info-metadata": True,
                    },
                    {"filename": "README.txt", "url": "README.txt", "hashes": {}},
                ]
            ),
            headers={"Content-Type": JSON_TYPE},
        ),
    )
    client = IndexClient(IndexConfig(index_url=server.url + "/simple"), HttpTransport(retry=FAST))
    files = client.project_files("Demo").files
    assert [f.filename for f in files] == [fn, "demo-0.9.tar.gz"]  # README.txt is no distribution
    w = files[0]
    assert str(w.version) == "1.0+cu118" and w.version is not None and w.version.local == "cu118"
    assert w.url == f"{server.url}/files/{fn}"
    assert (w.sha256, w.requires_python, w.yanked, w.yanked_reason) == (
        sha256(data),
        ">=3.8",
        True,
        "broken build",
    )
    assert w.upload_time == "2024-01-02T03:04:05Z" and w.size == len(data)
    assert w.metadata_hashes == (("sha256", "ab" * 32),)
    assert files[1].metadata_hashes == () and files[1].kind == "sdist"
    # pip's Accept header: JSON first
    assert server.requests("/simple/demo/")[0].headers["accept"].startswith(JSON_TYPE)


def test_html_page(server: IndexServer) -> None:
    body = (
        '<html><head><base href="/files/"></head><body>'
        '<a href="demo-1.0-py3-none-any.whl#sha256=abc" data-requires-python="&gt;=3.9"'
        ' data-dist-info-metadata="sha256=def" data-yanked="">demo-1.0-py3-none-any.whl</a>'
        '<a href="demo-2.0.tar.gz" data-core-metadata="true">demo-2.0.tar.gz</a>'
        '<a href="https://elsewhere.example/demo-3.0%2Blocal-py3-none-any.whl">x</a>'
        "</body></html>"
    )
    server.add("/simple/demo/", Route(body=body.encode(), headers={"Content-Type": "text/html"}))
    files = IndexClient(IndexConfig(index_url=server.url + "/simple")).project_files("demo").files
    a, b, c = files
    assert a.url == f"{server.url}/files/demo-1.0-py3-none-any.whl" and a.sha256 == "abc"
    assert a.requires_python == ">=3.9" and a.yanked and a.yanked_reason is None
    assert a.metadata_hashes == (("sha256", "def"),) and b.metadata_hashes == ()
    assert c.filename == "demo-3.0+local-py3-none-any.whl" and str(c.version) == "3.0+local"


def test_redirect_is_followed(server: IndexServer) -> None:
    server.add("/simple/demo/", Route(redirect="/moved/demo/"))
    server.add(
        "/moved/demo/",
        Route(body=b'<a href="demo-1.0.tar.gz">d</a>', headers={"Content-Type": "text/html"}),
    )
    (f,) = IndexClient(IndexConfig(index_url=server.url + "/simple")).project_files("demo").files
    assert f.url == f"{server.url}/moved/demo/demo-1.0.tar.gz"  # relative to the final URL


def test_404_is_no_project_and_500_then_200_is_retried(server: IndexServer) -> None:
    t = HttpTransport(retry=FAST)
    client = IndexClient(IndexConfig(index_url=server.url + "/simple"), t)
    assert (
        client.project_files("missing").files == ()
        and client.project_files("missing").problems == ()
    )
    server.add("/simple/flaky/", Route(body=b'<a href="flaky-1.0.tar.gz">f</a>', fail_first=2))
    assert len(client.project_files("flaky").files) == 1
    assert server.routes["/simple/flaky/"].hits == 3


def test_persistent_5xx_is_a_problem_not_an_empty_project(server: IndexServer) -> None:
    server.add("/simple/down/", Route(status=503))
    pf = IndexClient(
        IndexConfig(index_url=server.url + "/simple"), HttpTransport(retry=FAST)
    ).project_files("down")
    assert pf.files == ()
    assert pf.problems and "HTTP 503" in pf.problems[0] and "after 3 attempts" in pf.problems[0]


def test_slow_server_times_out(server: IndexServer) -> None:
    url = server.add("/slow", Route(body=b"x", delay=0.6))
    with pytest.raises(FetchError, match="timed out"):
        HttpTransport(timeout=0.2, retry=RetryPolicy(attempts=2, backoff=0.01)).get(url)


def test_connection_refused() -> None:
    with pytest.raises(FetchError, match="connection failed"):
        HttpTransport(retry=RetryPolicy(attempts=1)).get("http://127.0.0.1:9/nothing")


def test_body_bound(server: IndexServer) -> None:
    url = server.add("/big", Route(body=b"x" * 5000))
    with pytest.raises(TooLarge):
        HttpTransport().get(url, max_bytes=1000)


def test_credentials_are_redacted_everywhere(server: IndexServer) -> None:
    port = server.url.rsplit(":", 1)[1]
    secret_index = f"http://alice:s3cret@127.0.0.1:{port}/private/simple"
    server.add("/private/simple/demo/", Route(status=503))
    pf = IndexClient(IndexConfig(index_url=secret_index), HttpTransport(retry=FAST)).project_files(
        "demo"
    )
    assert "s3cret" not in " ".join(pf.problems) and "alice:****@" in pf.problems[0]
    assert redact_url("https://tok@h/simple") == "https://****@h/simple"
    with pytest.raises(IndexPageError) as info:
        parse_json_page(b"not json", "https://bob:pw@h/simple/x/")
    assert "pw" not in str(info.value)


def test_bad_pages_are_typed(server: IndexServer) -> None:
    server.add("/simple/demo/", Route(body=b'{"meta": {}}', headers={"Content-Type": JSON_TYPE}))
    pf = IndexClient(IndexConfig(index_url=server.url + "/simple")).project_files("demo")
    assert pf.files == () and "not a PEP 691 project page" in pf.problems[0]


def test_an_unreachable_host_is_tried_once_per_run() -> None:
    import socket

    with socket.socket() as s:  # a port nothing listens on: connections are refused
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    t = HttpTransport(retry=FAST)
    with pytest.raises(FetchError, match="after 3 attempts"):
        t.get(f"http://127.0.0.1:{port}/a.conda")
    with pytest.raises(FetchError, match="could not be reached earlier in this run"):
        t.get(f"http://127.0.0.1:{port}/b.conda")


def test_a_url_that_does_not_parse_is_a_fetch_error_and_redacts() -> None:
    with pytest.raises(FetchError, match="not a valid URL"):
        HttpTransport(retry=FAST).get("https://[::1/bad")
    assert redact_url("https://me:s3cret@[::1/bad") == "https://me:****@[::1/bad"
