"""Errors for people: each expected failure of a `nimop` command is one or two lines naming the
cause and the fix, with a non-zero exit; `--debug` shows the traceback instead."""

from __future__ import annotations

import os
import socket
from pathlib import Path
from typing import Any

import pytest

from nimop.cli import main


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [k for k in os.environ if k.startswith("NIMOP_") or k.startswith("KUBE")]:
        monkeypatch.delenv(name)
    monkeypatch.setenv("HOME", str(tmp_path / "home"))


def short_error(capsys: Any) -> str:
    """stderr, asserted to be at most two lines and no traceback."""
    err: str = capsys.readouterr().err
    assert len(err.strip().splitlines()) <= 2, err
    assert "Traceback" not in err
    return err


def refused_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port: int = s.getsockname()[1]
    return port  # closed again: connecting is refused


def kubeconfig(tmp_path: Path, server: str) -> Path:
    path = tmp_path / "kubeconfig"
    path.write_text(
        "apiVersion: v1\nkind: Config\ncurrent-context: x\n"
        f"clusters: [{{name: c, cluster: {{server: '{server}'}}}}]\n"
        "users: [{name: u, user: {token: t}}]\n"
        "contexts: [{name: x, context: {cluster: c, user: u}}]\n"
    )
    return path


def test_missing_kubeconfig_names_the_path_and_the_flag(tmp_path: Path, capsys: Any) -> None:
    assert main(["run", "--kubeconfig", str(tmp_path / "nope")]) == 2
    err = short_error(capsys)
    assert f"kubeconfig {tmp_path / 'nope'} does not exist. Fix: pass --kubeconfig PATH" in err


def test_no_kubeconfig_at_all_names_the_default_path(tmp_path: Path, capsys: Any) -> None:
    assert main(["run"]) == 2
    assert f"kubeconfig {tmp_path / 'home' / '.kube' / 'config'} does not exist" in short_error(
        capsys
    )


def test_unreachable_apiserver_names_the_address(tmp_path: Path, capsys: Any) -> None:
    port = refused_port()
    path = kubeconfig(tmp_path, f"http://127.0.0.1:{port}")
    assert main(["run", "--kubeconfig", str(path), "--metrics-bind-address=0",
                 "--health-probe-bind-address=0"]) == 1  # fmt: skip
    err = short_error(capsys)
    assert f"cannot reach the Kubernetes apiserver at 127.0.0.1:{port}" in err
    assert "kubectl cluster-info" in err


def test_debug_shows_the_traceback(tmp_path: Path) -> None:
    with pytest.raises(FileNotFoundError):
        main(["run", "--debug", "--kubeconfig", str(tmp_path / "nope")])
    from nimop.cli_errors import UserError

    with pytest.raises(UserError, match="does not exist"):
        main(["--debug", "render", "-f", str(tmp_path / "nope.yaml")])


def test_render_missing_file(tmp_path: Path, capsys: Any) -> None:
    assert main(["render", "-f", str(tmp_path / "nope.yaml")]) == 2
    assert f"{tmp_path / 'nope.yaml'} does not exist. Fix: pass a YAML file" in short_error(capsys)


def test_render_bad_yaml_names_file_and_line(tmp_path: Path, capsys: Any) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("kind: NIMService\nspec: [\n")
    assert main(["render", "-f", str(bad)]) == 2
    err = short_error(capsys)
    assert f"{bad}:3:1: not valid YAML" in err


class _Refusing:
    """An HTTP server answering every request with one apiserver Status (401 or 403)."""

    def __init__(self, code: int) -> None:
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, HTTPServer

        status = {"kind": "Status", "apiVersion": "v1", "status": "Failure", "code": code,
                  "reason": "Unauthorized" if code == 401 else "Forbidden",
                  "message": 'forbidden: User "x" cannot get path "/api"'}  # fmt: skip
        body = json.dumps(status).encode()

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                self.send_response(code)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *_: Any) -> None:
                pass

        self.server = HTTPServer(("127.0.0.1", 0), Handler)
        threading.Thread(target=self.server.serve_forever, daemon=True).start()
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.mark.parametrize(("code", "words"), [
    (401, "rejected nimop's credentials (401 Unauthorized). Fix: refresh"),
    (403, "refused a request (403 Forbidden: forbidden: User"),
])  # fmt: skip
def test_refused_credentials_name_the_fix(
    tmp_path: Path, capsys: Any, code: int, words: str
) -> None:
    server = _Refusing(code)
    try:
        path = kubeconfig(tmp_path, server.url)
        assert main(["run", "--kubeconfig", str(path), "--metrics-bind-address=0",
                     "--health-probe-bind-address=0"]) == 1  # fmt: skip
        assert words in short_error(capsys)
    finally:
        server.server.shutdown()
