"""Offline admission: what the apiserver would say about a nimop CR, without an apiserver.

:func:`review` checks one object against its API model and reports the fields the model does
not know (the apiserver prunes them).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

__all__ = ["Verdict", "review"]


@dataclass
class Verdict:
    """``errors``: why the apiserver would reject the object; ``unknown``: fields it drops."""

    errors: list[str] = field(default_factory=list)
    unknown: list[str] = field(default_factory=list)


def _loc(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        out += f"[{part}]" if isinstance(part, int) else f".{part}"
    return out.lstrip(".")


def review(doc: dict[str, Any], *, cel: bool = True) -> Verdict:
    """The verdict on one nimop object (a kind nimop does not serve is an error)."""
    from pydantic import ValidationError

    import nimop.api as api
    from nimop.api.validation import unknown_fields

    verdict = Verdict()
    model = getattr(api, str(doc.get("kind")), None)
    if model is None:
        verdict.errors.append(f"kind {doc.get('kind')!r} is not served by nimop")
        return verdict
    try:
        obj = model.model_validate(doc)
    except ValidationError as exc:
        for err in exc.errors():
            verdict.errors.append(f"{_loc(err['loc'])}: {err['msg']} (got {err.get('input')!r})")
        return verdict
    verdict.unknown = unknown_fields(obj)
    return verdict
