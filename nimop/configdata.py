"""The data of a user's ConfigMap, each key's YAML value parsed, for the renderers.

Renderers are pure and import no YAML library; what a CR reads from a ConfigMap (a
NemoCustomizer's model catalogue and training settings) reaches them parsed, from the controller
(informer store) or from `nimop render` (its input files). A value that is not YAML arrives as
`Unparsable`, so the renderer can name the ConfigMap and key in a condition.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import yaml

from nimop.render.facts import Unparsable


def parse_values(data: Mapping[str, Any] | None) -> dict[str, Any]:
    """Each key of a ConfigMap's `data`, parsed as YAML (`Unparsable` when it is not)."""
    out: dict[str, Any] = {}
    for key, text in (data or {}).items():
        try:
            out[str(key)] = yaml.safe_load(str(text))
        except yaml.YAMLError as err:
            out[str(key)] = Unparsable(" ".join(str(err).split()))
    return out


def config_maps(objects: Any) -> dict[str, Mapping[str, Any]]:
    """ConfigMap objects (as `kubectl get -o yaml` prints them) by `namespace/name`, parsed."""
    out: dict[str, Mapping[str, Any]] = {}
    for obj in objects or []:
        meta = obj.get("metadata") or {}
        out[f"{meta.get('namespace') or 'default'}/{meta.get('name')}"] = parse_values(
            obj.get("data"))
    return out
