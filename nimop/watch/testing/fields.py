"""Field arithmetic of the API twin: JSON merge patch, field paths, server-side apply merges.

Server-side apply is modelled on the fields the operator uses: every manager owns a set of leaf
paths; a list of objects whose items all carry a merge key (``name``, ``uid``, ``port``… the
same keys ``diff.py`` matches by) is a map keyed by it, any other list is atomic (one leaf).
Applying a configuration sets its fields, removes the fields the manager owned before and no
longer sets (unless another manager owns them too), and takes ownership — or reports the
conflicts with other managers when ``force`` is off. Updates and merge patches take ownership
of what they changed, as the apiserver does for ``Update`` operations.
"""

from __future__ import annotations

import copy
from collections.abc import Iterator, Mapping
from typing import Any

from nimop.watch.diff import merge_key

__all__ = [
    "Path",
    "delete_path",
    "fields_v1",
    "get_path",
    "leaf_paths",
    "merge_applied",
    "merge_patch",
    "render_path",
]

#: A map key (str) or a keyed list item (``(key, value)``).
Segment = str | tuple[str, Any]
Path = tuple[Segment, ...]

_MISSING = object()
#: Metadata the server owns: never part of a manager's fields.
_SERVER_META = frozenset({"name", "namespace", "uid", "resourceVersion", "generation",
                          "creationTimestamp", "deletionTimestamp", "managedFields",
                          "deletionGracePeriodSeconds", "selfLink", "generateName"})  # fmt: skip


def merge_patch(target: Any, patch: Any) -> Any:
    """RFC 7386: maps merge recursively, ``null`` removes, anything else replaces."""
    if not isinstance(patch, Mapping):
        return copy.deepcopy(patch)
    out = dict(target) if isinstance(target, Mapping) else {}
    for key, value in patch.items():
        if value is None:
            out.pop(key, None)
        else:
            out[key] = merge_patch(out.get(key), value)
    return out


def leaf_paths(obj: Mapping[str, Any]) -> set[Path]:
    """Every field path a configuration sets (server-owned metadata left out)."""
    out: set[Path] = set()
    for key, value in obj.items():
        if key in ("apiVersion", "kind"):
            continue
        if key == "metadata" and isinstance(value, Mapping):
            value = {k: v for k, v in value.items() if k not in _SERVER_META}
        out.update(_walk(value, (key,)))
    return out


def _walk(value: Any, path: Path) -> Iterator[Path]:
    if isinstance(value, Mapping) and value:
        for key, sub in value.items():
            yield from _walk(sub, (*path, key))
    elif isinstance(value, list) and value and (key := merge_key(value)) is not None:
        for item in value:
            item_path: Path = (*path, (key, item[key]))
            yield item_path
            for sub_key, sub in item.items():
                if sub_key != key:
                    yield from _walk(sub, (*item_path, sub_key))
    else:
        yield path


def get_path(obj: Any, path: Path) -> Any:
    """The value at ``path``, or a sentinel-free ``None`` when absent (see ``has_path``)."""
    value = _lookup(obj, path)
    return None if value is _MISSING else value


def has_path(obj: Any, path: Path) -> bool:
    return _lookup(obj, path) is not _MISSING


def _lookup(obj: Any, path: Path) -> Any:
    for segment in path:
        if isinstance(segment, tuple):
            if not isinstance(obj, list):
                return _MISSING
            key, wanted = segment
            obj = next((i for i in obj if isinstance(i, Mapping) and i.get(key) == wanted),
                       _MISSING)  # fmt: skip
        elif isinstance(obj, Mapping) and segment in obj:
            obj = obj[segment]
        else:
            return _MISSING
        if obj is _MISSING:
            return _MISSING
    return obj


def delete_path(obj: Any, path: Path) -> None:
    """Remove the field at ``path`` in place; maps and keyed items left empty go too."""
    if not path:
        return
    parent = _lookup(obj, path[:-1]) if len(path) > 1 else obj
    last = path[-1]
    if isinstance(last, tuple) and isinstance(parent, list):
        key, wanted = last
        parent[:] = [i for i in parent if not (isinstance(i, Mapping) and i.get(key) == wanted)]
    elif isinstance(parent, dict) and isinstance(last, str):
        parent.pop(last, None)
    else:
        return
    container = _lookup(obj, path[:-1]) if len(path) > 1 else obj
    if len(path) > 1 and container in ({}, []):
        delete_path(obj, path[:-1])


def merge_applied(live: Any, applied: Any) -> Any:
    """``applied`` merged into ``live``: maps and keyed lists by key, the rest replaced."""
    if isinstance(applied, Mapping) and isinstance(live, Mapping):
        out = dict(live)
        for key, value in applied.items():
            out[key] = merge_applied(live.get(key), value)
        return out
    if isinstance(applied, list) and isinstance(live, list) and (key := merge_key(applied)):
        by_key = {i.get(key): i for i in live if isinstance(i, Mapping)}
        merged = [merge_applied(by_key.get(item[key]), item) for item in applied]
        wanted = {item[key] for item in applied}
        kept = [i for i in live if not (isinstance(i, Mapping) and i.get(key) in wanted)]
        return [*kept, *merged]
    return copy.deepcopy(applied)


def render_path(path: Path) -> str:
    """``.spec.template.spec.containers[name="nim"].image`` — as the apiserver's messages."""
    out = ""
    for segment in path:
        if isinstance(segment, tuple):
            out += f'[{segment[0]}="{segment[1]}"]'
        else:
            out += f".{segment}"
    return out


def fields_v1(paths: set[Path]) -> dict[str, Any]:
    """The ``managedFields[].fieldsV1`` form of a field set (``f:`` and ``k:`` keys)."""
    tree: dict[str, Any] = {}
    for path in sorted(paths, key=repr):
        node = tree
        for segment in path:
            if isinstance(segment, tuple):
                name = 'k:{"%s":%s}' % (segment[0], _json_scalar(segment[1]))  # noqa: UP031
            else:
                name = f"f:{segment}"
            node = node.setdefault(name, {})
    return tree


def _json_scalar(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return str(value)
    return f'"{value}"'
