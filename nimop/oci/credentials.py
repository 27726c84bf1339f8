"""Registry credentials from Kubernetes image pull secrets, matched to an image the way the
kubelet matches them: `kubernetes.io/dockerconfigjson` (`auths`) or `kubernetes.io/dockercfg`
entries keyed by `host[:port][/path]`, glob patterns per host label (`*.nvcr.io`), the most
specific entry winning, Docker Hub's aliases treated as one host. No entry matches: anonymous
(never an unrelated entry's credentials)."""

from __future__ import annotations

import base64
import binascii
import fnmatch
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from nimop.oci.reference import DOCKER_HUB, ImageReference

DOCKER_CONFIG_JSON = ".dockerconfigjson"
DOCKER_CFG = ".dockercfg"
_HUB_ALIASES = frozenset({"docker.io", "index.docker.io", "registry-1.docker.io"})


@dataclass(frozen=True)
class Credential:
    username: str = ""
    password: str = ""
    #: an OAuth2 refresh token (`identitytoken`), exchanged at the token endpoint
    identity_token: str = ""

    def __repr__(self) -> str:  # never print a password into a log
        return f"Credential(username={self.username!r}, password=***)"


@dataclass(frozen=True)
class _Entry:
    location: str
    credential: Credential


def _normalize(location: str) -> str:
    loc = location.strip()
    for scheme in ("https://", "http://"):
        loc = loc.removeprefix(scheme)
    loc = loc.strip("/")
    host, _, path = loc.partition("/")
    if host in _HUB_ALIASES:
        host = DOCKER_HUB
        if path == "v1":  # `https://index.docker.io/v1/`, Docker's legacy key
            path = ""
    return f"{host}/{path}" if path else host


def _entry(location: str, raw: Mapping[str, Any]) -> _Entry:
    user, password = str(raw.get("username") or ""), str(raw.get("password") or "")
    auth = str(raw.get("auth") or "")
    if auth and not (user or password):
        try:
            decoded = base64.b64decode(auth, validate=True).decode()
        except (binascii.Error, UnicodeDecodeError) as exc:
            raise ValueError(f"auth of registry {location!r} is not base64: {exc}") from exc
        user, sep, password = decoded.partition(":")
        if not sep:
            raise ValueError(f"auth of registry {location!r} is not `username:password`")
    token = str(raw.get("identitytoken") or "")
    return _Entry(_normalize(location), Credential(user, password, token))


def parse_pull_secret(secret: Mapping[str, Any]) -> list[_Entry]:
    """The registry entries of one pull Secret object (as the API returns it: base64 `data`).
    Raises ValueError naming what is wrong (wrong type, missing key, bad JSON)."""
    data = secret.get("data") or {}
    kind = str(secret.get("type") or "")
    key = DOCKER_CFG if kind == "kubernetes.io/dockercfg" else DOCKER_CONFIG_JSON
    if key not in data:
        raise ValueError(f"has no {key} key (type {kind or 'Opaque'}); image pull secrets are "
                         "of type kubernetes.io/dockerconfigjson")  # fmt: skip
    try:
        parsed = json.loads(base64.b64decode(data[key]))
    except (binascii.Error, ValueError) as exc:
        raise ValueError(f"{key} is not base64-encoded JSON: {exc}") from exc
    auths = parsed if key == DOCKER_CFG else (parsed or {}).get("auths")
    if not isinstance(auths, Mapping):
        raise ValueError(f"{key} has no `auths` map")
    return [_entry(str(loc), raw) for loc, raw in auths.items() if isinstance(raw, Mapping)]


def _matches(pattern: str, target: str) -> bool:
    p_host, _, p_path = pattern.partition("/")
    t_host, _, t_path = target.partition("/")
    p_labels, t_labels = p_host.split("."), t_host.split(".")
    if len(p_labels) != len(t_labels):
        return False
    if not all(fnmatch.fnmatchcase(t, p) for p, t in zip(p_labels, t_labels, strict=True)):
        return False
    if not p_path:
        return True
    p_parts, t_parts = p_path.split("/"), t_path.split("/")
    return len(p_parts) <= len(t_parts) and all(
        fnmatch.fnmatchcase(t, p) for p, t in zip(p_parts, t_parts, strict=False)
    )


def credential_for(image: ImageReference, entries: Iterable[_Entry]) -> Credential | None:
    """The credential of the most specific entry matching the image, else None (anonymous)."""
    target = f"{image.registry}/{image.repository}"
    best: _Entry | None = None
    for entry in entries:
        if _matches(entry.location, target) and (
            best is None or len(entry.location) > len(best.location)
        ):
            best = entry
    return best.credential if best else None
