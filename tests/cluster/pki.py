"""A throw-away certificate authority for the local control plane, made with openssl.

One CA signs the apiserver's serving cert, the webhook serving cert (LWS on loopback) and
client certs (the admin in `system:masters`, and any user a test asks for).
"""

from __future__ import annotations

import subprocess
from pathlib import Path

_DAYS = "3650"


def _openssl(*args: str, cwd: Path) -> None:
    subprocess.run(["openssl", *args], cwd=cwd, check=True, capture_output=True)


def ensure_ca(pki: Path) -> None:
    """Create the CA, serving certs and service-account key pair once per state dir."""
    pki.mkdir(parents=True, exist_ok=True)
    if (pki / "sa.pub").exists():
        return
    _openssl("genrsa", "-out", "ca.key", "2048", cwd=pki)
    _openssl(
        "req",
        "-x509",
        "-new",
        "-key",
        "ca.key",
        "-subj",
        "/CN=nimop-local-ca",
        "-days",
        _DAYS,
        "-out",
        "ca.crt",
        "-addext",
        "basicConstraints=critical,CA:TRUE",
        "-addext",
        "keyUsage=critical,keyCertSign,cRLSign",
        cwd=pki,
    )
    sans = ",".join(
        [
            "IP:127.0.0.1",
            "IP:10.96.0.1",
            "DNS:localhost",
            "DNS:kubernetes",
            "DNS:kubernetes.default",
            "DNS:kubernetes.default.svc",
        ]
    )
    _leaf(
        pki,
        "apiserver",
        "/CN=kube-apiserver",
        f"subjectAltName={sans}\nextendedKeyUsage=serverAuth\n",
    )
    _leaf(
        pki, "webhook", "/CN=webhook", "subjectAltName=IP:127.0.0.1\nextendedKeyUsage=serverAuth\n"
    )
    _leaf(pki, "admin", "/O=system:masters/CN=nimop-admin", "extendedKeyUsage=clientAuth\n")
    _openssl("genrsa", "-out", "sa.key", "2048", cwd=pki)
    _openssl("rsa", "-in", "sa.key", "-pubout", "-out", "sa.pub", cwd=pki)


def client_cert(pki: Path, name: str, user: str, groups: tuple[str, ...] = ()) -> tuple[Path, Path]:
    """A client certificate for `user` in `groups` (organisation fields), created once."""
    crt, key = pki / f"{name}.crt", pki / f"{name}.key"
    if not crt.exists():
        subject = "".join(f"/O={g}" for g in groups) + f"/CN={user}"
        _leaf(pki, name, subject, "extendedKeyUsage=clientAuth\n")
    return crt, key


def _leaf(pki: Path, name: str, subject: str, extensions: str) -> None:
    _openssl("genrsa", "-out", f"{name}.key", "2048", cwd=pki)
    _openssl("req", "-new", "-key", f"{name}.key", "-subj", subject, "-out", f"{name}.csr", cwd=pki)
    (pki / f"{name}.ext").write_text(extensions)
    _openssl(
        "x509",
        "-req",
        "-in",
        f"{name}.csr",
        "-CA",
        "ca.crt",
        "-CAkey",
        "ca.key",
        "-CAcreateserial",
        "-days",
        _DAYS,
        "-extfile",
        f"{name}.ext",
        "-out",
        f"{name}.crt",
        cwd=pki,
    )
