"""Secrets whose content needs randomness (the MPI SSH key of multi-node services,
§4.2): created once by the controller, never updated — rotating the key under running pods
would break their SSH between leader and workers.

nimop holds no `list`/`watch` on Secrets (RBAC cannot narrow those to its own): whether the key
exists is learnt by name — a GET the first time this process meets the NIMService, then
remembered, so steady state costs nothing. A Secret of that name this NIMService does not
control is never taken over: the NIMService reports `ChildConflict`."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from nimop.api import kinds
from nimop.controllers.runtime import Runtime
from nimop.render import GeneratedSecret
from nimop.watch.errors import AlreadyExistsError, NotFoundError
from nimop.watch.objects import ResourceRef
from nimop.watch.ownership import ChildConflict, ChildConflictError, owned_by
from nimop.watch.sync import SyncResult, owner_reference

SECRETS = ResourceRef(kinds.SECRET.group, kinds.SECRET.version, kinds.SECRET.kind,
                      kinds.SECRET.plural)
#: (namespace, name, owner UID) of generated Secrets known to exist: looked up once each.
_KNOWN: set[tuple[str, str, str]] = set()


def ssh_private_key() -> str:
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.OpenSSH,
        serialization.NoEncryption(),
    )
    return pem.decode()


def secret_manifest(
    owner: Mapping[str, Any], spec: GeneratedSecret, labels: Mapping[str, str]
) -> dict[str, Any]:
    return {
        "apiVersion": "v1",
        "kind": "Secret",
        "metadata": {
            "name": spec.name,
            "namespace": owner["metadata"]["namespace"],
            "labels": {**labels, "app.kubernetes.io/managed-by": "nimop"},
            "ownerReferences": [owner_reference(owner)],
        },
        "type": "Opaque",
        "stringData": {spec.key: ssh_private_key()},
    }


async def ensure_generated(
    rt: Runtime,
    owner: Mapping[str, Any],
    wanted: Sequence[GeneratedSecret],
    labels: Mapping[str, str],
) -> None:
    namespace, uid = owner["metadata"]["namespace"], str(owner["metadata"]["uid"])
    for spec in wanted:
        known = (namespace, spec.name, uid)
        if known in _KNOWN:
            continue
        try:
            live = await rt.client.get(SECRETS, namespace, spec.name)
        except NotFoundError:
            with contextlib.suppress(AlreadyExistsError):
                await rt.client.create(SECRETS, secret_manifest(owner, spec, labels))
        else:
            if not owned_by(live, uid):
                conflicts = [ChildConflict.of("Secret", live)]
                raise ChildConflictError(owner, SyncResult(conflicts=conflicts))
        _KNOWN.add(known)
