"""Connection settings: kubeconfig or in-cluster config.

The common shapes — in-cluster service account (token file re-read every minute, as
client-go's ``cachingTokenSource``), and a kubeconfig whose user is a client certificate or a
static token — are read here directly. Anything else (exec plugins, auth providers, basic auth,
merged ``$KUBECONFIG`` lists, proxies) is loaded by kubernetes_asyncio. Importing it costs
~64 MiB RSS and 1-2 s (its client package imports every API model), which the common shapes
never pay. Requests always go over the framework's own aiohttp sessions (see ``client.py``).
"""

from __future__ import annotations

import base64
import errno
import importlib.metadata
import os
import ssl
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

__all__ = ["ClientConfig", "default_user_agent", "load_client_config"]


def default_user_agent() -> str:
    try:
        version = importlib.metadata.version("nimop")
    except importlib.metadata.PackageNotFoundError:  # pragma: no cover - running from a tree
        version = "0.0.0"
    return f"nimop/{version}"


@dataclass
class ClientConfig:
    """Everything the REST client needs; ``qps <= 0`` disables client-side rate limiting."""

    server: str
    ssl_context: ssl.SSLContext | bool | None = None
    k8s_config: Any = None  # kubernetes_asyncio Configuration, for token refresh
    token: str | None = None  # a static bearer token
    token_file: Path | None = None  # re-read every minute (projected tokens rotate)
    _token_cache: tuple[float, str] | None = field(default=None, init=False, repr=False)
    qps: float = 50.0
    burst: int = 100
    request_timeout: float = 30.0
    user_agent: str = field(default_factory=default_user_agent)
    field_manager: str = "nimop"

    async def auth_headers(self) -> dict[str, str]:
        if self.token_file is not None:
            return {"Authorization": f"Bearer {self._file_token()}"}
        if self.token:
            return {"Authorization": f"Bearer {self.token}"}
        cfg = self.k8s_config
        if cfg is None:
            return {}
        # kubernetes_asyncio keys the header value "BearerToken" (older releases:
        # "authorization"); basic auth, exec plugins and auth providers all land there
        token = await cfg.get_api_key_with_prefix("BearerToken", alias="authorization")
        if token:
            return {"Authorization": str(token)}
        if cfg.username or cfg.password:
            return {"Authorization": str(cfg.get_basic_auth_token())}
        return {}

    def _file_token(self) -> str:
        now, cached = time.monotonic(), self._token_cache
        if cached is None or now - cached[0] > 60.0:
            assert self.token_file is not None
            cached = self._token_cache = (now, self.token_file.read_text().strip())
        return cached[1]


def _ssl_context(cfg: Any) -> ssl.SSLContext | bool:
    if not cfg.host.startswith("https"):
        return False
    ctx = ssl.create_default_context(cafile=cfg.ssl_ca_cert)
    if cfg.cert_file:
        ctx.load_cert_chain(cfg.cert_file, keyfile=cfg.key_file)
    if not cfg.verify_ssl:
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    return ctx


async def load_client_config(
    kubeconfig: Path | str | None = None, *, context: str | None = None, **overrides: Any
) -> ClientConfig:
    """Load from ``kubeconfig`` (or ``$KUBECONFIG``/``~/.kube/config``), else in-cluster."""
    fast = _load_simple(kubeconfig, context)
    if fast is not None:
        return ClientConfig(**fast, **overrides)
    _require_kubeconfig(kubeconfig)
    from kubernetes_asyncio import config as k8s_config
    from kubernetes_asyncio.client import Configuration

    cfg = Configuration()
    in_cluster = kubeconfig is None and "KUBERNETES_SERVICE_HOST" in os.environ
    if in_cluster:
        k8s_config.load_incluster_config(  # type: ignore[no-untyped-call]
            client_configuration=cfg, try_refresh_token=True
        )
    else:
        await k8s_config.load_kube_config(
            config_file=str(kubeconfig) if kubeconfig else None,
            context=context,
            client_configuration=cfg,
        )
    return ClientConfig(
        server=str(cfg.host).rstrip("/"), ssl_context=_ssl_context(cfg), k8s_config=cfg, **overrides
    )


def _require_kubeconfig(kubeconfig: Path | str | None) -> None:
    """FileNotFoundError naming the kubeconfig that does not exist (no in-cluster config)."""
    if kubeconfig is None and "KUBERNETES_SERVICE_HOST" in os.environ:
        return
    env = os.environ.get("KUBECONFIG", "").strip(os.pathsep)
    if kubeconfig is None and os.pathsep in env:
        return  # a merged list: any of them may exist
    path = Path(kubeconfig or env or Path.home() / ".kube" / "config").expanduser()
    if not path.exists():
        raise FileNotFoundError(errno.ENOENT, "kubeconfig does not exist", str(path))


SERVICE_ACCOUNT_DIR = Path("/var/run/secrets/kubernetes.io/serviceaccount")
_USER_KEYS = frozenset({"client-certificate", "client-certificate-data", "client-key",
                        "client-key-data", "token", "tokenFile"})  # fmt: skip
_CLUSTER_KEYS = frozenset({"server", "certificate-authority", "certificate-authority-data",
                           "insecure-skip-tls-verify", "extensions"})  # fmt: skip


def _load_simple(kubeconfig: Path | str | None, context: str | None) -> dict[str, Any] | None:
    """ClientConfig fields for the common shapes, or None to defer to kubernetes_asyncio."""
    if kubeconfig is None and "KUBERNETES_SERVICE_HOST" in os.environ:
        return _in_cluster()
    env = os.environ.get("KUBECONFIG", "")
    if kubeconfig is None and os.pathsep in env.strip(os.pathsep):
        return None  # a merged list: kubernetes_asyncio implements the merge rules
    path = Path(kubeconfig or env.strip(os.pathsep) or Path.home() / ".kube" / "config")
    try:
        doc = yaml.safe_load(path.expanduser().read_text())
        name = context or doc["current-context"]
        ctx = _named(doc, "contexts", name)["context"]
        cluster = _named(doc, "clusters", ctx["cluster"])["cluster"]
        user = _named(doc, "users", ctx["user"]).get("user") or {}
    except (OSError, KeyError, TypeError, StopIteration, yaml.YAMLError):
        return None  # let kubernetes_asyncio report what is wrong, in its words
    if set(user) - _USER_KEYS or set(cluster) - _CLUSTER_KEYS:
        return None
    base = path.expanduser().resolve().parent
    server = str(cluster["server"]).rstrip("/")
    out: dict[str, Any] = {"server": server, "ssl_context": False}
    if server.startswith("https"):
        out["ssl_context"] = _tls(cluster, user, base)
    if user.get("tokenFile"):
        out["token_file"] = base / user["tokenFile"]
    elif user.get("token"):
        out["token"] = str(user["token"])
    return out


def _named(doc: dict[str, Any], section: str, name: str) -> dict[str, Any]:
    entry: dict[str, Any] = next(e for e in doc[section] or () if e.get("name") == name)
    return entry


def _pem(entry: dict[str, Any], key: str, base: Path) -> bytes | None:
    if entry.get(f"{key}-data"):
        return base64.b64decode(entry[f"{key}-data"])
    if entry.get(key):
        return (base / str(entry[key])).read_bytes()
    return None


def _tls(cluster: dict[str, Any], user: dict[str, Any], base: Path) -> ssl.SSLContext:
    ca = _pem(cluster, "certificate-authority", base)
    ctx = ssl.create_default_context(cadata=ca.decode() if ca else None)
    if cluster.get("insecure-skip-tls-verify"):
        ctx.check_hostname = False
        ctx.verify_mode = ssl.CERT_NONE
    cert, key = _pem(user, "client-certificate", base), _pem(user, "client-key", base)
    if cert and key:
        # the ssl module loads key pairs from files only: a private, short-lived directory
        with tempfile.TemporaryDirectory(prefix="nimop-tls-") as tmp:
            cert_path, key_path = Path(tmp) / "tls.crt", Path(tmp) / "tls.key"
            cert_path.write_bytes(cert)
            key_path.touch(mode=0o600)
            key_path.write_bytes(key)
            ctx.load_cert_chain(cert_path, key_path)
    return ctx


def _in_cluster() -> dict[str, Any] | None:
    host, port = os.environ["KUBERNETES_SERVICE_HOST"], os.environ.get("KUBERNETES_SERVICE_PORT")
    token, ca = SERVICE_ACCOUNT_DIR / "token", SERVICE_ACCOUNT_DIR / "ca.crt"
    if not (port and token.is_file() and ca.is_file()):
        return None
    if ":" in host:
        host = f"[{host}]"
    ctx = ssl.create_default_context(cafile=str(ca))
    return {"server": f"https://{host}:{port}", "ssl_context": ctx, "token_file": token}
