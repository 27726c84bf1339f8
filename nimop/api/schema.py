"""Structural OpenAPI schemas from the pydantic models.

Why post-process pydantic's JSON schema rather than write another emitter: pydantic already
knows constraints, defaults, enums and descriptions; the apiserver only needs them in the
structural form — no ``$ref``, no ``anyOf`` with null, no titles — which this module produces.
"""

from __future__ import annotations

import copy
from typing import Any

from pydantic import BaseModel

from nimop.api.base import K8sModel
from nimop.api.fielddocs import attach
from nimop.api.resource import CustomResource

DROP = {"title", "$defs", "discriminator"}
ENVELOPE = {
    "apiVersion": {
        "type": "string",
        "description": "APIVersion defines the versioned schema of this representation of an "
        "object. Servers should convert recognized schemas to the latest internal value, and "
        "may reject unrecognized values. More info: "
        "https://git.k8s.io/community/contributors/devel/sig-architecture/"
        "api-conventions.md#resources",
    },
    "kind": {
        "type": "string",
        "description": "Kind is a string value representing the REST resource this object "
        "represents. Servers may infer this from the endpoint the client submits requests to. "
        "Cannot be updated. In CamelCase. More info: "
        "https://git.k8s.io/community/contributors/devel/sig-architecture/"
        "api-conventions.md#types-kinds",
    },
    "metadata": {"type": "object"},
}


class _Inliner:
    """Inlines ``$ref`` definitions and strips what structural schemas forbid."""

    def __init__(self, defs: dict[str, Any]) -> None:
        self.defs = defs
        self.stack: list[str] = []

    def ref(self, ref: str) -> dict[str, Any]:
        name = ref.rsplit("/", 1)[-1]
        if name in self.stack:
            raise ValueError(f"recursive type {name} cannot be inlined into a CRD schema")
        self.stack.append(name)
        try:
            return self.clean(copy.deepcopy(self.defs[name]))
        finally:
            self.stack.pop()

    def clean(self, node: dict[str, Any]) -> dict[str, Any]:
        node = {k: v for k, v in node.items() if k not in DROP}
        if "$ref" in node:
            node = _merge(self.ref(node.pop("$ref")), _siblings(node))
        node = self._unwrap_nullable(node)
        if "allOf" in node and len(node["allOf"]) == 1:
            node = _merge(self.clean(node.pop("allOf")[0]), _siblings(node))
        if "const" in node:
            node["enum"] = [node.pop("const")]
        if node.get("additionalProperties") is True or node.get("additionalProperties") is False:
            del node["additionalProperties"]
        if node.get("default", 0) is None:
            del node["default"]
        for key in ("items", "additionalProperties"):
            if isinstance(node.get(key), dict):
                node[key] = self.clean(node[key])
        if "properties" in node:
            node["properties"] = {k: self.clean(v) for k, v in node["properties"].items()}
        if "anyOf" in node and not node.get("x-kubernetes-int-or-string"):
            raise ValueError(f"unsupported anyOf in schema: {node['anyOf']}")
        if "properties" in node and "type" not in node:
            node["type"] = "object"
        return node

    def _unwrap_nullable(self, node: dict[str, Any]) -> dict[str, Any]:
        """``X | None`` becomes ``X``: absence, not null, is how Kubernetes says "unset"."""
        options = node.get("anyOf")
        if not options:
            return node
        rest = [o for o in options if o.get("type") != "null"]
        if len(rest) == len(options):
            return node
        node = {k: v for k, v in node.items() if k != "anyOf"}
        if len(rest) == 1:
            return _merge(self.clean(rest[0]), _siblings(node))
        return {**node, "anyOf": rest}


def _merge(inner: dict[str, Any], outer: dict[str, Any]) -> dict[str, Any]:
    """The field's keywords win over its type's, except rules, which add up: a type's own
    rules (e.g. "exactly one source") and the field's (e.g. "immutable") all apply."""
    rules = inner.get("x-kubernetes-validations", []) + outer.get("x-kubernetes-validations", [])
    merged = {**inner, **outer}
    if rules:
        merged["x-kubernetes-validations"] = rules
    return merged


def _siblings(node: dict[str, Any]) -> dict[str, Any]:
    """Keywords next to a ``$ref`` (the field's own description, default, rules) win."""
    return {k: v for k, v in node.items() if k not in ("$ref", "anyOf", "allOf")}


def structural(model: type[BaseModel]) -> dict[str, Any]:
    """The inlined, structural schema of a model, with the fields' docstrings."""
    attach(K8sModel)
    raw = model.model_json_schema(by_alias=True, mode="validation")
    return _Inliner(raw.get("$defs", {})).clean(raw)


def resource_schema(model: type[CustomResource]) -> dict[str, Any]:
    """The ``openAPIV3Schema`` of a kind: the standard envelope plus typed spec and status."""
    schema = structural(model)
    props = schema["properties"]
    for key, value in ENVELOPE.items():
        props[key] = dict(value)
    required = [r for r in schema.get("required", []) if r not in ENVELOPE]
    out: dict[str, Any] = {
        "description": schema.get("description", ""),
        "type": "object",
        "properties": props,
    }
    if required:
        out["required"] = required
    if "x-kubernetes-validations" in schema:
        out["x-kubernetes-validations"] = schema["x-kubernetes-validations"]
    return out
