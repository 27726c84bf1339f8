"""A real OCI registry on loopback for tests (go-containerregistry's `registry`, built by
tests/tools), images pushed to it with `crane`, and a token-auth front: the registry has no
authentication of its own, so pull-secret tests go through a small front that speaks the
registry token handshake (401 + `WWW-Authenticate: Bearer`, a token for Basic credentials)
and forwards authorized reads to the real registry. Nothing here reaches a public registry."""

from __future__ import annotations

import base64
import json
import subprocess
import tarfile
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from io import BytesIO
from pathlib import Path

from tests.operator_process import free_port
from tests.tools import ensure
from tests.tools.catalog import CRANE, REGISTRY

TOKEN = "registry-test-token"


class Registry:
    """The registry process and the pushes to it."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        self.port = free_port()
        self.host = f"127.0.0.1:{self.port}"
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> Registry:
        log = (self.workdir / "registry.log").open("wb")
        self.proc = subprocess.Popen([str(ensure(REGISTRY)), "-port", str(self.port)],
                                     stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(f"http://{self.host}/v2/", timeout=1).close()
                return self
            except OSError:
                time.sleep(0.1)
        raise RuntimeError(f"the registry did not start; see {self.workdir}/registry.log")

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=10)

    def crane(self, *args: str) -> str:
        out = subprocess.run([str(ensure(CRANE)), *args, "--insecure"], capture_output=True,
                             text=True, check=True, timeout=60)  # fmt: skip
        return out.stdout.strip()

    def push(self, repo: str, tag: str, labels: dict[str, str], platform: str = "linux/amd64"
             ) -> str:  # fmt: skip
        """Push a one-layer image whose config carries `labels`; returns its reference."""
        layer = self.workdir / "layer.tar"
        if not layer.exists():
            with tarfile.open(layer, "w") as tar:
                info = tarfile.TarInfo("hello")
                info.size = 3
                tar.addfile(info, BytesIO(b"hi\n"))
        ref = f"{self.host}/{repo}:{tag}"
        self.crane("append", "-f", str(layer), "-t", ref)
        args = [f"--label={k}={v}" for k, v in labels.items()]
        self.crane("mutate", ref, *args, f"--set-platform={platform}", "-t", ref)
        return ref

    def index(self, repo: str, tag: str, *manifests: str) -> str:
        ref = f"{self.host}/{repo}:{tag}"
        self.crane("index", "append", *[f"-m={m}" for m in manifests], "-t", ref)
        return ref


class _Front(BaseHTTPRequestHandler):
    upstream = ""
    user = ""
    password = ""

    def log_message(self, format: str, *args: object) -> None:  # quiet
        return

    def do_GET(self) -> None:
        host = self.headers.get("Host", "")
        if self.path.startswith("/token"):
            expected = "Basic " + base64.b64encode(f"{self.user}:{self.password}".encode()).decode()
            if self.headers.get("Authorization") != expected:
                return self._send(401, b'{"details":"bad credentials"}', "application/json")
            return self._send(200, json.dumps({"token": TOKEN}).encode(), "application/json")
        if self.headers.get("Authorization") != f"Bearer {TOKEN}":
            challenge = f'Bearer realm="http://{host}/token",service="front"'
            return self._send(401, b'{"errors":[{"code":"UNAUTHORIZED"}]}', "application/json",
                              {"WWW-Authenticate": challenge})  # fmt: skip
        request = urllib.request.Request(self.upstream + self.path,
                                         headers={"Accept": self.headers.get("Accept", "*/*")})
        try:
            with urllib.request.urlopen(request, timeout=10) as resp:
                self._send(resp.status, resp.read(), resp.headers.get("Content-Type", ""))
        except urllib.error.HTTPError as exc:
            self._send(exc.code, exc.read(), exc.headers.get("Content-Type", ""))

    def _send(self, code: int, body: bytes, ctype: str, extra: dict[str, str] | None = None
              ) -> None:  # fmt: skip
        self.send_response(code)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(body)))
        for key, value in (extra or {}).items():
            self.send_header(key, value)
        self.end_headers()
        self.wfile.write(body)


@contextmanager
def token_front(registry: Registry, user: str, password: str) -> Iterator[str]:
    """A token-authenticated view of `registry` on loopback; yields its host:port."""
    handler = type("Front", (_Front,), {"upstream": f"http://{registry.host}", "user": user,
                                        "password": password})  # fmt: skip
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def pull_secret(name: str, host: str, user: str, password: str) -> dict[str, object]:
    auths = {"auths": {host: {"username": user, "password": password}}}
    data = base64.b64encode(json.dumps(auths).encode()).decode()
    return {"apiVersion": "v1", "kind": "Secret", "type": "kubernetes.io/dockerconfigjson",
            "metadata": {"name": name}, "data": {".dockerconfigjson": data}}  # fmt: skip
