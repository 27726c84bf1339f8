"""The Secrets upstream's NeMo samples name. Upstream's samples assume its Helm chart made them
(database passwords, the data store's Gitea and MinIO credentials, W&B and NGC keys); nimop
reports a missing one as `SecretNotFound`, so the e2e tests create them first — written out
here per sample, not derived from the code under test."""

from __future__ import annotations

from typing import Any

PASSWORD = {"password": "change-me"}

SAMPLE_SECRETS: dict[str, dict[str, dict[str, str]]] = {
    "nemoentitystore-sample": {"entity-store-pg-existing-secret": PASSWORD},
    "nemodatastore-sample": {
        "datastore-pg-existing-secret": PASSWORD,
        "datastore-minio-existing-secret": {"objectStoreSecret": "change-me"},
        "gitea-admin-credentials": {"GITEA_ADMIN_USERNAME": "admin",
                                    "GITEA_ADMIN_PASSWORD": "change-me"},
        "nemo-ms-nemo-datastore--lfs-jwt": {"jwtSecret": "change-me"},
        "nemo-ms-nemo-datastore-init": {"init_directory_structure.sh": "#!/bin/sh\n"},
        "nemo-ms-nemo-datastore": {"config_environment.sh": "#!/bin/sh\n"},
        "nemo-ms-nemo-datastore-inline-config": {"server": "DOMAIN=localhost\n"},
    },
    "nemoguardrails-sample": {"guardrail-pg-existing-secret": PASSWORD},
    "nemoevaluator-sample": {"evaluator-pg-existing-secret": PASSWORD},
    "nemocustomizer-sample": {
        "customizer-pg-existing-secret": PASSWORD,
        "wandb-secret": {"apiKey": "change-me", "encryptionKey": "change-me"},
        "ngc-api-secret": {"NGC_API_KEY": "change-me"},
    },
}  # fmt: skip


def secret(name: str, data: dict[str, str]) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
            "stringData": data}  # fmt: skip


def sample_secrets(sample: str) -> list[dict[str, Any]]:
    """The Secret manifests (namespace unset) upstream's sample `sample` names."""
    return [secret(name, data) for name, data in SAMPLE_SECRETS[sample].items()]
