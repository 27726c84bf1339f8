"""Read an image's config labels from its registry (OCI distribution spec, Docker registry v2):
the manifest (an image index is followed to every runnable platform image), then each config
blob, with the registry's Basic or Bearer-token authentication. Every response is size-bounded
and the whole inspection time-bounded; a config blob must match its digest."""

from __future__ import annotations

import base64
import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlencode, urljoin, urlsplit

import aiohttp
import anyio

from nimop.oci.credentials import Credential
from nimop.oci.reference import ImageReference

OCI_INDEX = "application/vnd.oci.image.index.v1+json"
OCI_MANIFEST = "application/vnd.oci.image.manifest.v1+json"
DOCKER_LIST = "application/vnd.docker.distribution.manifest.list.v2+json"
DOCKER_MANIFEST = "application/vnd.docker.distribution.manifest.v2+json"
ACCEPT = ", ".join((OCI_INDEX, OCI_MANIFEST, DOCKER_LIST, DOCKER_MANIFEST))
#: The distribution spec's recommended manifest limit; image configs are smaller in practice.
MAX_MANIFEST_BYTES = 4 * 1024 * 1024
MAX_CONFIG_BYTES = 8 * 1024 * 1024
MAX_TOKEN_BYTES = 64 * 1024
#: Platform images inspected at most per index (multi-arch NIM images have two or three).
MAX_PLATFORMS = 16
MAX_REDIRECTS = 5
USER_AGENT = "nimop"
_PARAM = re.compile(r'(\w+)="([^"]*)"')


class InspectionError(Exception):
    """The registry could not be read or answered something that is not an image."""


@dataclass
class _Session:
    """One repository of one registry, with the authorization it asked for (learnt once)."""

    http: aiohttp.ClientSession
    image: ImageReference
    credential: Credential | None
    authorization: str = ""
    tried: set[str] = field(default_factory=set)

    def url(self, kind: str, reference: str) -> str:
        return f"{self.image.base_url}/v2/{self.image.repository}/{kind}/{reference}"

    async def get(self, url: str, accept: str, limit: int) -> tuple[str, bytes]:
        """(content type, body) of a GET, authenticating on the first 401."""
        for _ in range(2):
            status, ctype, body, challenge = await self._fetch(url, accept, limit)
            if status == 401 and challenge and challenge not in self.tried:
                self.tried.add(challenge)
                self.authorization = await self._authorize(challenge)
                continue
            if status == 200:
                return ctype, body
            if status == 401 and self.authorization:
                raise InspectionError(f"GET {url}: HTTP 401: the registry refused the credentials")
            raise InspectionError(f"GET {url}: HTTP {status}{_detail(body)}")
        raise InspectionError(f"GET {url}: HTTP 401: the registry refused the credentials")

    async def _fetch(self, url: str, accept: str, limit: int) -> tuple[int, str, bytes, str]:
        headers = {"Accept": accept, "User-Agent": USER_AGENT}
        origin = urlsplit(url).netloc
        for _ in range(MAX_REDIRECTS + 1):
            # credentials go to the registry only, never to a redirect's other host
            if self.authorization and urlsplit(url).netloc == origin:
                headers["Authorization"] = self.authorization
            else:
                headers.pop("Authorization", None)
            async with self.http.get(url, headers=headers, allow_redirects=False) as resp:
                if resp.status in (301, 302, 303, 307, 308) and "Location" in resp.headers:
                    url = urljoin(url, resp.headers["Location"])
                    continue
                body = await _read(resp, limit)
                challenge = resp.headers.get("WWW-Authenticate", "")
                return resp.status, resp.headers.get("Content-Type", ""), body, challenge
        raise InspectionError(f"GET {url}: more than {MAX_REDIRECTS} redirects")

    async def _authorize(self, challenge: str) -> str:
        scheme, _, rest = challenge.partition(" ")
        cred = self.credential
        if scheme.lower() == "basic":
            if cred is None:
                raise InspectionError("the registry requires credentials and no pull secret "
                                      "has an entry for it")  # fmt: skip
            return "Basic " + _basic(cred)
        if scheme.lower() != "bearer":
            raise InspectionError(f"unsupported registry authentication {scheme!r}")
        params = dict(_PARAM.findall(rest))
        realm = params.pop("realm", "")
        if not realm:
            raise InspectionError("the registry's Bearer challenge names no token realm")
        params.setdefault("scope", f"repository:{self.image.repository}:pull")
        return "Bearer " + await self._token(realm, params, cred)

    async def _token(self, realm: str, params: dict[str, str], cred: Credential | None) -> str:
        headers = {"User-Agent": USER_AGENT}
        if cred is not None and cred.identity_token:
            form = {**params, "grant_type": "refresh_token", "client_id": USER_AGENT,
                    "refresh_token": cred.identity_token}  # fmt: skip
            request = self.http.post(realm, data=form, headers=headers)
        else:
            if cred is not None and (cred.username or cred.password):
                headers["Authorization"] = "Basic " + _basic(cred)
            request = self.http.get(f"{realm}?{urlencode(params)}", headers=headers)
        async with request as resp:
            body = await _read(resp, MAX_TOKEN_BYTES)
            if resp.status != 200:
                raise InspectionError(f"token endpoint {realm}: HTTP {resp.status}{_detail(body)}")
        try:
            answer = json.loads(body)
            return str(answer.get("token") or answer["access_token"])
        except (ValueError, KeyError, AttributeError) as exc:
            raise InspectionError(f"token endpoint {realm} answered no token") from exc


def _basic(cred: Credential) -> str:
    return base64.b64encode(f"{cred.username}:{cred.password}".encode()).decode()


def _detail(body: bytes) -> str:
    text = body[:200].decode(errors="replace").strip()
    return f": {text}" if text else ""


async def _read(resp: aiohttp.ClientResponse, limit: int) -> bytes:
    if resp.content_length is not None and resp.content_length > limit:
        raise InspectionError(f"GET {resp.url}: {resp.content_length} bytes, over {limit}")
    body = bytearray()
    async for chunk in resp.content.iter_chunked(64 * 1024):
        body += chunk
        if len(body) > limit:
            raise InspectionError(f"GET {resp.url}: more than {limit} bytes")
    return bytes(body)


def _json(body: bytes, what: str) -> dict[str, Any]:
    try:
        parsed = json.loads(body)
    except ValueError as exc:
        raise InspectionError(f"the {what} is not JSON: {exc}") from exc
    if not isinstance(parsed, dict):
        raise InspectionError(f"the {what} is not a JSON object")
    return parsed


#: `artifactType` values of index entries that are images (some tools set it to the config
#: media type); any other value is an artifact (signature, SBOM), not a platform image.
IMAGE_CONFIGS = frozenset({
    "application/vnd.oci.image.config.v1+json", "application/vnd.docker.container.image.v1+json",
})  # fmt: skip


def runnable(descriptor: Mapping[str, Any]) -> bool:
    """An index entry that is a platform image: not an attestation or other artifact, not
    BuildKit's `unknown/unknown` provenance entry."""
    if descriptor.get("artifactType") and descriptor["artifactType"] not in IMAGE_CONFIGS:
        return False
    annotations = descriptor.get("annotations") or {}
    if annotations.get("vnd.docker.reference.type") == "attestation-manifest":
        return False
    platform = descriptor.get("platform") or {}
    return "unknown" not in (platform.get("os"), platform.get("architecture"))


async def _labels_of_manifest(session: _Session, manifest: Mapping[str, Any]) -> dict[str, str]:
    config = manifest.get("config") or {}
    digest = str(config.get("digest") or "")
    if not digest:
        raise InspectionError("the image manifest has no config descriptor")
    _, body = await session.get(session.url("blobs", digest), "*/*", MAX_CONFIG_BYTES)
    algorithm, _, expected = digest.partition(":")
    if algorithm == "sha256" and hashlib.sha256(body).hexdigest() != expected:
        raise InspectionError(f"the image config does not match its digest {digest}")
    labels = (_json(body, "image config").get("config") or {}).get("Labels") or {}
    return {str(k): str(v) for k, v in labels.items()} if isinstance(labels, Mapping) else {}


async def _labels(session: _Session) -> list[dict[str, str]]:
    image = session.image
    ctype, body = await session.get(session.url("manifests", image.reference), ACCEPT,
                                    MAX_MANIFEST_BYTES)  # fmt: skip
    top = _json(body, "manifest")
    media = str(top.get("mediaType") or ctype.split(";")[0].strip())
    if media not in (OCI_INDEX, DOCKER_LIST) and "manifests" not in top:
        return [await _labels_of_manifest(session, top)]
    children = [d for d in top.get("manifests") or [] if isinstance(d, Mapping) and runnable(d)]
    out = []
    for child in children[:MAX_PLATFORMS]:
        accept = str(child.get("mediaType") or OCI_MANIFEST)
        _, raw = await session.get(session.url("manifests", str(child.get("digest"))), accept,
                                   MAX_MANIFEST_BYTES)  # fmt: skip
        out.append(await _labels_of_manifest(session, _json(raw, "platform manifest")))
    return out


async def config_labels(
    image: ImageReference, credential: Credential | None, *, seconds: float
) -> list[dict[str, str]]:
    """The config labels of every runnable platform image of `image` (one entry for a plain
    image). Raises InspectionError; honours HTTP(S)_PROXY/NO_PROXY like the container tools."""
    limits = aiohttp.ClientTimeout(total=seconds)
    try:
        with anyio.fail_after(seconds):
            async with aiohttp.ClientSession(timeout=limits, trust_env=True) as http:
                return await _labels(_Session(http, image, credential))
    except TimeoutError as exc:
        raise InspectionError(f"the registry {image.registry} did not answer within "
                              f"{seconds:g} s") from exc  # fmt: skip
    except aiohttp.ClientError as exc:
        raise InspectionError(f"the registry {image.registry} cannot be reached: {exc}") from exc
