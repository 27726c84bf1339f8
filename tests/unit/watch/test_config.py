"""Connection settings: kubeconfig users with a token, a token file (re-read as it rotates) or
a client certificate; TLS from inline or file CAs; the chosen context; in-cluster service
account; everything else handed to kubernetes_asyncio."""

from __future__ import annotations

import base64
import datetime
import ssl
from pathlib import Path
from typing import Any

import pytest
import yaml
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from nimop.watch import config
from nimop.watch.config import load_client_config


def self_signed() -> tuple[bytes, bytes]:
    """(certificate PEM, key PEM) of a throwaway CA."""
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "test-ca")])
    now = datetime.datetime.now(datetime.UTC)
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(1)
        .not_valid_before(now).not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())  # fmt: skip
    return cert.public_bytes(serialization.Encoding.PEM), key_pem


def kubeconfig(path: Path, users: dict[str, Any], clusters: dict[str, Any], current: str) -> Path:
    doc = {
        "apiVersion": "v1", "kind": "Config", "current-context": current,
        "clusters": [{"name": n, "cluster": c} for n, c in clusters.items()],
        "users": [{"name": n, "user": u} for n, u in users.items()],
        "contexts": [{"name": n, "context": {"cluster": n, "user": n}} for n in clusters],
    }  # fmt: skip
    path.write_text(yaml.safe_dump(doc))
    return path


@pytest.fixture(autouse=True)
def outside_a_cluster(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KUBERNETES_SERVICE_HOST", raising=False)
    monkeypatch.delenv("KUBECONFIG", raising=False)


async def test_token_user_and_the_chosen_context(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "config", {"a": {"token": "tok-a"}, "b": {"token": "tok-b"}},
                      {"a": {"server": "http://a:8080/"}, "b": {"server": "http://b:8080"}},
                      current="a")  # fmt: skip
    cfg = await load_client_config(path)
    assert cfg.server == "http://a:8080" and cfg.ssl_context is False
    assert await cfg.auth_headers() == {"Authorization": "Bearer tok-a"}
    other = await load_client_config(path, context="b", qps=5.0)
    assert other.server == "http://b:8080" and other.qps == 5.0
    assert await other.auth_headers() == {"Authorization": "Bearer tok-b"}


async def test_a_token_file_is_re_read_once_a_minute(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "token").write_text("first\n")
    path = kubeconfig(tmp_path / "config", {"c": {"tokenFile": "token"}},
                      {"c": {"server": "http://c"}}, current="c")  # fmt: skip
    now = [100.0]
    monkeypatch.setattr(config.time, "monotonic", lambda: now[0])
    cfg = await load_client_config(path)
    assert await cfg.auth_headers() == {"Authorization": "Bearer first"}
    (tmp_path / "token").write_text("rotated\n")
    now[0] += 30
    assert await cfg.auth_headers() == {"Authorization": "Bearer first"}, "cached"
    now[0] += 31
    assert await cfg.auth_headers() == {"Authorization": "Bearer rotated"}


async def test_client_certificates_and_certificate_authorities(tmp_path: Path) -> None:
    cert, key = self_signed()
    (tmp_path / "ca.crt").write_bytes(cert)
    user = {"client-certificate-data": base64.b64encode(cert).decode(),
            "client-key-data": base64.b64encode(key).decode()}  # fmt: skip
    clusters = {"inline": {"server": "https://x", "certificate-authority-data":
                           base64.b64encode(cert).decode()},
                "file": {"server": "https://x", "certificate-authority": "ca.crt"},
                "insecure": {"server": "https://x", "insecure-skip-tls-verify": True}}  # fmt: skip
    path = kubeconfig(tmp_path / "config", dict.fromkeys(clusters, user), clusters, "inline")
    for name in clusters:
        cfg = await load_client_config(path, context=name)
        assert isinstance(cfg.ssl_context, ssl.SSLContext)
        assert cfg.ssl_context.check_hostname is (name != "insecure")
        if name != "insecure":
            assert cfg.ssl_context.get_ca_certs(), "the cluster's CA is trusted"
        assert await cfg.auth_headers() == {}, "the certificate is the credential"


async def test_in_cluster_service_account(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    cert, _ = self_signed()
    (tmp_path / "token").write_text("sa-token")
    (tmp_path / "ca.crt").write_bytes(cert)
    monkeypatch.setattr(config, "SERVICE_ACCOUNT_DIR", tmp_path)
    monkeypatch.setenv("KUBERNETES_SERVICE_HOST", "fd00::1")
    monkeypatch.setenv("KUBERNETES_SERVICE_PORT", "443")
    cfg = await load_client_config()
    assert cfg.server == "https://[fd00::1]:443"
    assert await cfg.auth_headers() == {"Authorization": "Bearer sa-token"}


async def test_other_users_are_loaded_by_kubernetes_asyncio(tmp_path: Path) -> None:
    path = kubeconfig(tmp_path / "config", {"basic": {"username": "u", "password": "p"}},
                      {"basic": {"server": "http://basic:8080"}}, current="basic")  # fmt: skip
    cfg = await load_client_config(path)
    assert cfg.k8s_config is not None and cfg.server == "http://basic:8080"
    headers = await cfg.auth_headers()
    assert headers["Authorization"] == "Basic " + base64.b64encode(b"u:p").decode()


def test_the_user_agent_names_nimop() -> None:
    assert config.default_user_agent().startswith("nimop/")
