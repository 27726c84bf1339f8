"""The base model and the scalar types shared by every API model, generated or written by hand.

Why a common base: every model must read the objects the apiserver stores (camelCase JSON) and
let Python code use snake_case names, and it must survive fields it does not know yet.

Unknown fields: ``extra="allow"``. A stored object can only carry fields our model does not know
when a newer CRD is installed than this operator (the apiserver prunes unknown fields from
structural schemas). Keeping them, rather than ignoring them, means code that copies a spec
(NIMPipeline writing NIMService specs, offline render) never drops what a user wrote. They are
visible through :func:`nimop.api.validation.unknown_fields` so the CLI can warn about typos.

Extra OpenAPI keywords (``format``, ``x-kubernetes-*``, CEL rules) are attached with the
:class:`Schema` marker, so the CRD generator sees them through pydantic's JSON schema.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, GetJsonSchemaHandler, model_validator
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import CoreSchema

from nimop.api.gozero import drop_zero
from nimop.quantity import canonical

QUANTITY_PATTERN = (
    r"^(\+|-)?(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))(([KMGTPE]i)|[numkMGTPE]|([eE](\+|-)?"
    r"(([0-9]+(\.[0-9]*)?)|(\.[0-9]+))))?$"
)


@dataclass(frozen=True)
class Schema:
    """Annotation marker: extra OpenAPI keywords merged into a field's JSON schema.

    ``replace=True`` drops what pydantic produced (used for int-or-string, whose pydantic
    schema is an ``anyOf`` the apiserver does not accept in a structural schema).
    """

    extra: dict[str, Any] = field(default_factory=dict)
    replace: bool = False

    def __hash__(self) -> int:
        return hash(repr(sorted(self.extra.items(), key=lambda kv: kv[0])))

    def __get_pydantic_json_schema__(
        self, core_schema: CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        if self.replace:
            return dict(self.extra)
        js = handler(core_schema)
        rules = js.get("x-kubernetes-validations", []) + self.extra.get(
            "x-kubernetes-validations", []
        )
        merged = {**js, **self.extra}
        if rules:
            merged["x-kubernetes-validations"] = rules
        return merged


Int32 = Annotated[int, Schema({"format": "int32"})]
Int64 = Annotated[int, Schema({"format": "int64"})]
IntOrString = Annotated[
    int | str,
    Schema(
        {"anyOf": [{"type": "integer"}, {"type": "string"}], "x-kubernetes-int-or-string": True},
        replace=True,
    ),
]
Quantity = Annotated[
    int | str,
    # One form for every way of writing the same quantity (`0.5`, "500m", a Go client's
    # canonical string), so hand-written and Go-written CRs render the same children.
    BeforeValidator(canonical),
    Schema(
        {
            "anyOf": [{"type": "integer"}, {"type": "string"}],
            "maxLength": 64,
            "pattern": QUANTITY_PATTERN,
            "x-kubernetes-int-or-string": True,
        },
        replace=True,
    ),
]
Time = Annotated[str, Schema({"format": "date-time"})]
Byte = Annotated[str, Schema({"format": "byte"})]
PreservedObject = Annotated[
    dict[str, Any],
    Schema({"type": "object", "x-kubernetes-preserve-unknown-fields": True}, replace=True),
]
AnyValue = Annotated[Any, Schema({"x-kubernetes-preserve-unknown-fields": True}, replace=True)]


class K8sModel(BaseModel):
    """Base of every API model: camelCase on the wire, snake_case in Python, unknown fields kept."""

    model_config = ConfigDict(
        populate_by_name=True,
        extra="allow",
        protected_namespaces=(),
        validate_default=False,
        # Schemas are built when a model is first used, not at import: a process touches few
        # of the ~240 models (nimop render one NIMService, the operator its watched kinds).
        defer_build=True,
    )

    @model_validator(mode="before")
    @classmethod
    def _go_zero_is_unset(cls, data: Any) -> Any:
        """A field holding only what a Go client writes for "never set" parses as unset
        (nimop.api.gozero), so every typed read sees None where upstream's code sees zero."""
        return drop_zero(cls, data)

    def to_dict(self) -> dict[str, Any]:
        """The wire form: camelCase keys, only the fields that were set (lossless round trip)."""
        return self.model_dump(mode="json", by_alias=True, exclude_unset=True)
