"""The registry of kinds: one entry per CRD, used by parsing, CRD generation and docs.

Adding a kind (e.g. the Nemo* kinds) is one :func:`register` call with its model and printer
columns; `parse_object`, `nimop crds` and the API reference pick it up.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from nimop.api.gozero import normalized
from nimop.api.nemo_customizer import NemoCustomizer
from nimop.api.nemo_datastore import NemoDatastore
from nimop.api.nemo_entitystore import NemoEntitystore
from nimop.api.nemo_evaluator import NemoEvaluator
from nimop.api.nemo_guardrail import NemoGuardrail
from nimop.api.nimbuild import NIMBuild
from nimop.api.nimcache import NIMCache
from nimop.api.nimpipeline import NIMPipeline
from nimop.api.nimservice import NIMService
from nimop.api.resource import API_VERSION, GROUP, CustomResource

STATUS_COLUMN = {"name": "Status", "type": "string", "jsonPath": ".status.state"}
AGE_COLUMN = {"name": "Age", "type": "date", "jsonPath": ".metadata.creationTimestamp"}


@dataclass(frozen=True)
class KindInfo:
    """What the generator and parser need to know about one kind."""

    kind: str
    plural: str
    model: type[CustomResource]
    columns: list[dict[str, Any]] = field(default_factory=list)
    """Printer columns between Status and Age."""
    short_names: tuple[str, ...] = ()
    categories: tuple[str, ...] = ("nim",)

    @property
    def singular(self) -> str:
        return self.kind.lower()

    @property
    def crd_name(self) -> str:
        return f"{self.plural}.{GROUP}"

    def printer_columns(self) -> list[dict[str, Any]]:
        """Status first and Age last, as upstream prints them."""
        return [STATUS_COLUMN, *self.columns, AGE_COLUMN]


KINDS: dict[str, KindInfo] = {}


def register(info: KindInfo) -> KindInfo:
    """Add a kind to the registry (idempotent for the same model)."""
    existing = KINDS.get(info.kind)
    if existing is not None and existing.model is not info.model:
        raise ValueError(f"kind {info.kind} is already registered with another model")
    KINDS[info.kind] = info
    return info


register(
    KindInfo(
        "NIMCache",
        "nimcaches",
        NIMCache,
        columns=[{"name": "PVC", "type": "string", "jsonPath": ".status.pvc"}],
    )
)
register(
    KindInfo(
        "NIMService",
        "nimservices",
        NIMService,
        columns=[
            {
                "name": "Ready",
                "type": "integer",
                "jsonPath": ".status.availableReplicas",
                "description": "Replicas ready to serve",
            },
            {
                "name": "Model",
                "type": "string",
                "jsonPath": ".status.model.name",
                "description": "Model served: NIM_SERVED_MODEL_NAME, else what the Ready NIM "
                "lists on /v1/models, else derived from the spec",
            },
            {
                "name": "Platform",
                "type": "string",
                "jsonPath": ".spec.inferencePlatform",
                "priority": 1,
            },
        ],
    )
)
register(KindInfo("NIMPipeline", "nimpipelines", NIMPipeline))
register(KindInfo("NIMBuild", "nimbuilds", NIMBuild))

#: Printer columns of the NeMo kinds: ready replicas and the in-cluster URL other services use.
NEMO_COLUMNS = [
    {
        "name": "Ready",
        "type": "integer",
        "jsonPath": ".status.availableReplicas",
        "description": "Replicas ready to serve",
    },
    {
        "name": "Endpoint",
        "type": "string",
        "jsonPath": ".status.endpoint",
        "description": "In-cluster URL of the service API",
    },
]
for _kind, _plural, _model in (
    ("NemoEntitystore", "nemoentitystores", NemoEntitystore),
    ("NemoDatastore", "nemodatastores", NemoDatastore),
    ("NemoGuardrail", "nemoguardrails", NemoGuardrail),
    ("NemoEvaluator", "nemoevaluators", NemoEvaluator),
    ("NemoCustomizer", "nemocustomizers", NemoCustomizer),
):
    register(KindInfo(_kind, _plural, _model, columns=NEMO_COLUMNS))


def parse_object(obj: dict[str, Any]) -> CustomResource:
    """Parse a custom resource dict (as stored by the apiserver or read from YAML) into its
    model, chosen by `kind`. Raises `ValueError` for another API group or an unknown kind,
    and pydantic's `ValidationError` (a `ValueError`) when the object does not fit."""
    kind = obj.get("kind")
    api_version = obj.get("apiVersion", API_VERSION)
    if api_version != API_VERSION:
        raise ValueError(f"apiVersion {api_version!r} is not {API_VERSION}")
    info = KINDS.get(str(kind))
    if info is None:
        raise ValueError(f"unknown kind {kind!r}; known: {', '.join(sorted(KINDS))}")
    return info.model.model_validate(obj)


def as_models_read(obj: dict[str, Any]) -> dict[str, Any]:
    """A raw custom resource without the zero values a Go client writes for fields it never
    set (nimop.api.gozero): what code reading dicts must see so it agrees with the models.
    Objects of unknown kinds, and objects without such values, are returned unchanged."""
    info = KINDS.get(str(obj.get("kind")))
    if info is None:
        return obj
    out: dict[str, Any] = normalized(obj, info.model)
    return out
