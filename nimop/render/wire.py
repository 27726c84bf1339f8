"""Parts of a model in the wire form the apiserver stores (pass-through fields, image
references) and the spec hash of a CR (§0 C3).
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from typing import Any

from nimop.api.base import K8sModel
from nimop.api.common import Image
from nimop.render.names import short_hash


def wire(model: K8sModel | None) -> dict[str, Any]:
    """A pass-through part of the spec (an IngressSpec, a MetricSpec…) as the camelCase dict
    the apiserver stores: defaults applied, nulls dropped. Empty for None."""
    if model is None:
        return {}
    return model.model_dump(mode="json", by_alias=True, exclude_none=True)


def wires(models: Sequence[K8sModel] | None) -> list[dict[str, Any]]:
    """`wire` of each item of a list field (env, tolerations…); empty for None."""
    return [wire(m) for m in models or ()]


def spec_hash(spec: Mapping[str, Any]) -> str:
    """Hash of a CR spec (canonical JSON), the counterpart of upstream's parent-spec hash (C3)."""
    canonical = json.dumps(spec, sort_keys=True, separators=(",", ":"), default=str)
    return short_hash(canonical, 16)


def image_ref(image: Image) -> str:
    """`repository:tag` (§1.1 Image); a digest tag (`sha256:…`) is joined with `@`."""
    repo, tag = image.repository, image.tag
    if not tag:
        return repo
    return f"{repo}@{tag}" if tag.startswith("sha256:") else f"{repo}:{tag}"
