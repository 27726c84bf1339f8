"""NemoDatastore: the NeMo Data Store (a Gitea-based, Hugging Face-compatible file store) with
PostgreSQL and optional S3-compatible object storage for LFS files (upstream
`nemo_datastore_types.go`, §1.6)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nimop.api.base import K8sModel
from nimop.api.cel import rules
from nimop.api.common import PersistentVolumeClaim
from nimop.api.nemo_common import NEMO_SPEC_RULES, DatabaseConfig, NemoSpec, NemoStatus
from nimop.api.resource import CustomResource


class ObjectStoreCredentials(K8sModel):
    """The access key and the Secret holding the secret key of the object store."""

    user: str
    """Access key ID."""
    secret_name: str = Field(alias="secretName")
    """Secret holding the secret access key."""
    password_key: str = Field(alias="passwordKey")
    """Key of the secret access key in that Secret."""


class ObjectStoreConfig(K8sModel):
    """An S3-compatible object store (e.g. MinIO) for large (LFS) files."""

    credentials: ObjectStoreCredentials
    """Access credentials."""
    serve_direct: bool = Field(True, alias="serveDirect")
    """Let clients download LFS files from the object store directly (pre-signed URLs)."""
    endpoint: str
    """Endpoint `host:port`, e.g. `minio.nemo.svc:9000`."""
    bucket_name: str = Field(alias="bucketName")
    """Bucket of the LFS files."""
    region: str
    """Region of the bucket."""
    ssl: bool
    """Use TLS to reach the object store."""


class DatastoreSecrets(K8sModel):
    """Secrets that must exist before the data store starts (upstream's Helm chart makes them)."""

    gitea_admin_secret: str = Field(alias="giteaAdminSecret")
    """Secret with `GITEA_ADMIN_USERNAME` and `GITEA_ADMIN_PASSWORD`."""
    lfs_jwt_secret: str = Field(alias="lfsJwtSecret")
    """Secret with key `jwtSecret`, the LFS JWT signing secret."""
    datastore_init_secret: str = Field(alias="datastoreInitSecret")
    """Secret with the init scripts (mounted at `/usr/sbin/init`)."""
    datastore_config_secret: str = Field(alias="datastoreConfigSecret")
    """Secret with the configuration scripts (mounted at `/usr/sbin`)."""
    datastore_inline_config_secret: str = Field(alias="datastoreInlineConfigSecret")
    """Secret with inline `app.ini` sources."""


class NemoDatastoreSpec(NemoSpec):
    """Desired state of a NemoDatastore."""

    database_config: DatabaseConfig = Field(alias="databaseConfig")
    """The PostgreSQL database of the data store."""
    object_store_config: ObjectStoreConfig | None = Field(None, alias="objectStoreConfig")
    """Object storage for LFS files; files stay on the data volume when unset."""
    pvc: PersistentVolumeClaim | None = None
    """The data volume (`/data`): a PVC created (`create: true`, named `name` or
    `<name>-pvc`) or existing; an emptyDir (data lost on restart) when unset."""
    secrets: DatastoreSecrets
    """Prerequisite Secrets."""

    model_config = rules(*NEMO_SPEC_RULES)


class NemoDatastore(CustomResource):
    """NemoDatastore runs the NeMo Data Store microservice: a Deployment with its init
    containers, a Service, its data PVC, and optionally an Ingress or routes, HPA and
    ServiceMonitor."""

    kind: Literal["NemoDatastore"] = "NemoDatastore"
    spec: NemoDatastoreSpec
    """Desired state of the data store."""
    status: NemoStatus | None = None
    """Observed state, written by the operator."""
