"""Operator runtime settings: ``nimop run`` flags and ``NIMOP_*`` environment variables.

Every setting has an environment variable (``NIMOP_`` + the field name, upper case) and a flag
named as controller-runtime's scaffold, client-go or component-base names it
(``--leader-elect``, ``--metrics-bind-address``, ``--kube-api-qps``, ...), so the ``args`` of an
upstream Helm chart carry over. Flags win over the environment (pydantic-settings: init values
beat environment values). Lists accept JSON (``["a","b"]``) or commas (``a,b``); durations
accept seconds (``15``) or Go durations (``15s``, ``1m30s``, ``10h``), as the Go flags do.

Defaults suit a developer laptop (loopback endpoints, console logs when attached to a
terminal); the Deployment manifest sets the in-cluster values (``0.0.0.0`` binds, leader
election on). A bind address of ``0`` turns that server off, as in controller-runtime.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Annotated, Any, Literal

from pydantic import BeforeValidator, Field, field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

__all__ = ["DISABLED", "ENV_PREFIX", "Seconds", "WatchSettings", "parse_duration"]

ENV_PREFIX = "NIMOP_"
#: The bind address that turns a server off (controller-runtime: ``--metrics-bind-address=0``).
DISABLED = "0"
_SA_NAMESPACE = Path("/var/run/secrets/kubernetes.io/serviceaccount/namespace")
_GO_UNITS = {"ns": 1e-9, "us": 1e-6, "µs": 1e-6, "ms": 1e-3, "s": 1.0, "m": 60.0, "h": 3600.0}
_GO_DURATION = re.compile(r"(\d+(?:\.\d*)?|\.\d+)(ns|us|µs|ms|s|m|h)")


def parse_duration(value: Any) -> Any:
    """Seconds from a number or a Go duration string (``time.ParseDuration``: ``1h2m3.5s``)."""
    if not isinstance(value, str):
        return value
    text = value.strip()
    try:
        return float(text)
    except ValueError:
        pass
    parts = _GO_DURATION.findall(text)
    if not parts or "".join(n + u for n, u in parts) != text:
        raise ValueError(f"{value!r} is not a duration: use seconds (30) or Go form (30s, 1m30s)")
    return sum(float(n) * _GO_UNITS[u] for n, u in parts)


Seconds = Annotated[float, BeforeValidator(parse_duration)]


def _flag(name: str, *aliases: str) -> dict[str, Any]:
    """Field metadata naming the setting's ``nimop run`` flag (first) and its aliases."""
    return {"flags": [name, *aliases]}


class WatchSettings(BaseSettings):
    model_config = SettingsConfigDict(env_prefix=ENV_PREFIX, extra="ignore")

    kubeconfig: Path | None = Field(
        None, description="kubeconfig path; unset = $KUBECONFIG, ~/.kube/config, or in-cluster "
        "config", json_schema_extra=_flag("--kubeconfig"))  # fmt: skip
    context: str | None = Field(None, description="kubeconfig context (default: current)",
                                json_schema_extra=_flag("--context"))  # fmt: skip
    namespaces: Annotated[list[str], NoDecode] = Field(
        default_factory=list, description="namespaces to watch, comma-separated; empty = all "
        "namespaces", json_schema_extra=_flag("--namespaces"))  # fmt: skip
    workers: int = Field(
        8,
        ge=1,
        description="concurrent reconciles per controller; with the adaptive limit "
        "(max_concurrency > 0) where the process-wide limit starts",
        json_schema_extra=_flag("--max-concurrent-reconciles", "--workers"),
    )
    max_concurrency: int = Field(
        64,
        ge=0,
        description="ceiling of the adaptive concurrency limit: reconciles at once in the "
        "process, raised while the apiserver answers promptly, cut on 429s and slow answers; "
        "0 = a fixed `workers` per controller",
        json_schema_extra=_flag("--max-concurrency"),
    )
    qps: float = Field(200.0, description="client-side request rate; <= 0 disables the limiter",
                       json_schema_extra=_flag("--kube-api-qps"))  # fmt: skip
    burst: int = Field(400, ge=1, description="client-side burst above qps",
                       json_schema_extra=_flag("--kube-api-burst"))  # fmt: skip
    request_timeout: Seconds = Field(
        30.0,
        gt=0,
        description="seconds per API request",
        json_schema_extra=_flag("--request-timeout"),
    )
    user_agent: str | None = Field(
        None,
        description="override the nimop/<version> User-Agent",
        json_schema_extra=_flag("--user-agent"),
    )
    resync_period: Seconds = Field(
        10 * 3600.0, description="seconds between full re-reconciles",
        json_schema_extra=_flag("--sync-period", "--resync-period"))  # fmt: skip
    discovery_refresh: Seconds = Field(
        60.0,
        gt=0,
        description="seconds between API discoveries",
        json_schema_extra=_flag("--discovery-refresh"),
    )
    watch_crds: bool = Field(
        True,
        description="re-discover APIs whenever a CRD changes",
        json_schema_extra=_flag("--watch-crds"),
    )

    image_inspection: bool = Field(
        True,
        description="read images' config labels from their registry (with the CR's pull "
        "secret) before running them, to tell NIM model-download protocols apart; off = "
        "every image is taken as legacy",
        json_schema_extra=_flag("--image-inspection"),
    )
    served_model_probe: bool = Field(
        True,
        description="read a Ready service's served model from its own /v1/models (no "
        "credentials sent, 5 s and 1 MiB bound) when the spec does not name it; off = the "
        "name derived from the spec",
        json_schema_extra=_flag("--served-model-probe"),
    )

    leader_election: bool = Field(
        False,
        description="only the Lease holder runs controllers",
        json_schema_extra=_flag("--leader-elect"),
    )
    lease_name: str = Field(
        "nimop-leader",
        description="name of the leader-election Lease",
        json_schema_extra=_flag("--leader-election-id"),
    )
    lease_namespace: str | None = Field(
        None, description="namespace of the Lease; default: own namespace or 'default'",
        json_schema_extra=_flag("--leader-election-namespace"))  # fmt: skip
    lease_duration: Seconds = Field(
        15.0, description="seconds a Lease is valid without renewal (client-go LeaseDuration)",
        json_schema_extra=_flag("--leader-elect-lease-duration"))  # fmt: skip
    renew_deadline: Seconds = Field(
        10.0, description="seconds the leader keeps trying to renew before it gives up",
        json_schema_extra=_flag("--leader-elect-renew-deadline"))  # fmt: skip
    retry_period: Seconds = Field(
        2.0,
        description="seconds between acquire/renew attempts",
        json_schema_extra=_flag("--leader-elect-retry-period"),
    )

    metrics_bind_address: str = Field(
        "127.0.0.1:8080", description="host:port of /metrics; port 0 = any free port; '0' = off",
        json_schema_extra=_flag("--metrics-bind-address"))  # fmt: skip
    metrics_secure: bool = Field(
        False, description="serve /metrics over HTTPS to callers the apiserver authenticates "
        "(TokenReview) and authorizes (SubjectAccessReview: get on the /metrics URL)",
        json_schema_extra=_flag("--metrics-secure"))  # fmt: skip
    metrics_cert_path: Path | None = Field(
        None,
        description="directory with tls.crt and tls.key for --metrics-secure; unset = a "
        "self-signed certificate made at start",
        json_schema_extra=_flag("--metrics-cert-path"),
    )
    health_bind_address: str = Field(
        "127.0.0.1:8081", description="host:port of /healthz and /readyz; port 0 = any; '0' = off",
        json_schema_extra=_flag("--health-probe-bind-address"))  # fmt: skip
    shutdown_timeout: Seconds = Field(
        25.0, description="bound on graceful stop after SIGTERM",
        json_schema_extra=_flag("--graceful-shutdown-timeout"))  # fmt: skip
    wedged_after: Seconds = Field(
        300.0, gt=0, description="seconds one reconcile may run before /healthz reports its "
        "worker wedged (the kubelet then restarts the pod)",
        json_schema_extra=_flag("--wedged-after"))  # fmt: skip
    log_format: Literal["auto", "json", "console"] = Field(
        "auto", description="`json`, `console`, or `auto` (JSON unless attached to a terminal)",
        json_schema_extra=_flag("--log-format", "--zap-encoder"))  # fmt: skip
    log_level: Literal["debug", "info", "warning", "error"] = Field(
        "info", description="`debug`, `info`, `warning` or `error`",
        json_schema_extra=_flag("--log-level", "--zap-log-level"))  # fmt: skip

    @field_validator("namespaces", mode="before")
    @classmethod
    def _split(cls, value: Any) -> Any:
        if isinstance(value, str):
            text = value.strip()
            if text.startswith("["):
                import json

                return json.loads(text)
            return [n.strip() for n in text.split(",") if n.strip()]
        return value

    @field_validator("metrics_bind_address", "health_bind_address")
    @classmethod
    def _address(cls, value: str) -> str:
        _, sep, port = value.strip().rpartition(":")
        if value.strip() == DISABLED or (sep and port.isdigit() and int(port) < 65536):
            return value.strip()
        raise ValueError(f"{value!r} is not host:port (':8080', '127.0.0.1:0') nor '0' (off)")

    @field_validator("log_level", mode="before")
    @classmethod
    def _zap_level(cls, value: Any) -> Any:
        """zap's names and numbers too: ``warn``; ``1``+ = debug verbosity (``--zap-log-level``)."""
        if isinstance(value, str):
            text = value.strip().lower()
            if text.isdigit():
                return "debug" if int(text) > 0 else "info"
            return {"warn": "warning", "panic": "error", "dpanic": "error"}.get(text, text)
        return value

    @classmethod
    def env_name(cls, field: str) -> str:
        return f"{ENV_PREFIX}{field.upper()}"

    @classmethod
    def flags(cls, field: str) -> list[str]:
        """The ``nimop run`` flag of a field, then its aliases."""
        extra = cls.model_fields[field].json_schema_extra
        names = extra.get("flags") if isinstance(extra, dict) else None
        return [str(n) for n in names] if isinstance(names, list) else []

    def effective_lease_namespace(self) -> str:
        if self.lease_namespace:
            return self.lease_namespace
        try:
            return _SA_NAMESPACE.read_text().strip() or "default"
        except OSError:
            return "default"

    @staticmethod
    def split_address(address: str) -> tuple[str, int]:
        host, _, port = address.rpartition(":")
        return host or "0.0.0.0", int(port)

    @staticmethod
    def enabled(address: str) -> bool:
        """False for the address that turns a server off (``0``)."""
        return address.strip() != DISABLED
