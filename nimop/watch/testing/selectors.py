"""Label selectors as the apiserver reads them from ``?labelSelector=``.

Equality (``k=v``, ``k==v``, ``k!=v``), existence (``k``, ``!k``) and set-based
(``k in (a,b)``, ``k notin (a,b)``) requirements, comma-separated, all of which must hold.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["Selector", "parse_selector"]

Selector = Callable[[Mapping[str, Any]], bool]
_SET = re.compile(r"^\s*([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)\s*$")


def parse_selector(text: str | None) -> Selector:
    """A predicate over an object's labels; raises ValueError on syntax it does not know."""
    requirements = [_requirement(part) for part in _split(text or "") if part.strip()]

    def matches(labels: Mapping[str, Any]) -> bool:
        return all(req(labels) for req in requirements)

    return matches


def _split(text: str) -> list[str]:
    """Split on commas outside parentheses."""
    parts, depth, current = [], 0, ""
    for char in text:
        depth += {"(": 1, ")": -1}.get(char, 0)
        if char == "," and depth == 0:
            parts.append(current)
            current = ""
        else:
            current += char
    return [*parts, current]


def _requirement(part: str) -> Selector:
    part = part.strip()
    if match := _SET.match(part):
        key, op, values = match.group(1), match.group(2), match.group(3)
        allowed = {v.strip() for v in values.split(",") if v.strip()}
        if op == "in":
            return lambda labels: labels.get(key) in allowed
        return lambda labels: labels.get(key) not in allowed
    if "!=" in part:
        key, value = (s.strip() for s in part.split("!=", 1))
        return lambda labels: labels.get(key) != value
    if "=" in part:
        key, value = (s.strip() for s in part.replace("==", "=").split("=", 1))
        return lambda labels: labels.get(key) == value
    if part.startswith("!"):
        key = part[1:].strip()
        return lambda labels: key not in labels
    if re.fullmatch(r"[A-Za-z0-9._/-]+", part):
        return lambda labels: part in labels
    raise ValueError(f"unable to parse requirement: {part!r}")
