"""Admission-time rules CEL cannot express, run by the controllers (nimop.api.validation).

Errors become a `Failed` condition naming the field and the fix; warnings become Warning
events. An object that does not even parse (which admission should have prevented) is a
`Failed` condition too — never an exception that would hot-loop the key.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from pydantic import ValidationError

from nimop.api import parse_object
from nimop.api.validation import check
from nimop.render import Problem


def problems(obj: Mapping[str, Any]) -> tuple[list[Problem], list[str]]:
    """(errors as render problems, warning messages) for a raw CR."""
    try:
        model = parse_object(dict(obj))
    except (ValidationError, ValueError) as exc:
        return [Problem("InvalidSpec", _short(exc), failed=True)], []
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
