"""A real HTTP server on 127.0.0.1 for the index tests: routes, Range, faults, a request log."""

from __future__ import annotations

import re
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


@dataclass
class Route:
    body: bytes = b""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    ranges: bool = True  # honour Range requests
    delay: float = 0.0  # seconds before answering
    fail_first: int = 0  # answer 500 this many times first
    redirect: str | None = None
    etag: str | None = None  # answer 304 to a matching If-None-Match
    dynamic: Callable[[dict[str, str]], tuple[int, dict[str, str], bytes]] | None = None
    hits: int = 0


@dataclass
class Seen:
    path: str
    headers: dict[str, str]


class IndexServer:
    def __init__(self) -> None:
        self.routes: dict[str, Route] = {}
        self.log: list[Seen] = []
        #: the most requests answered at the same time (shows concurrency without a clock)
        self.max_in_flight = 0
        self._in_flight = 0
        self._lock = threading.Lock()
        handler = self._handler()
        self.httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.httpd.daemon_threads = True
        self.thread = threading.Thread(
            target=self.httpd.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self.thread.start()

    @property
    def url(self) -> str:
        host, port = self.httpd.server_address[:2]
        assert isinstance(host, str)
        return f"http://{host}:{port}"

    def add(self, path: str, route: Route | bytes | str, **kw: object) -> str:
        if isinstance(route, (bytes, str)):
            route = Route(body=route.encode() if isinstance(route, str) else route, **kw)  # type: ignore[arg-type]
        self.routes[path] = route
        return self.url + path

    def requests(self, path: str) -> list[Seen]:
        return [s for s in self.log if s.path == path]

    def close(self) -> None:
        self.httpd.shutdown()
        self.httpd.server_close()

    def _handler(self) -> type[BaseHTTPRequestHandler]:
        server = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args: object) -> None:  # keep test output clean
                pass

            def do_GET(self) -> None:
                with server._lock:
                    server._in_flight += 1
                    server.max_in_flight = max(server.max_in_flight, server._in_flight)
                try:
                    self._get()
                finally:
                    with server._lock:
                        server._in_flight -= 1

            def _get(self) -> None:
                headers = {k.lower(): v for k, v in self.headers.items()}
                server.log.append(Seen(self.path, headers))
                route = server.routes.get(self.path)
                if route is None:
                    self._send(404, {}, b"not found")
                    return
                route.hits += 1
                if route.delay:
                    time.sleep(route.delay)
                if route.hits <= route.fail_first:
                    self._send(500, {}, b"boom")
                    return
                if route.redirect:
                    self._send(302, {"Location": route.redirect}, b"")
                    return
                if route.dynamic:
                    status, hdrs, body = route.dynamic(headers)
                    self._send(status, hdrs, body)
                    return
                if route.etag and headers.get("if-none-match") == route.etag:
                    self._send(304, {"ETag": route.etag}, b"")
                    return
                extra = dict(route.headers)
                if not any(k.lower() == "content-type" for k in extra):
                    # a real index answers pages with their type (pip skips any other page)
                    extra["Content-Type"] = (
                        "application/vnd.pypi.simple.v1+json"
                        if route.body.lstrip()[:1] == b"{"
                        else "text/html"
                        if not self.path.endswith((".whl", ".metadata", ".tar.gz", ".zip"))
                        else "application/octet-stream"
                    )
                if route.etag:
                    extra["ETag"] = route.etag
                rng = headers.get("range")
                if rng and route.ranges and route.status == 200:
                    body = route.body
                    m = re.fullmatch(r"bytes=(\d*)-(\d*)", rng)
                    assert m
                    a, b = m.groups()
                    size = len(body)
                    start, end = (
                        (size - int(b), size - 1)
                        if not a
                        else (int(a), min(size - 1, int(b)) if b else size - 1)
                    )
                    start = max(0, start)
                    extra["Content-Range"] = f"bytes {start}-{end}/{size}"
                    self._send(206, extra, body[start : end + 1])
                    return
                self._send(route.status, extra, route.body)

            def _send(self, status: int, headers: dict[str, str], body: bytes) -> None:
                try:
                    self.send_response(status)
                    for k, v in headers.items():
                        self.send_header(k, v)
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body)
                except (BrokenPipeError, ConnectionResetError):
                    pass  # the client gave up (timeouts): expected in fault tests

        return Handler
