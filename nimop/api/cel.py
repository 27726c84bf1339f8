"""CEL validation rules, declared next to the models they guard.

Why CEL and not a webhook: the apiserver evaluates ``x-kubernetes-validations`` itself, so bad
input is rejected at admission with no webhook server, certificates or failure policy to run.
Each rule's message names the field and the fix, because platform teams read these messages in
``kubectl apply`` output, not our code.

A rule is attached to a model class with ``model_config = rules(...)`` or to one field with
``Annotated[T, validations(...)]``; the CRD generator finds them in the JSON schema.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from pydantic import ConfigDict

from nimop.api.base import Schema

Reason = Literal[
    "FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate"
]


@dataclass(frozen=True)
class Rule:
    """One ``x-kubernetes-validations`` entry.

    ``field_path`` (relative, e.g. ``.replicas``) makes the apiserver report the error on that
    field rather than on the object holding the rule; ``transition`` marks rules using
    ``oldSelf`` (only checked on update).
    """

    rule: str
    message: str
    field_path: str | None = None
    reason: Reason | None = None

    @property
    def transition(self) -> bool:
        return "oldSelf" in self.rule

    def to_schema(self) -> dict[str, Any]:
        out: dict[str, Any] = {"rule": self.rule, "message": self.message}
        if self.field_path:
            out["fieldPath"] = self.field_path
        if self.reason:
            out["reason"] = self.reason
        return out


def _entries(items: tuple[Rule, ...]) -> list[dict[str, Any]]:
    return [r.to_schema() for r in items]


def rules(*items: Rule) -> ConfigDict:
    """``model_config`` carrying rules evaluated on the whole object of that model."""
    extra: dict[str, Any] = {"x-kubernetes-validations": _entries(items)}
    return ConfigDict(json_schema_extra=extra)


def validations(*items: Rule) -> Schema:
    """Field annotation carrying rules evaluated on that field's value."""
    return Schema({"x-kubernetes-validations": _entries(items)})


def immutable(path: str, why: str) -> Rule:
    """``self == oldSelf``: the field cannot change once set (transition rule)."""
    return Rule("self == oldSelf", f"{path} is immutable: {why}", reason="FieldValueForbidden")


def exactly_one(path: str, fields: list[str], hint: str = "") -> Rule:
    """Exactly one of the optional ``fields`` of the object at ``path`` is set."""
    expr = " + ".join(f"(has(self.{f}) ? 1 : 0)" for f in fields)
    names = ", ".join(f"{path}.{f}" for f in fields)
    return Rule(f"{expr} == 1", f"set exactly one of {names}{hint}")


def at_most_one(path: str, fields: list[str], hint: str = "") -> Rule:
    """At most one of the optional ``fields`` of the object at ``path`` is set."""
    expr = " + ".join(f"(has(self.{f}) ? 1 : 0)" for f in fields)
    names = " and ".join(f"{path}.{f}" for f in fields)
    return Rule(f"{expr} <= 1", f"{names} are mutually exclusive{hint}")


def is_true(expr: str) -> str:
    """CEL for "the optional boolean at ``expr`` (e.g. ``self.scale.enabled``) is true"."""
    parent = expr.rsplit(".", 1)[0]
    guards = []
    parts = parent.split(".")
    for i in range(1, len(parts)):
        guards.append(f"has({'.'.join(parts[: i + 1])})")
    guards.append(f"has({expr})")
    return "(" + " && ".join([*guards, expr]) + ")"


def present(expr: str) -> str:
    """CEL for "the optional field at ``expr`` and all its parents are set"."""
    parts = expr.split(".")
    return "(" + " && ".join(f"has({'.'.join(parts[: i + 1])})" for i in range(1, len(parts))) + ")"


def one_of_values(path: str, values: list[str]) -> Rule:
    """The string is one of ``values`` — used where upstream has no ``enum`` in its schema,
    so the schema type stays identical to upstream while the value is still checked."""
    listed = ", ".join(values)
    return Rule(f"self in {values!r}", f"{path} must be one of: {listed}")
