"""Authenticated metrics, as controller-runtime's ``--metrics-secure`` with
``filters.WithAuthenticationAndAuthorization``: HTTPS, and every request must carry a bearer
token the apiserver authenticates (TokenReview) for a user it authorizes to ``get`` the
non-resource URL requested (SubjectAccessReview) — what a Prometheus scraping with its
ServiceAccount token and a ClusterRole granting ``nonResourceURLs: [/metrics]`` has.

Verdicts are cached per token (allowed for a minute, denied for ten seconds, like the
delegating authenticator/authorizer caches), so a scrape every 30 s costs two review
requests a minute, not two per scrape. The operator then needs ``create`` on
``tokenreviews`` and ``subjectaccessreviews`` (``nimop.permissions.METRICS_AUTH``).
"""

from __future__ import annotations

import datetime
import hashlib
import ipaddress
import socket
import ssl
import tempfile
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import Any

import structlog
from aiohttp import web

from .client import KubeClient
from .clock import Clock, SystemClock
from .errors import KubeError
from .objects import ResourceRef

__all__ = ["MetricsAuth", "server_ssl_context"]

log = structlog.get_logger("nimop.watch.metricsauth")
TOKEN_REVIEWS = ResourceRef("authentication.k8s.io", "v1", "TokenReview", "tokenreviews", False)
ACCESS_REVIEWS = ResourceRef(
    "authorization.k8s.io", "v1", "SubjectAccessReview", "subjectaccessreviews", False
)
Handler = Callable[[web.Request], Awaitable[web.StreamResponse]]


class MetricsAuth:
    """An aiohttp middleware: 401 without a valid token, 403 without RBAC, else the handler."""

    def __init__(self, client: KubeClient, clock: Clock | None = None,
                 allowed_ttl: float = 60.0, denied_ttl: float = 10.0) -> None:  # fmt: skip
        self._client = client
        self._clock = clock or SystemClock()
        self._ttl = {True: allowed_ttl, False: denied_ttl}
        self._cache: dict[tuple[str, str], tuple[float, int, str]] = {}

    @web.middleware
    async def middleware(self, request: web.Request, handler: Handler) -> web.StreamResponse:
        scheme, _, token = request.headers.get("Authorization", "").partition(" ")
        if scheme.lower() != "bearer" or not token.strip():
            return web.Response(status=401, text="Unauthorized: a bearer token is required\n")
        status, text = await self._verdict(token.strip(), request.path)
        if status != 200:
            return web.Response(status=status, text=text)
        return await handler(request)

    async def _verdict(self, token: str, path: str) -> tuple[int, str]:
        key = (hashlib.sha256(token.encode()).hexdigest(), path)
        cached = self._cache.get(key)
        if cached is not None and cached[0] > self._clock.now():
            return cached[1], cached[2]
        try:
            status, text = await self._review(token, path)
        except KubeError as exc:  # not cached: the apiserver may answer the next scrape
            log.warning("metrics authentication failed", error=str(exc))
            return 503, "Authentication or authorization could not be checked\n"
        self._cache[key] = (self._clock.now() + self._ttl[status == 200], status, text)
        return status, text

    async def _review(self, token: str, path: str) -> tuple[int, str]:
        review = await self._client.create(TOKEN_REVIEWS, {
            "apiVersion": "authentication.k8s.io/v1", "kind": "TokenReview",
            "spec": {"token": token}})  # fmt: skip
        status = review.get("status") or {}
        if not status.get("authenticated"):
            return 401, "Unauthorized: the apiserver did not authenticate the token\n"
        user: dict[str, Any] = status.get("user") or {}
        spec = {"user": user.get("username"), "groups": user.get("groups") or [],
                "nonResourceAttributes": {"path": path, "verb": "get"}}  # fmt: skip
        if user.get("uid"):
            spec["uid"] = user["uid"]
        if user.get("extra"):
            spec["extra"] = user["extra"]
        access = await self._client.create(ACCESS_REVIEWS, {
            "apiVersion": "authorization.k8s.io/v1", "kind": "SubjectAccessReview",
            "spec": spec})  # fmt: skip
        if not (access.get("status") or {}).get("allowed"):
            return 403, (f"Forbidden: user {user.get('username')!r} may not get {path} (grant "
                         "nonResourceURLs: [/metrics], verbs: [get])\n")  # fmt: skip
        return 200, ""


def server_ssl_context(cert_dir: Path | None) -> ssl.SSLContext:
    """TLS for the metrics server: ``tls.crt``/``tls.key`` from ``cert_dir``, else a
    self-signed certificate made now (what controller-runtime does without a CertDir)."""
    ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    ctx.minimum_version = ssl.TLSVersion.TLSv1_2
    if cert_dir is not None:
        ctx.load_cert_chain(cert_dir / "tls.crt", cert_dir / "tls.key")
        return ctx
    cert, key = _self_signed()
    with tempfile.TemporaryDirectory(prefix="nimop-metrics-tls-") as tmp:
        cert_path, key_path = Path(tmp) / "tls.crt", Path(tmp) / "tls.key"
        cert_path.write_bytes(cert)
        key_path.touch(mode=0o600)
        key_path.write_bytes(key)
        ctx.load_cert_chain(cert_path, key_path)
    return ctx


def _self_signed() -> tuple[bytes, bytes]:
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "nimop-metrics")])
    now = datetime.datetime.now(datetime.UTC)
    sans = [x509.DNSName("localhost"), x509.DNSName(socket.gethostname()),
            x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]  # fmt: skip
    cert = (
        x509.CertificateBuilder().subject_name(name).issuer_name(name)
        .public_key(key.public_key()).serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=365))
        .add_extension(x509.SubjectAlternativeName(sans), critical=False)
        .sign(key, hashes.SHA256())
    )  # fmt: skip
    key_pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                                serialization.NoEncryption())  # fmt: skip
    return cert.public_bytes(serialization.Encoding.PEM), key_pem
