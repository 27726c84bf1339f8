"""Go zero values: what a Go client built on upstream's API types writes for fields it never set.

Why this exists: Go's ``encoding/json`` omits an empty pointer, slice, map or scalar tagged
``omitempty`` — but never a struct value, and never a field without ``omitempty``. A program
that creates or updates NIM objects through ``github.com/NVIDIA/k8s-nim-operator/api`` types
(upstream's own controller, or a platform's) therefore sends ``storage: {nimCache: {name: x},
pvc: {}}``, ``scale: {hpa: {maxReplicas: 0}}``, ``expose: {ingress: {spec: {}}, router: {}}``,
``livenessProbe: {}``, NIMCache ``resources: {cpu: "0", memory: "0"}`` for a spec that set none
of them. Upstream's webhook and controllers read those as "not set"; nimop must too.

The facts below are transcribed from upstream's Go types (``api/apps/v1alpha1/*_types.go``):
for each of our models, the fields that upstream declares as a *struct value* (not a pointer)
and the scalar fields declared *without* ``omitempty`` with the zero value Go writes. Every
other field is a pointer, slice, map or ``omitempty`` scalar, which Go leaves out when unset.
A field of a struct value whose own model has no facts (e.g. ``networkingv1.IngressSpec``, all
``omitempty``) is written as ``{}``.

Three users, one table:

* :func:`drop_zero` — the models' ``before`` validator (:class:`nimop.api.base.K8sModel`): a
  field holding only Go zero values parses as unset, so every typed read sees ``None``;
  :func:`normalized` does the same on a raw dict for the controllers' dict reads.
* :func:`is_set` — CEL for "set and not a Go zero value", used by rules that test presence.
* :func:`go_written` and :func:`zero_shapes` — how such a client re-serializes an object, and
  the complete list of shapes (published as ``api/go-zero-values.yaml``), for tests and docs.
"""

from __future__ import annotations

import functools
import types
import typing
from dataclasses import dataclass, field
from typing import Any, Union

from pydantic import BaseModel, BeforeValidator

from nimop.quantity import canonical, go_string


@dataclass(frozen=True)
class GoFields:
    """Upstream's Go declaration of one struct: struct-valued fields and non-omitempty scalars."""

    structs: tuple[str, ...] = ()
    scalars: dict[str, Any] = field(default_factory=dict)


_IMAGE = GoFields(scalars={"repository": "", "tag": ""})
_HF = GoFields(
    scalars={"authSecret": "", "endpoint": "", "modelPuller": "", "namespace": "", "pullSecret": ""}
)

_NEMO_STRUCTS = ("image", "expose", "scale", "metrics")
_NEMO = GoFields(structs=_NEMO_STRUCTS)


def _nemo(*structs: str) -> GoFields:
    """A NeMo kind's spec: the struct values every NeMo spec has, plus its own."""
    return GoFields(structs=_NEMO_STRUCTS + structs)


def _empty(*names: str) -> dict[str, Any]:
    """Strings written without omitempty: each is `""` when unset."""
    return {name: "" for name in names}


#: Keyed by ``<module>.<class>`` of nimop.api (see :func:`key`); a unit test checks every key
#: names a model and every field a field of it.
GO_FIELDS: dict[str, GoFields] = {
    "nimservice.NIMServiceSpec": GoFields(
        structs=(
            "image",
            "storage",
            "expose",
            "livenessProbe",
            "readinessProbe",
            "startupProbe",
            "scale",
            "metrics",
        ),
        scalars={"authSecret": ""},
    ),
    "nimservice.NIMServiceStorage": GoFields(structs=("nimCache", "pvc")),
    "nimservice.MPIConfig": GoFields(scalars={"mpiStartTimeout": 0}),
    "nimservice.RayConfig": GoFields(scalars={"rayPort": 0}),
    "expose.Expose": GoFields(structs=("service", "ingress", "router")),
    "expose.LegacyIngress": GoFields(structs=("spec",)),
    "expose.RouterIngress": GoFields(scalars={"ingressClass": ""}),
    "expose.Gateway": GoFields(scalars={"name": "", "namespace": ""}),
    "common.Metrics": GoFields(structs=("serviceMonitor",)),
    "common.Autoscaling": GoFields(structs=("hpa",)),
    "common.HorizontalPodAutoscalerSpec": GoFields(scalars={"maxReplicas": 0}),
    "common.Image": _IMAGE,
    "common.CertConfig": GoFields(scalars={"name": "", "mountPath": ""}),
    "common.NIMContainerSpec": GoFields(structs=("image",), scalars={"name": ""}),
    "nimcache.NIMCacheSpec": GoFields(structs=("source", "storage", "resources")),
    "nimcache.NIMCacheStorage": GoFields(structs=("pvc",)),
    # resource.Quantity is a struct: its zero value marshals as "0", omitempty or not.
    "nimcache.Resources": GoFields(scalars={"cpu": "0", "memory": "0"}),
    "nimcache.NGCSource": GoFields(scalars={"authSecret": "", "modelPuller": ""}),
    "nimcache.HuggingFaceHubSource": _HF,
    "nimcache.DataStoreSource": _HF,
    "nimpipeline.NIMServicePipelineSpec": GoFields(structs=("spec",)),
    "nimbuild.NIMBuildSpec": GoFields(structs=("image", "nimCache")),
    "nimbuild.NIMCacheReference": GoFields(scalars={"name": ""}),
    # The five NeMo kinds (nemo_*_types.go, nemo_common_types.go): ExposeV1, Autoscaling,
    # Metrics and Image are struct values in every spec; the endpoints, database and secrets
    # structs are required values; NGCSecret/HFSecret keys, OTel's endpoint and the
    # ModelDownloadJobs numbers are written without omitempty.
    "nemo_common.NemoSpec": _NEMO,
    "nemo_common.NemoExpose": GoFields(structs=("service", "ingress", "router")),
    "nemo_common.IngressSpecV1": GoFields(scalars={"ingressClassName": ""}),
    "nemo_common.ServiceEndpoint": GoFields(scalars={"endpoint": ""}),
    "nemo_common.ArgoWorkflows": GoFields(scalars={"endpoint": "", "serviceAccount": ""}),
    "nemo_common.DatabaseConfig": GoFields(
        structs=("credentials",), scalars={"host": "", "databaseName": ""}
    ),
    "nemo_common.DatabaseCredentials": GoFields(scalars={"user": "", "secretName": ""}),
    "nemo_common.OTelSpec": GoFields(
        structs=("exporterConfig",), scalars={"exporterOtlpEndpoint": ""}
    ),
    "nemo_common.ConfigMapRef": GoFields(scalars={"name": ""}),
    "nemo_customizer.NemoCustomizerSpec": _nemo(
        "datastore", "entitystore", "mlflow", "modelConfig", "scheduler", "databaseConfig", "wandb"
    ),
    "nemo_customizer.WandBConfig": GoFields(scalars={"secretName": "", "apiKeyKey": ""}),
    "nemo_customizer.NGCSecret": GoFields(scalars={"name": "", "key": ""}),
    "nemo_customizer.HFSecret": GoFields(scalars={"name": "", "key": ""}),
    "nemo_customizer.ModelDownloadJobs": GoFields(
        scalars={"image": "", "ttlSecondsAfterFinished": 0, "pollIntervalSeconds": 0}
    ),
    "nemo_customizer.DatastoreTools": GoFields(scalars={"image": ""}),
    "nemo_customizer.TrainingConfig": GoFields(structs=("modelPVC", "workspacePVC", "image")),
    "nemo_evaluator.NemoEvaluatorSpec": _nemo(
        "argoWorkflows", "vectorDB", "datastore", "entitystore", "otel", "evaluationImages"
    ),
    "nemo_datastore.NemoDatastoreSpec": _nemo("databaseConfig", "secrets"),
    "nemo_datastore.DatastoreSecrets": GoFields(
        scalars=dict.fromkeys(
            (
                "giteaAdminSecret",
                "lfsJwtSecret",
                "datastoreInitSecret",
                "datastoreConfigSecret",
                "datastoreInlineConfigSecret",
            ),
            "",
        )
    ),
    # `ssl` is written too, but false is a value a user sets: it is never dropped.
    "nemo_datastore.ObjectStoreConfig": GoFields(
        structs=("credentials",), scalars={"endpoint": "", "bucketName": "", "region": ""}
    ),
    "nemo_datastore.ObjectStoreCredentials": GoFields(
        scalars={"user": "", "secretName": "", "passwordKey": ""}
    ),
    "nemo_entitystore.NemoEntitystoreSpec": _nemo("datastore"),
    "nemo_guardrail.NemoGuardrailSpec": _nemo("configStore"),
    "nemo_guardrail.NIMEndpoint": GoFields(scalars={"baseURL": ""}),
}

_NONE = GoFields()


def key(model: type[BaseModel]) -> str:
    """``<module>.<class>`` of a nimop.api model, e.g. ``nimservice.NIMServiceStorage``."""
    return f"{model.__module__.rsplit('.', 1)[-1]}.{model.__qualname__}"


@functools.cache
def facts(model: type[BaseModel]) -> GoFields:
    """The Go facts of `model` (none for most models; inherited by subclasses)."""
    for cls in model.__mro__:
        if isinstance(cls, type) and issubclass(cls, BaseModel) and key(cls) in GO_FIELDS:
            return GO_FIELDS[key(cls)]
    return _NONE


def _models_in(annotation: Any) -> list[type[BaseModel]]:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return [annotation]
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        return _models_in(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        return [m for a in typing.get_args(annotation) for m in _models_in(a)]
    return []


def _child(model: type[BaseModel], alias: str) -> type[BaseModel] | None:
    """The model of the field `alias` (its camelCase name) when it is an object, else None."""
    for name, info in model.model_fields.items():
        if (info.alias or name) == alias:
            found = _models_in(info.annotation)
            return found[0] if found else None
    return None


def _list_item(model: type[BaseModel], alias: str) -> type[BaseModel] | None:
    for name, info in model.model_fields.items():
        if (info.alias or name) == alias:
            ann = info.annotation
            for arg in typing.get_args(ann) or (ann,):
                inner = (
                    typing.get_args(arg)[0] if typing.get_origin(arg) is typing.Annotated else arg
                )
                if typing.get_origin(inner) is list:
                    found = _models_in(typing.get_args(inner)[0])
                    return found[0] if found else None
    return None


def is_zero(value: Any, model: type[BaseModel] | None, zero: Any = None) -> bool:
    """Whether `value` is what a Go client writes for a struct (`model`) or scalar (`zero`)
    it never set: None, the scalar's zero value, or an object of nothing but zero values."""
    if value is None:
        return True
    if zero is not None:
        return bool(value == zero or (zero == "0" and value == 0))
    if model is None or not isinstance(value, dict):
        return isinstance(value, dict) and not value
    go = facts(model)
    for k, v in value.items():
        if k in go.scalars:
            if not is_zero(v, None, go.scalars[k]):
                return False
        elif k in go.structs:
            if not is_zero(v, _child(model, k)):
                return False
        elif v is not None:
            return False
    return True


def drop_zero(model: type[BaseModel], data: Any) -> Any:
    """`data` (the dict a model is parsed from) without the fields holding Go zero values."""
    go = facts(model)
    if go is _NONE or not isinstance(data, dict):
        return data
    drop = [k for k in go.scalars if k in data and is_zero(data[k], None, go.scalars[k])]
    drop += [k for k in go.structs if k in data and is_zero(data[k], _child(model, k))]
    return {k: v for k, v in data.items() if k not in drop} if drop else data


def normalized(value: Any, model: type[BaseModel]) -> Any:
    """A raw object (dict) read as a model reads it: Go zero values removed at every level and
    quantities in the models' one form (nimop.quantity). Branches without either are
    returned as they are (store objects are shared, never mutated)."""
    if not isinstance(value, dict):
        return value
    out = drop_zero(model, value)
    changed = out is not value
    result = dict(out)
    for k, v in out.items():
        sub = _child(model, k)
        if sub is not None and isinstance(v, dict):
            new = normalized(v, sub)
        elif isinstance(v, list) and (item := _list_item(model, k)) is not None:
            items = [normalized(x, item) for x in v]
            new = v if all(a is b for a, b in zip(items, v, strict=True)) else items
        elif (shape := _quantity_shape(model, k)) is not None:
            new = _canonical_quantities(v, shape)
        else:
            continue
        if new is not v:
            result[k] = new
            changed = True
    return result if changed else value


def is_set(expr: str, model: type[BaseModel]) -> str:
    """CEL: the object field at `expr` (e.g. ``self.pvc``) is present and not a Go zero value."""
    go = facts(model)
    terms = []
    for name, info in model.model_fields.items():
        alias = info.alias or name
        sub = f"{expr}.{alias}"
        if alias in go.scalars:
            terms.append(f"(has({sub}) && {sub} != {_cel_literal(go.scalars[alias])})")
        elif alias in go.structs and (child := _child(model, alias)) is not None:
            terms.append(is_set(sub, child))
        else:
            terms.append(f"has({sub})")
    return f"(has({expr}) && ({' || '.join(terms) or 'false'}))"


def _cel_literal(value: Any) -> str:
    if isinstance(value, str):
        return repr(value)
    return str(value).lower() if isinstance(value, bool) else str(value)


def zero_of(model: type[BaseModel] | None) -> dict[str, Any]:
    """What Go writes for a struct value of `model` that was never set."""
    if model is None:
        return {}
    go = facts(model)
    out: dict[str, Any] = dict(go.scalars)
    for name in go.structs:
        out[name] = zero_of(_child(model, name))
    return dict(sorted(out.items()))


def go_written(value: Any, model: type[BaseModel]) -> Any:
    """`value` as a Go client using upstream's types re-serializes it (unmarshal, marshal):
    every struct-valued or non-omitempty field it did not set is added with its zero value,
    and every quantity is written in ``resource.Quantity``'s canonical form (nimop.quantity).
    Fields upstream's types do not know are kept (a Go client would drop them; keeping them
    lets one object carry nimop-only fields through the comparison)."""
    if not isinstance(value, dict):
        return value
    go = facts(model)
    out = dict(value)
    for name, zero in go.scalars.items():
        out.setdefault(name, zero)
    for name in go.structs:
        out.setdefault(name, zero_of(_child(model, name)))
    for k, v in out.items():
        sub = _child(model, k)
        if sub is not None and isinstance(v, dict):
            out[k] = go_written(v, sub)
        elif isinstance(v, list) and (item := _list_item(model, k)) is not None:
            out[k] = [go_written(x, item) for x in v]
        elif (shape := _quantity_shape(model, k)) == "scalar":
            out[k] = go_string(v)
        elif shape == "map" and isinstance(v, dict):
            out[k] = {name: go_string(q) for name, q in v.items()}
    return out


def _canonical_quantities(value: Any, shape: str) -> Any:
    """`value` (a quantity, or a map of them) in the models' form; `value` itself if it is."""

    def same(a: Any, b: Any) -> bool:
        return bool(a == b and type(a) is type(b))

    if shape == "scalar":
        new = canonical(value)
        return value if same(new, value) else new
    if not isinstance(value, dict):
        return value
    out = {name: canonical(q) for name, q in value.items()}
    return value if all(same(out[n], q) for n, q in value.items()) else out


@functools.cache
def _quantity_shape(model: type[BaseModel], alias: str) -> str | None:
    """"scalar" for a `resource.Quantity` field, "map" for a map of them (a ResourceList)."""
    for name, info in model.model_fields.items():
        if (info.alias or name) == alias:
            if any(_is_quantity_marker(m) for m in info.metadata):
                return "scalar"
            return _quantity_in(info.annotation)
    return None


def _is_quantity_marker(meta: Any) -> bool:
    return isinstance(meta, BeforeValidator) and meta.func is canonical


def _quantity_in(annotation: Any) -> str | None:
    origin = typing.get_origin(annotation)
    if origin is typing.Annotated:
        if any(_is_quantity_marker(m) for m in annotation.__metadata__):
            return "scalar"
        return _quantity_in(typing.get_args(annotation)[0])
    if origin in (Union, types.UnionType):
        found = {_quantity_in(a) for a in typing.get_args(annotation)} - {None}
        return found.pop() if len(found) == 1 else None
    if origin is dict:
        return "map" if _quantity_in(typing.get_args(annotation)[1]) == "scalar" else None
    return None


def zero_shapes(
    model: type[BaseModel], prefix: str = "", seen: frozenset[str] = frozenset()
) -> list[tuple[str, Any]]:
    """Every (path, zero value) a Go client may write under `model`, depth first; ``[]`` marks
    the items of a list."""
    out: list[tuple[str, Any]] = []
    go = facts(model)
    for name, info in sorted(model.model_fields.items(), key=lambda kv: kv[1].alias or kv[0]):
        alias = info.alias or name
        path = f"{prefix}.{alias}"
        child = _child(model, alias)
        if alias in go.scalars:
            out.append((path, go.scalars[alias]))
        elif alias in go.structs:
            out.append((path, zero_of(child)))
        item = _list_item(model, alias)
        for sub, at in ((child, path), (item, f"{path}[]")):
            if sub is not None and key(sub) not in seen:
                out += zero_shapes(sub, at, seen | {key(sub)})
    return out
