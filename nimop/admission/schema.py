"""A structural OpenAPI schema applied as the apiserver applies a CRD's: prune unknown fields,
drop nulls, apply defaults, check types and limits, then run the CEL rules on the defaulted
value (k8s.io/apiextensions-apiserver: pruning, defaulting, validation, CEL, in that order).

Messages have the apiserver's shape (``spec.replicas: Invalid value: "string": spec.replicas
in body must be of type integer: "string"``), so a CI log reads like ``kubectl apply``'s.
Transition rules (those naming ``oldSelf``) run only on an update, where the old object is
given; values correlate through object properties and map-list keys, as in the apiserver.
"""

from __future__ import annotations

import base64
import binascii
import copy
import json
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

__all__ = ["Walk"]

Schema = dict[str, Any]
Rule = dict[str, Any]
#: Runs one CEL rule: (rule, self, oldSelf or _ABSENT) -> failure message or None.
CelRunner = Callable[[Rule, Any, Any], str | None]
_ABSENT = object()
_REASONS = {"FieldValueRequired": "Required value", "FieldValueForbidden": "Forbidden",
            "FieldValueDuplicate": "Duplicate value"}  # fmt: skip


def _json(value: Any) -> str:
    return json.dumps(value, sort_keys=True)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):  # beyond int64 JSON decodes as a float64, as in Go
        return "integer" if -(2**63) <= value < 2**63 else "number"
    if isinstance(value, float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, list):
        return "array"
    return "object" if isinstance(value, dict) else "null"


def _type_ok(value: Any, schema: Schema) -> bool:
    if schema.get("x-kubernetes-int-or-string"):
        return _kind(value) in ("integer", "string")
    wanted = schema.get("type")
    got = _kind(value)
    return wanted is None or got == wanted or (wanted == "number" and got == "integer")


@dataclass
class Walk:
    """One object's admission: ``errors`` (rejections) and ``unknown`` (pruned field paths)."""

    cel: CelRunner | None = None
    errors: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)

    def admit(self, value: Any, schema: Schema, old: Any = _ABSENT) -> Any:
        """The pruned and defaulted ``value``; findings accumulate on ``self``."""
        return self._node(copy.deepcopy(value), schema, "", old)

    # -- one node ---------------------------------------------------------------------------

    def _node(self, value: Any, schema: Schema, path: str, old: Any) -> Any:
        if value is None and schema.get("nullable"):
            return value
        if not _type_ok(value, schema):
            got = _kind(value)
            where = path or "<root>"
            self.errors.append(f'{where}: Invalid value: "{got}": {where} in body must be of '
                               f'type {schema.get("type")}: "{got}"')  # fmt: skip
            return value
        if isinstance(value, dict):
            value = self._object(value, schema, path, old)
        elif isinstance(value, list):
            self._array(value, schema, path, old)
        else:
            self._scalar(value, schema, path)
        self._rules(value, schema, path, old)
        return value

    def _object(self, value: dict[str, Any], schema: Schema, path: str, old: Any) -> dict[str, Any]:
        props: dict[str, Schema] = schema.get("properties") or {}
        extra = schema.get("additionalProperties")
        keep = schema.get("x-kubernetes-preserve-unknown-fields") or path == "metadata"
        old_map = old if isinstance(old, dict) else {}
        out: dict[str, Any] = {}
        for key, item in value.items():
            sub = props.get(key) if key in props else (extra if isinstance(extra, dict) else None)
            at = f"{path}.{key}".lstrip(".")  # map values too, as kube-openapi names them
            if sub is None:
                if keep or extra is True:
                    out[key] = item
                elif not (path == "" and key in ("apiVersion", "kind")):
                    self.unknown.append(at)
                continue
            if item is None and not sub.get("nullable"):
                continue  # the apiserver prunes nulls of non-nullable fields
            out[key] = self._node(item, sub, at, old_map.get(key, _ABSENT))
        for key, sub in props.items():
            if key not in out and "default" in sub:
                at = f"{path}.{key}".lstrip(".")
                out[key] = self._node(copy.deepcopy(sub["default"]), sub, at, _ABSENT)
        for key in schema.get("required") or ():
            if key not in out:
                self.errors.append(f"{path}.{key}: Required value".lstrip("."))
        self._count(len(out), schema, path, "Properties", "properties")
        return out

    def _array(self, value: list[Any], schema: Schema, path: str, old: Any) -> None:
        items: Schema = schema.get("items") or {}
        olds = self._correlate(value, schema, old)
        for i, item in enumerate(value):
            value[i] = self._node(item, items, f"{path}[{i}]", olds[i])
        self._count(len(value), schema, path, "Items", "items")
        list_type = schema.get("x-kubernetes-list-type")
        if list_type in ("set", "map"):
            keys = schema.get("x-kubernetes-list-map-keys") or []
            seen: set[str] = set()
            for i, item in enumerate(value):
                key = _json([item.get(k) for k in keys] if list_type == "map" and
                            isinstance(item, dict) else item)  # fmt: skip
                if key in seen:
                    self.errors.append(f"{path}[{i}]: Duplicate value: {_json(item)}")
                seen.add(key)

    @staticmethod
    def _correlate(value: list[Any], schema: Schema, old: Any) -> list[Any]:
        """The old element of each new one: map lists by key, other lists not at all."""
        keys = schema.get("x-kubernetes-list-map-keys") or []
        if schema.get("x-kubernetes-list-type") != "map" or not isinstance(old, list) or not keys:
            return [_ABSENT] * len(value)
        by_key = {_json([o.get(k) for k in keys]): o for o in old if isinstance(o, dict)}
        return [by_key.get(_json([v.get(k) for k in keys]), _ABSENT) if isinstance(v, dict)
                else _ABSENT for v in value]  # fmt: skip

    def _count(self, n: int, schema: Schema, path: str, what: str, noun: str) -> None:
        most, least = schema.get(f"max{what}"), schema.get(f"min{what}")
        if most is not None and n > most:
            self.errors.append(f"{path}: Too many: {n}: must have at most {most} {noun}")
        if least is not None and n < least:
            self.errors.append(f"{path}: Invalid value: {n}: {path} in body should have at "
                               f"least {least} {noun}")  # fmt: skip

    def _scalar(self, value: Any, schema: Schema, path: str) -> None:
        enum = schema.get("enum")
        if enum is not None and value not in enum:
            allowed = ", ".join(_json(e) for e in enum)
            self.errors.append(f"{path}: Unsupported value: {_json(value)}: supported values: "
                               f"{allowed}")  # fmt: skip
        if isinstance(value, str):
            self._string(value, schema, path)
        elif isinstance(value, int | float) and not isinstance(value, bool):
            self._number(value, schema, path)

    def _string(self, value: str, schema: Schema, path: str) -> None:
        if schema.get("maxLength") is not None and len(value) > schema["maxLength"]:
            self.errors.append(f"{path}: Too long: may not be more than {schema['maxLength']} "
                               "bytes")  # fmt: skip
        if schema.get("minLength") is not None and len(value) < schema["minLength"]:
            self.errors.append(f"{path}: Invalid value: {_json(value)}: {path} in body should "
                               f"be at least {schema['minLength']} chars long")  # fmt: skip
        pattern = schema.get("pattern")
        if pattern and re.search(pattern, value) is None:
            self.errors.append(f"{path}: Invalid value: {_json(value)}: {path} in body should "
                               f"match '{pattern}'")  # fmt: skip
        if schema.get("format") == "byte":
            try:
                base64.b64decode(value, validate=True)
            except (binascii.Error, ValueError):
                self.errors.append(f"{path}: Invalid value: {_json(value)}: {path} in body "
                                   "must be of type byte")  # fmt: skip

    def _number(self, value: float, schema: Schema, path: str) -> None:
        bits = {"int32": 31, "int64": 63}.get(str(schema.get("format")))
        if bits and isinstance(value, int) and not -(2**bits) <= value < 2**bits:
            self.errors.append(f'{path}: Invalid value: "": Checked value must be of type '
                               f"integer with format {schema['format']} in {path}")  # fmt: skip
            return
        low, high = schema.get("minimum"), schema.get("maximum")
        if low is not None and value < low:
            self.errors.append(f"{path}: Invalid value: {value}: {path} in body should be "
                               f"greater than or equal to {low}")  # fmt: skip
        if high is not None and value > high:
            self.errors.append(f"{path}: Invalid value: {value}: {path} in body should be less "
                               f"than or equal to {high}")  # fmt: skip

    # -- CEL ---------------------------------------------------------------------------------

    def _rules(self, value: Any, schema: Schema, path: str, old: Any) -> None:
        if self.cel is None:
            return
        for rule in schema.get("x-kubernetes-validations") or ():
            transition = re.search(r"\boldSelf\b", rule["rule"]) is not None
            if transition and old is _ABSENT:
                continue  # a transition rule: only on update, and only for correlated values
            message = self.cel(rule, value, old if transition else _ABSENT)
            if message is None:
                continue
            at = (path + str(rule.get("fieldPath") or "")).lstrip(".") or "<root>"
            reason = _REASONS.get(str(rule.get("reason")))
            shown = f"{reason}: {message}" if reason else \
                f'Invalid value: "{_kind(value)}": {message}'  # fmt: skip
            self.errors.append(f"{at}: {shown}")
