"""The model a running NIM serves, read from its own API when the spec does not say it
(upstream §4.10): `GET /v1/models` — one entry: its `id`; several: the base model (the entry
whose `root` is its own `id`); ambiguous: unknown — and `GET /v1/metadata`
(`modelInfo[0].shortName`) on a 404.

Unlike upstream: no ServiceAccount token (or any credential) is sent, the read is bounded (5 s,
1 MiB), readiness never waits for it (a NetworkPolicy that keeps the operator out leaves the
name derived from the spec, not the service NotReady), and it happens once per service
generation and endpoint: a name read is remembered, a failure is retried a few times with
backoff and then left alone until the spec or the endpoint changes. `--served-model-probe=false`
turns it off. HTTP(S)_PROXY/NO_PROXY apply, as for the registry.
"""

from __future__ import annotations

import json
import ssl
import time
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import aiohttp
import anyio
import structlog

log = structlog.get_logger("nimop.controllers.served_model")

READ_SECONDS = 5.0
MAX_BYTES = 1024 * 1024
#: Delays before retrying a failed read (then no more for this generation and endpoint).
RETRY_SECONDS = (30.0, 60.0, 120.0, 300.0, 600.0)
MEMO_SIZE = 8192
#: OpenShift's service CA, mounted into the operator pod there: trusted for https endpoints.
SERVICE_CA = Path("/etc/pki/tls/service-ca/service-ca.crt")


class ReadFailed(Exception):
    """The NIM could not be asked or gave no usable answer."""


def pick(models: Any) -> str:
    """The served model of a `/v1/models` answer; "" when it is ambiguous."""
    if not isinstance(models, dict) or models.get("object") != "list":
        raise ReadFailed("/v1/models is not an OpenAI model list")
    data = [m for m in models.get("data") or [] if isinstance(m, dict) and m.get("id")]
    if len(data) == 1:
        return str(data[0]["id"])
    bases = [m for m in data if m.get("root") == m.get("id")]
    return str(bases[0]["id"]) if len(bases) == 1 else ""


def short_name(metadata: Any) -> str:
    """`modelInfo[0].shortName` of `/v1/metadata` up to its first `:`."""
    info = (metadata or {}).get("modelInfo") if isinstance(metadata, dict) else None
    if not isinstance(info, list) or not info or not isinstance(info[0], dict):
        raise ReadFailed("/v1/metadata has no modelInfo")
    return str(info[0].get("shortName") or "").split(":", 1)[0]


def _ssl_context() -> ssl.SSLContext:
    context = ssl.create_default_context()
    if SERVICE_CA.is_file():
        context.load_verify_locations(SERVICE_CA)
    return context


async def _get_json(http: aiohttp.ClientSession, url: str) -> tuple[int, Any]:
    async with http.get(url, headers={"Accept": "application/json"}, allow_redirects=False) as r:
        if r.content_length is not None and r.content_length > MAX_BYTES:
            raise ReadFailed(f"{url}: answer over {MAX_BYTES} bytes")
        body = await r.content.read(MAX_BYTES + 1)
        if len(body) > MAX_BYTES:
            raise ReadFailed(f"{url}: answer over {MAX_BYTES} bytes")
        if r.status != 200:
            return r.status, None
        try:
            return 200, json.loads(body)
        except ValueError as exc:
            raise ReadFailed(f"{url}: not JSON") from exc


async def read_served_model(base_url: str) -> str:
    """The served model name at `base_url` (`http://host:port`); raises ReadFailed."""
    base = base_url.rstrip("/")
    limits = aiohttp.ClientTimeout(total=READ_SECONDS)
    connector = aiohttp.TCPConnector(ssl=_ssl_context()) if base.startswith("https") else None
    try:
        with anyio.fail_after(READ_SECONDS):
            async with aiohttp.ClientSession(timeout=limits, trust_env=True,
                                             connector=connector) as http:  # fmt: skip
                status, models = await _get_json(http, f"{base}/v1/models")
                if status == 200:
                    return pick(models)
                if status != 404:
                    raise ReadFailed(f"{base}/v1/models: HTTP {status}")
                status, metadata = await _get_json(http, f"{base}/v1/metadata")
                if status == 404:
                    return ""
                if status != 200:
                    raise ReadFailed(f"{base}/v1/metadata: HTTP {status}")
                return short_name(metadata)
    except TimeoutError as exc:
        raise ReadFailed(f"{base} did not answer within {READ_SECONDS:g} s") from exc
    except aiohttp.ClientError as exc:
        raise ReadFailed(f"{base} cannot be reached: {exc}") from exc


@dataclass
class _Entry:
    name: str | None = None
    failures: int = 0
    retry_at: float = 0.0


class ServedModels:
    """Reads and remembers, per NIMService generation and endpoint, the model its NIM serves."""

    def __init__(self, *, enabled: bool = True) -> None:
        self.enabled = enabled
        self._memo: OrderedDict[tuple[str, int, str], _Entry] = OrderedDict()

    async def lookup(self, uid: str, generation: int, base_url: str, now: float
                     ) -> tuple[str | None, float | None]:  # fmt: skip
        """(name or None when unknown, seconds until a retry is due or None)."""
        if not self.enabled or not base_url:
            return None, None
        key = (uid, generation, base_url)
        entry = self._memo.setdefault(key, _Entry())
        self._memo.move_to_end(key)
        while len(self._memo) > MEMO_SIZE:
            self._memo.popitem(last=False)
        if entry.name is not None:
            return entry.name, None
        if entry.failures >= len(RETRY_SECONDS):
            return None, None
        if now < entry.retry_at:
            return None, entry.retry_at - now
        try:
            entry.name = await read_served_model(base_url)
        except ReadFailed as exc:
            delay = RETRY_SECONDS[entry.failures]
            entry.failures += 1
            entry.retry_at = now + delay
            log.info("could not read the served model from the NIM; keeping the derived name",
                     url=base_url, error=str(exc), retry_in=delay)  # fmt: skip
            return None, delay if entry.failures < len(RETRY_SECONDS) else None
        return entry.name, None


def base_url(endpoint: str) -> str:
    """`status.model.clusterEndpoint` as a URL: KServe's address already is one; the standalone
    Service's `name.namespace.svc:port` is spoken to over HTTP, as upstream."""
    return endpoint if "://" in endpoint else f"http://{endpoint}" if endpoint else ""


def trusted(old: dict[str, Any], new_model: dict[str, Any], generation: int) -> str:
    """The name a Ready status already reports for this generation and endpoint (read by an
    earlier reconcile or process): kept as it is, not read again."""
    old_model = old.get("model") or {}
    ready: dict[str, Any] = next(
        (c for c in old.get("conditions") or () if c.get("type") == "Ready"), {}
    )
    if (
        old.get("state") == "Ready"
        and ready.get("observedGeneration") == generation
        and old_model.get("clusterEndpoint") == new_model.get("clusterEndpoint")
    ):
        return str(old_model.get("name") or "")
    return ""


async def with_served_model(
    models: ServedModels, svc: dict[str, Any], status: dict[str, Any], spec_named: bool
) -> tuple[dict[str, Any], float | None]:
    """`status` with `model.name` as the running NIM reports it, once the service is Ready and
    unless the spec names the model; (status, seconds until a retry of a failed read)."""
    model = status.get("model")
    if status.get("state") != "Ready" or not model or spec_named or not models.enabled:
        return status, None
    md = svc.get("metadata") or {}
    generation = int(md.get("generation") or 0)
    name = trusted(svc.get("status") or {}, model, generation)
    retry = None
    if not name:
        url = base_url(str(model.get("clusterEndpoint") or ""))
        read, retry = await models.lookup(str(md.get("uid")), generation, url, time.monotonic())
        name = read or ""
    if not name or name == model.get("name"):
        return status, retry
    return {**status, "model": {**model, "name": name}}, retry
