"""Field descriptions from attribute docstrings, attached only when something publishes them.

Why not pydantic's ``use_attribute_docstrings``: it reads and parses the source of every model
class when the class is created — a quarter of a second for the ~240 API models, paid by every
``nimop run`` and ``nimop render`` although only the generators (``nimop crds``: CRDs, JSON
schemas, docs/api.md) show descriptions. :func:`attach` gives the models exactly the
descriptions pydantic would have given them, on demand, then rebuilds their schemas.
"""

from __future__ import annotations

import inspect
from functools import cache

from pydantic import BaseModel
from pydantic._internal._docs_extraction import extract_docstrings_from_cls

__all__ = ["attach"]


def _models(root: type[BaseModel]) -> list[type[BaseModel]]:
    """``root`` and every subclass, in creation order within each parent."""
    seen: dict[type[BaseModel], None] = {}
    pending = [root]
    while pending:
        cls = pending.pop(0)
        if cls not in seen:
            seen[cls] = None
            pending += cls.__subclasses__()
    return list(seen)


def _describe(cls: type[BaseModel]) -> None:
    """As pydantic does: a field annotated in the class gets the docstring written under it
    there (or none); an inherited field keeps the description its base gave it."""
    own = inspect.get_annotations(cls)
    docs = extract_docstrings_from_cls(cls, use_inspect=True)
    for name, info in cls.model_fields.items():
        if info.description is not None:
            continue
        if name in own:
            info.description = docs.get(name)
            continue
        for base in cls.__mro__[1:]:
            inherited = getattr(base, "__pydantic_fields__", {}).get(name)
            if inherited is not None and inherited.description is not None:
                info.description = inherited.description
                break


@cache
def attach(root: type[BaseModel]) -> None:
    """Give every model under ``root`` its docstring descriptions (fields that name one
    explicitly keep it) and rebuild the schemas, so JSON schemas carry them. Idempotent."""
    models = _models(root)
    for cls in models:
        _describe(cls)
    # Twice: a model's schema embeds the schemas of the models it refers to, whichever
    # order they were rebuilt in the first time.
    for _ in range(2):
        for cls in models:
            cls.model_rebuild(force=True)
