"""Secrets whose content needs randomness (the MPI SSH key of multi-node services, inventory
§4.2): created once by the controller, never updated — rotating the key under running pods
would break their SSH between leader and workers."""

from __future__ import annotations

import contextlib
from collections.abc import Mapping, Sequence
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from nimop.api import kinds
from nimop.controllers.runtime import Runtime
from nimop.render import GeneratedSecret
from nimop.watch.errors import AlreadyExistsError
from nimop.watch.sync import owner_reference


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
    namespace = owner["metadata"]["namespace"]
    for spec in wanted:
        if rt.get(kinds.SECRET, namespace, spec.name) is not None:
            continue
        with contextlib.suppress(AlreadyExistsError):
            await rt.client.create(
                rt.resource(kinds.SECRET), secret_manifest(owner, spec, labels)
            )
