"""A small async Kubernetes client for the benchmark *driver* (the admin creating, updating
and deleting CRs and watching them), kept apart from `nimop.watch` so the driver does not
share code — or bugs, or costs — with the operator under test."""

from __future__ import annotations

import asyncio
import json
import ssl
from collections.abc import AsyncIterator, Mapping
from typing import Any

import aiohttp

from tests.cluster import Cluster

JSON = dict[str, Any]
MERGE = "application/merge-patch+json"


class KubeError(RuntimeError):
    def __init__(self, status: int, body: str) -> None:
        super().__init__(f"HTTP {status}: {body[:300]}")
        self.status = status


class Kube:
    """The admin's view of the local cluster over one aiohttp session."""

    def __init__(self, cluster: Cluster, *, concurrency: int = 32) -> None:
        pki = cluster.layout.pki
        self.server = cluster.server
        self._ssl = ssl.create_default_context(cafile=str(pki / "ca.crt"))
        self._ssl.load_cert_chain(pki / "admin.crt", pki / "admin.key")
        self._limit = asyncio.Semaphore(concurrency)
        self._session: aiohttp.ClientSession | None = None
        self._concurrency = concurrency
        #: write requests sent (POST, PUT, PATCH, DELETE), retries included
        self.writes = 0

    async def __aenter__(self) -> Kube:
        connector = aiohttp.TCPConnector(ssl=self._ssl, limit=self._concurrency + 8)
        self._session = aiohttp.ClientSession(
            connector=connector, timeout=aiohttp.ClientTimeout(total=None, sock_read=None)
        )
        return self

    async def __aexit__(self, *exc: object) -> None:
        if self._session is not None:
            await self._session.close()

    @property
    def session(self) -> aiohttp.ClientSession:
        if self._session is None:
            raise RuntimeError("use Kube as an async context manager")
        return self._session

    async def request(
        self,
        method: str,
        path: str,
        *,
        body: Mapping[str, Any] | None = None,
        content_type: str = "application/json",
        params: Mapping[str, str] | None = None,
        ok_missing: bool = False,
    ) -> JSON | None:
        data = json.dumps(body) if body is not None else None
        headers = {"Content-Type": content_type} if data is not None else {}
        for attempt in range(8):
            if method != "GET":
                self.writes += 1
            async with (
                self._limit,
                self.session.request(
                    method, self.server + path, data=data, headers=headers, params=params
                ) as resp,
            ):
                text = await resp.text()
                if resp.status == 404 and ok_missing:
                    return None
                if resp.status == 429 or (resp.status >= 500 and attempt < 7):
                    await asyncio.sleep(float(resp.headers.get("Retry-After", "0.5")))
                    continue
                if resp.status >= 400:
                    raise KubeError(resp.status, text)
                result: JSON = json.loads(text) if text else {}
                return result
        raise KubeError(599, f"{method} {path}: gave up after retries")

    async def create(self, path: str, obj: Mapping[str, Any]) -> JSON | None:
        return await self.request("POST", path, body=obj)

    async def merge_patch(self, path: str, patch: Mapping[str, Any]) -> JSON | None:
        return await self.request("PATCH", path, body=patch, content_type=MERGE)

    async def delete(self, path: str) -> JSON | None:
        body = {"kind": "DeleteOptions", "apiVersion": "v1", "propagationPolicy": "Background"}
        return await self.request("DELETE", path, body=body, ok_missing=True)

    async def list(self, path: str, params: Mapping[str, str] | None = None) -> JSON:
        items: list[JSON] = []
        query = {"limit": "500", **(params or {})}
        while True:
            page = await self.request("GET", path, params=query) or {}
            items.extend(page.get("items") or [])
            cont = (page.get("metadata") or {}).get("continue")
            if not cont:
                page["items"] = items
                return page
            query = {**query, "continue": cont}

    async def watch(self, path: str, resource_version: str) -> AsyncIterator[JSON]:
        """Watch events (dicts with type/object) from `resource_version` until the server
        closes the stream."""
        params = {
            "watch": "1",
            "resourceVersion": resource_version,
            "allowWatchBookmarks": "true",
            "timeoutSeconds": "3600",
        }
        async with self.session.get(self.server + path, params=params) as resp:
            if resp.status >= 400:
                raise KubeError(resp.status, await resp.text())
            async for line in resp.content:
                if line.strip():
                    event: JSON = json.loads(line)
                    yield event
