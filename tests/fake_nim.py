"""A stand-in for running NIMs, reached the way the operator reaches them — as an HTTP proxy
(`HTTP_PROXY`), since the operator under test runs outside the cluster and the Service names it
dials (`<svc>.<namespace>.svc:<port>`) resolve nowhere here. It answers `/v1/models` (and
`/v1/metadata`) per Service host and records each request's Authorization header."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import urlsplit


@dataclass
class FakeNIMs:
    #: host:port -> path -> (status, JSON body)
    answers: dict[str, dict[str, tuple[int, Any]]] = field(default_factory=dict)
    #: (host, path, Authorization header) of every request
    seen: list[tuple[str, str, str]] = field(default_factory=list)
    url: str = ""

    def serve(self, host: str, models: list[dict[str, str]]) -> None:
        self.answers[host] = {"/v1/models": (200, {"object": "list", "data": models})}


def _handler(nims: FakeNIMs) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def log_message(self, format: str, *args: object) -> None:
            return

        def do_GET(self) -> None:
            target = urlsplit(self.path)
            host = target.netloc or self.headers.get("Host", "")
            nims.seen.append((host, target.path, self.headers.get("Authorization", "")))
            code, body = nims.answers.get(host, {}).get(target.path, (404, {"error": "none"}))
            data = json.dumps(body).encode()
            self.send_response(code)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

    return Handler


@contextmanager
def fake_nims() -> Iterator[FakeNIMs]:
    nims = FakeNIMs()
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(nims))
    nims.url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield nims
    finally:
        server.shutdown()
        server.server_close()
