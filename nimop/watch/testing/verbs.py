"""The API twin's write verbs: create, update, merge patch, server-side apply and delete.

Each verb composes the new object from the stored one and the request, then applies the rules
the apiserver applies to every write: the status subresource split, optimistic concurrency
(``metadata.resourceVersion`` in a body or patch is a precondition), immutable fields,
``generation`` bumps on changes outside ``metadata`` and ``status``, and field ownership.
"""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import Any

from nimop.watch.objects import Obj, meta

from .errors import ApiStatus
from .fields import (
    Path,
    delete_path,
    get_path,
    has_path,
    leaf_paths,
    merge_applied,
    merge_patch,
)
from .fields import render_path as show
from .state import Database, Key, Managed, Served

Entry = tuple[str, str, str]  # (manager, operation, subresource)

__all__ = ["Verbs"]


class Verbs:
    def __init__(self, db: Database) -> None:
        self.db = db

    def create(self, served: Served, namespace: str | None, body: Obj, manager: str) -> Obj:
        obj = self._create(served, namespace, body)
        self._own(served, _key_of(obj), None, obj, (manager, "Update", ""))
        return self.db.commit(served.group_resource, obj, None)

    def _create(self, served: Served, namespace: str | None, body: Obj) -> Obj:
        """The object a create would store (not stored yet)."""
        obj = copy.deepcopy(body)
        md = obj.setdefault("metadata", {})
        _check_namespace(served, namespace, md)
        if served.ref.namespaced:
            md["namespace"] = namespace
        self.db.stamp_new(obj)
        if not md.get("name"):
            raise ApiStatus(422, "Invalid", "metadata.name: Required value: name or "
                            "generateName is required")  # fmt: skip
        key = (str(md.get("namespace") or ""), md["name"])
        if self.db.get(served.group_resource, key) is not None:
            raise ApiStatus(409, "AlreadyExists",
                            f'{served.ref.plural} "{md["name"]}" already exists')  # fmt: skip
        obj.update(apiVersion=served.ref.api_version, kind=served.ref.kind)
        if served.status_subresource:
            obj.pop("status", None)
        return obj

    def update(
        self, served: Served, key: Key, body: Obj, manager: str, subresource: str | None
    ) -> Obj:
        old = self.db.require(served.group_resource, key)
        _precondition(old, (body.get("metadata") or {}).get("resourceVersion"))
        new = self._split(served, old, body, subresource)
        return self._write(served, key, old, new, (manager, "Update", subresource or ""))

    def patch(
        self, served: Served, key: Key, patch: Mapping[str, Any], manager: str,
        subresource: str | None,
    ) -> Obj:  # fmt: skip
        old = self.db.require(served.group_resource, key)
        _precondition(old, (patch.get("metadata") or {}).get("resourceVersion"))
        new = self._split(served, old, merge_patch(old, patch), subresource)
        return self._write(served, key, old, new, (manager, "Update", subresource or ""))

    def apply(
        self, served: Served, key: Key, body: Obj, manager: str, *, force: bool,
        subresource: str | None,
    ) -> Obj:  # fmt: skip
        """Server-side apply of ``body`` as ``manager`` (creates the object when absent)."""
        if not manager:
            raise ApiStatus(400, "BadRequest", "fieldManager is required for apply requests")
        config = self._applied_part(served, body, subresource)
        # resourceVersion in an applied configuration is a precondition, not a managed field
        precondition = (config.get("metadata") or {}).pop("resourceVersion", None)
        old = self.db.get(served.group_resource, key)
        if old is None:
            if subresource:
                raise ApiStatus(404, "NotFound", f'{served.ref.plural} "{key[1]}" not found')
            created = self._create(served, key[0] or None, config)
            self._own(served, key, None, created, (manager, "Apply", ""), leaf_paths(config))
            return self.db.commit(served.group_resource, created, None)
        _precondition(old, precondition)
        managed = self.db.managed(served.group_resource, key)
        entry = (manager, "Apply", subresource or "")
        wanted = leaf_paths(config)
        self._conflicts(managed, old, config, wanted, entry, force)
        new = copy.deepcopy(old)
        for path in managed.fields.get(entry, set()) - wanted:
            if not managed.owners(path, besides=entry):
                delete_path(new, path)
        new = merge_applied(new, config)
        for other in managed.fields:
            if other != entry:
                managed.fields[other] -= wanted
        managed.fields[entry] = wanted
        return self._write(served, key, old, new, None)

    def delete(
        self, served: Served, key: Key, propagation: str, preconditions: Mapping[str, Any]
    ) -> Obj:
        old = self.db.require(served.group_resource, key)
        uid = preconditions.get("uid")
        if uid and uid != meta(old).get("uid"):
            raise ApiStatus(409, "Conflict", f"Precondition failed: UID in precondition: {uid}, "
                            f"UID in object meta: {meta(old).get('uid')}")  # fmt: skip
        _precondition(old, preconditions.get("resourceVersion"))
        return self.db.mark_deleted(served.group_resource, old, propagation)

    # -- rules -------------------------------------------------------------------------------

    def _write(self, served: Served, key: Key, old: Obj, new: Obj, entry: Entry | None) -> Obj:
        new["metadata"].update({k: old["metadata"][k] for k in ("uid", "creationTimestamp",
                                "name") if k in old["metadata"]})  # fmt: skip
        if served.ref.namespaced:
            new["metadata"]["namespace"] = old["metadata"].get("namespace")
        if meta(old).get("deletionTimestamp"):
            new["metadata"]["deletionTimestamp"] = old["metadata"]["deletionTimestamp"]
        for path in served.immutable:
            before, after = _dotted(old, path), _dotted(new, path)
            if before != after:
                raise ApiStatus(422, "Invalid", f"{served.ref.kind}.{served.ref.group} "
                                f'"{key[1]}" is invalid: {path}: Invalid value: field is '
                                "immutable")  # fmt: skip
        if _spec_part(old) != _spec_part(new):
            new["metadata"]["generation"] = int(meta(old).get("generation") or 1) + 1
        else:
            new["metadata"]["generation"] = meta(old).get("generation", 1)
        if entry is not None:
            self._own(served, key, old, new, entry)
        return self.db.commit(served.group_resource, new, old)

    @staticmethod
    def _split(served: Served, old: Obj, new: Obj, subresource: str | None) -> Obj:
        """Main-resource writes keep the stored status; ``/status`` writes keep all else
        (except metadata, which both may change)."""
        new = copy.deepcopy(new)
        if subresource == "status":
            merged = {**copy.deepcopy(old), "status": new.get("status")}
            if merged["status"] is None:
                merged.pop("status")
            return merged
        if served.status_subresource:
            if "status" in old:
                new["status"] = copy.deepcopy(old["status"])
            else:
                new.pop("status", None)
        return new

    @staticmethod
    def _applied_part(served: Served, body: Obj, subresource: str | None) -> Obj:
        config = copy.deepcopy(body)
        if subresource == "status":
            return {k: v for k, v in config.items() if k in ("apiVersion", "kind", "metadata",
                                                             "status")}  # fmt: skip
        if served.status_subresource:
            config.pop("status", None)
        return config

    @staticmethod
    def _conflicts(
        managed: Managed, old: Obj, config: Obj, wanted: set[Path], entry: Entry, force: bool
    ) -> None:
        if force:
            return
        clashes = []
        for path in sorted(wanted, key=repr):
            others = managed.owners(path, besides=entry)
            if others and has_path(old, path) and get_path(old, path) != get_path(config, path):
                clashes.append(f'conflict with "{others[0]}": {show(path)}')
        if clashes:
            plural = "s" if len(clashes) > 1 else ""
            message = f"Apply failed with {len(clashes)} conflict{plural}: " + "; ".join(clashes)
            raise ApiStatus(409, "Conflict", message)

    def _own(
        self, served: Served, key: Key, old: Obj | None, new: Obj, entry: Entry,
        paths: set[Path] | None = None,
    ) -> None:  # fmt: skip
        """An update owns the fields it changed; an apply (``paths``) exactly what it set."""
        managed = self.db.managed(served.group_resource, key)
        if paths is None:
            before = leaf_paths(old) if old is not None else set()
            paths = {p for p in leaf_paths(new) if p not in before or
                     get_path(old, p) != get_path(new, p)}  # fmt: skip
            gone = before - leaf_paths(new)
            for owned in managed.fields.values():
                owned -= gone
            paths |= managed.fields.get(entry, set()) - gone
        for other, owned in managed.fields.items():
            if other != entry:
                owned -= paths
        managed.fields[entry] = paths


def _check_namespace(served: Served, namespace: str | None, md: Mapping[str, Any]) -> None:
    given = md.get("namespace")
    if served.ref.namespaced and given and given != namespace:
        raise ApiStatus(400, "BadRequest", "the namespace of the provided object does not match "
                        "the namespace sent on the request")  # fmt: skip


def _precondition(old: Obj, resource_version: Any) -> None:
    current = meta(old).get("resourceVersion")
    if resource_version and str(resource_version) != current:
        raise ApiStatus(409, "Conflict", f'Operation cannot be fulfilled on "{meta(old)["name"]}"'
                        ": the object has been modified; please apply your changes to the "
                        "latest version and try again")  # fmt: skip


def _spec_part(obj: Obj) -> Obj:
    return {k: v for k, v in obj.items() if k not in ("metadata", "status", "apiVersion")}


def _dotted(obj: Obj, path: str) -> Any:
    value: Any = obj
    for part in path.split("."):
        value = value.get(part) if isinstance(value, Mapping) else None
    return value


def _key_of(obj: Obj) -> Key:
    return (str(meta(obj).get("namespace") or ""), str(meta(obj).get("name") or ""))
