"""NemoEntitystore: the NeMo Entity Store (namespaces, projects, datasets and models of the
NeMo microservices), backed by PostgreSQL (upstream `nemo_entitystore_types.go`, §1.6)."""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field

from nimop.api.base import Schema
from nimop.api.cel import rules
from nimop.api.nemo_common import (
    NEMO_SPEC_RULES,
    DatabaseConfig,
    NemoSpec,
    NemoStatus,
    ServiceEndpoint,
)
from nimop.api.resource import CustomResource


class OptionalEndpoint(ServiceEndpoint):
    """A service endpoint that may be left out: an empty `endpoint` (what a Go client on
    upstream's types writes for a datastore it never set, nimop.api.gozero) reads as unset."""

    endpoint: Annotated[str, Schema({"pattern": "^(http.*)?$"})]
    """Base URL, e.g. `http://nemodatastore-sample.nemo.svc:8000/v1/hf`."""


class NemoEntitystoreSpec(NemoSpec):
    """Desired state of a NemoEntitystore."""

    database_config: DatabaseConfig = Field(alias="databaseConfig")
    """The PostgreSQL database of the entity store."""
    datastore: OptionalEndpoint | None = None
    """The NeMo Data Store (`BASE_URL_DATASTORE`), e.g. the `status.endpoint` of a
    NemoDatastore followed by `/v1/hf`. Required upstream; optional here because upstream's own
    sample sets `BASE_URL_DATASTORE` in `env` instead."""

    model_config = rules(*NEMO_SPEC_RULES)


class NemoEntitystore(CustomResource):
    """NemoEntitystore runs the NeMo Entity Store microservice: a Deployment with its database
    migration init container, a Service, and optionally an Ingress or routes, HPA and
    ServiceMonitor."""

    kind: Literal["NemoEntitystore"] = "NemoEntitystore"
    spec: NemoEntitystoreSpec
    """Desired state of the entity store."""
    status: NemoStatus | None = None
    """Observed state, written by the operator."""
