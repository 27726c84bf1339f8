"""Admission-time rules CEL cannot express, run by the controllers (nimop.api.validation).

Errors become a `Failed` condition naming the field and the fix; warnings become Warning
events. An object that does not even parse (which admission should have prevented) is a
`Failed` condition too — never an exception that would hot-loop the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import ValidationError

from nimop.api import parse_object
from nimop.api.resource import CustomResource
from nimop.api.validation import check
from nimop.render import Problem

CRT = TypeVar("CRT", bound=CustomResource)


@dataclass(frozen=True)
class Checked(Generic[CRT]):
    """A CR parsed once for its reconcile: the model the renderers read (None when the object
    does not even parse), the errors (render problems) and the warning messages."""

    model: CRT | None
    errors: list[Problem]
    warnings: list[str]


def checked(obj: Mapping[str, Any], model_type: type[CRT]) -> Checked[CRT]:
    """Parse a raw CR into `model_type` and run the checks CEL cannot express."""
    try:
        model = parse_object(dict(obj))
    except (ValidationError, ValueError) as exc:
        return Checked(None, [Problem("InvalidSpec", _short(exc), failed=True)], [])
    if not isinstance(model, model_type):
        raise TypeError(f"{type(model).__name__} reached the {model_type.__name__} controller")
    errors, warnings = problems_of(model)
    return Checked(model, errors, warnings)


def problems(obj: Mapping[str, Any]) -> tuple[list[Problem], list[str]]:
    """(errors as render problems, warning messages) for a raw CR."""
    try:
        model = parse_object(dict(obj))
    except (ValidationError, ValueError) as exc:
        return [Problem("InvalidSpec", _short(exc), failed=True)], []
    return problems_of(model)


def problems_of(model: CustomResource) -> tuple[list[Problem], list[str]]:
    """(errors as render problems, warning messages) for a parsed CR."""
    errors, warnings = [], []
    for p in check(model):
        text = (
            f"{p.path}: {p.message}" if p.path and not p.message.startswith(p.path) else p.message
        )
        if p.severity == "error":
            errors.append(Problem(p.reason, text, failed=True))
        else:
            warnings.append(text)
    return errors, warnings


def _short(exc: Exception) -> str:
    if isinstance(exc, ValidationError):
        first = exc.errors()[0]
        where = ".".join(str(p) for p in first.get("loc", ()))
        return f"{where}: {first.get('msg', 'invalid')} ({exc.error_count()} problem(s))"
    return str(exc)
