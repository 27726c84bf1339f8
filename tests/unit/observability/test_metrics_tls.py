"""`--metrics-secure` serves TLS: a self-signed certificate without `--metrics-cert-path`, the
given pair with it; the settings accept the flags."""

from __future__ import annotations

import ssl
from pathlib import Path

import pytest

from nimop.cli import build_parser
from nimop.watch.flags import settings_from_args
from nimop.watch.metricsauth import _self_signed, server_ssl_context


def test_self_signed_context_and_cert_dir(tmp_path: Path) -> None:
    assert isinstance(server_ssl_context(None), ssl.SSLContext)
    cert, key = _self_signed()
    (tmp_path / "tls.crt").write_bytes(cert)
    (tmp_path / "tls.key").write_bytes(key)
    assert isinstance(server_ssl_context(tmp_path), ssl.SSLContext)
    with pytest.raises(FileNotFoundError):
        server_ssl_context(tmp_path / "missing")


def test_metrics_secure_flags() -> None:
    args = build_parser().parse_args(["run", "--metrics-secure", "--metrics-cert-path", "/certs"])
    s = settings_from_args(args)
    assert s.metrics_secure and s.metrics_cert_path == Path("/certs")
