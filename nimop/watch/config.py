"""Connection settings: kubeconfig or in-cluster config, loaded by kubernetes_asyncio.

Only the loading (kubeconfig parsing, exec plugins, in-cluster token refresh) is borrowed from
kubernetes_asyncio; requests go over the framework's own aiohttp sessions (see ``client.py``).
"""

from __future__ import annotations

import importlib.metadata
import os
import ssl
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

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
    qps: float = 50.0
    burst: int = 100
    request_timeout: float = 30.0
    user_agent: str = field(default_factory=default_user_agent)
    field_manager: str = "nimop"

    async def auth_headers(self) -> dict[str, str]:
        cfg = self.k8s_config
        if cfg is None:
            return {}
        token = await cfg.get_api_key_with_prefix("authorization")
        if token:
            return {"Authorization": str(token)}
        if cfg.username or cfg.password:
            return {"Authorization": str(cfg.get_basic_auth_token())}
        return {}


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
