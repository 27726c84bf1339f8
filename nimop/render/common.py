"""Shared rendering helpers: the owner view of a CR, names, labels, metadata, env and hashes.

Everything here is a plain function over plain values (§0 conventions C2, C3, C5, C6,
C13), so every renderer applies the conventions the same way.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Generic, Protocol, TypeVar

from nimop.api.base import K8sModel
from nimop.api.common import Image
from nimop.api.core.meta_v1 import ObjectMeta
from nimop.api.resource import API_VERSION, CustomResource
from nimop.render.result import Manifest

MANAGED_BY = "nimop"
MAX_NAME = 63

_INVALID = re.compile(r"[^a-z0-9-]+")
_LABEL_INVALID = re.compile(r"[^A-Za-z0-9._-]+")


SpecT = TypeVar("SpecT", covariant=True)
CRT = TypeVar("CRT", bound=CustomResource)


def parsed(model: type[CRT], cr: CRT | Mapping[str, Any]) -> CRT:
    """The API model of `cr`: the model itself, or a camelCase dict parsed once (tests and
    tools may pass what `kubectl get -o yaml` prints; renderers only ever read the model)."""
    return cr if isinstance(cr, model) else model.model_validate(cr)


class Resource(Protocol):
    """What identifies a parsed CR (every `nimop.api` kind is one)."""

    @property
    def kind(self) -> str: ...

    @property
    def api_version(self) -> str: ...

    @property
    def metadata(self) -> ObjectMeta: ...


@dataclass(frozen=True)
class Owner(Generic[SpecT]):
    """The CR being rendered: its identity (for names, ownerReferences and labels) and its
    typed spec. Covariant in the spec, so a function over `Owner[WorkloadSpec]` takes a
    NIMService's owner and a NeMo service's alike."""

    kind: str
    name: str
    namespace: str
    uid: str
    spec: SpecT
    api_version: str = API_VERSION

    @classmethod
    def of(cls, cr: Resource, spec: SpecT) -> Owner[SpecT]:  # type: ignore[misc]
        """`Owner.of(svc, svc.spec)`: the spec is passed on its own so it keeps its type."""
        meta = cr.metadata
        return cls(
            kind=cr.kind,
            name=meta.name or "",
            namespace=meta.namespace or "default",
            uid=meta.uid or "",
            spec=spec,
            api_version=cr.api_version or API_VERSION,
        )


def wire(model: K8sModel | None) -> dict[str, Any]:
    """A pass-through part of the spec (an IngressSpec, a MetricSpec…) as the camelCase dict
    the apiserver stores: defaults applied, nulls dropped. Empty for None."""
    if model is None:
        return {}
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def wires(models: Sequence[K8sModel] | None) -> list[dict[str, Any]]:
    """`wire` of each item of a list field (env, tolerations…); empty for None."""
    return [wire(m) for m in models or ()]


def short_hash(text: str, length: int = 12) -> str:
    """A stable lowercase-hex digest prefix (names and claim names, §4.3 `hash12`)."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def spec_hash(spec: Mapping[str, Any]) -> str:
    """Hash of a CR spec (canonical JSON), the counterpart of upstream's parent-spec hash (C3)."""
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return short_hash(canonical, 16)


def dns_label(text: str, limit: int = MAX_NAME) -> str:
    """Coerce `text` into a DNS-1123 label of at most `limit` characters.

    Names that need changing (too long, dots or other characters) get a hash of the original
    appended, so two different inputs never collapse to the same name.
    """
    clean = _INVALID.sub("-", text.lower()).strip("-")
    if clean == text and 0 < len(clean) <= limit:
        return clean
    digest = short_hash(text, 8)
    head = clean[: limit - len(digest) - 1].strip("-")
    return f"{head}-{digest}" if head else f"x{digest}"


def child_name(base: str, suffix: str = "") -> str:
    """`<base><suffix>` as a DNS-1123 label, truncating `base` (never the suffix) when too long."""
    full = f"{base}{suffix}"
    if len(full) <= MAX_NAME and dns_label(full) == full:
        return full
    digest = short_hash(full, 8)
    room = MAX_NAME - len(suffix) - len(digest) - 1
    head = _INVALID.sub("-", base.lower()).strip("-")[:room].strip("-")
    return dns_label(f"{head}-{digest}{suffix}")


def service_name(base: str, suffix: str = "") -> str:
    """Like `child_name`, but a DNS-1035 label (Services must start with a letter)."""
    name = child_name(base, suffix)
    return name if name[0].isalpha() else child_name(f"n{base}", suffix)


def label_value(text: str) -> str:
    """A valid label value (≤ 63, alphanumeric ends), hashed when it had to change."""
    clean = _LABEL_INVALID.sub("-", text)
    clean = re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", clean)
    if clean == text and len(clean) <= MAX_NAME:
        return clean
    digest = short_hash(text, 8)
    head = re.sub(r"[^A-Za-z0-9]+$", "", clean[: MAX_NAME - len(digest) - 1])
    return f"{head}-{digest}" if head else digest


def standard_labels(owner: Owner[Any], part_of: str) -> dict[str, str]:
    """C2 standard labels, with `managed-by: nimop` (children are found by this label)."""
    return {
        "app.kubernetes.io/name": label_value(owner.name),
        "app.kubernetes.io/instance": label_value(owner.name),
        "app.kubernetes.io/part-of": part_of,
        "app.kubernetes.io/managed-by": MANAGED_BY,
    }


def merge_maps(*maps: Mapping[str, str] | None) -> dict[str, str]:
    """Merge string maps; a *later* map wins. Keys keep first-seen order (stable output)."""
    out: dict[str, str] = {}
    for m in maps:
        for k, v in (m or {}).items():
            out[str(k)] = str(v)
    return out


def owner_references(owner: Owner[Any]) -> list[dict[str, Any]]:
    """The controller ownerReference (C6); none when the CR has no uid yet (offline rendering)."""
    if not owner.uid:
        return []
    return [{
        "apiVersion": owner.api_version, "kind": owner.kind, "name": owner.name,
        "uid": owner.uid, "controller": True, "blockOwnerDeletion": True,
    }]


def metadata(
    owner: Owner[Any],
    name: str,
    labels: Mapping[str, str] | None = None,
    annotations: Mapping[str, str] | None = None,
    *,
    owned: bool = True,
) -> dict[str, Any]:
    """Child metadata in the owner's namespace; empty label/annotation maps are omitted."""
    meta: dict[str, Any] = {"name": name, "namespace": owner.namespace}
    if labels:
        meta["labels"] = dict(labels)
    if annotations:
        meta["annotations"] = dict(annotations)
    refs = owner_references(owner) if owned else []
    if refs:
        meta["ownerReferences"] = refs
    return meta


def manifest(api_version: str, kind: str, meta: dict[str, Any], **body: Any) -> Manifest:
    """A child object with apiVersion/kind first and None-valued top-level fields dropped."""
    obj: Manifest = {"apiVersion": api_version, "kind": kind, "metadata": meta}
    obj.update({k: v for k, v in body.items() if v is not None})
    return obj


def env_var(name: str, value: str) -> dict[str, Any]:
    return {"name": name, "value": value}


def secret_env(name: str, secret: str, key: str, *, optional: bool = False) -> dict[str, Any]:
    ref: dict[str, Any] = {"name": secret, "key": key}
    if optional:
        ref["optional"] = True
    return {"name": name, "valueFrom": {"secretKeyRef": ref}}


def field_env(name: str, path: str) -> dict[str, Any]:
    return {"name": name, "valueFrom": {"fieldRef": {"fieldPath": path}}}


def merge_env(
    base: Sequence[Mapping[str, Any]], override: Sequence[Mapping[str, Any]] | None
) -> list[dict[str, Any]]:
    """Override wins by name (C5). Order: base order (with overridden values), then new names.

    Upstream lists override entries first; we keep base order so a user variable can reference a
    standard one with `$(VAR)` (Kubernetes expands only earlier variables) and output is stable.
    """
    over = {e["name"]: dict(e) for e in override or []}
    out = [over.pop(e["name"], dict(e)) for e in base]
    out.extend(over.values())
    return out


def set_default_env(env: list[dict[str, Any]], extra: Iterable[Mapping[str, Any]]) -> None:
    """Append each of `extra` unless a variable of that name exists (the existing one wins)."""
    names = {e["name"] for e in env}
    env.extend(dict(e) for e in extra if e["name"] not in names)


def get(data: Mapping[str, Any] | None, path: str, default: Any = None) -> Any:
    """`data["a"]["b"]…` for a dotted path, `default` when any step is missing or None."""
    cur: Any = data
    for part in path.split("."):
        if not isinstance(cur, Mapping) or cur.get(part) is None:
            return default
        cur = cur[part]
    return cur


def image_ref(image: Image) -> str:
    """`repository:tag` (§1.1 Image); a digest tag (`sha256:…`) is joined with `@`."""
    repo, tag = image.repository, image.tag
    if not tag:
        return repo
    return f"{repo}@{tag}" if tag.startswith("sha256:") else f"{repo}:{tag}"
