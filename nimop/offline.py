"""`nimop render`: render CRs from files to the manifests nimop would apply, without a cluster.

Reads every YAML document of the given files; NIMCache, NIMService, NIMPipeline, NIMBuild and
NeMo (NemoEntitystore, NemoDatastore, NemoGuardrail) objects are validated with the API models
(which also apply the CRD defaults) and rendered; any other object (e.g. a
ResourceClaimTemplate shipped next to a NIMService) is passed through unchanged, so the output
is one complete set for `kubectl apply -f -`. Problems and operator-generated Secrets are
reported as YAML comments.

NIMCaches found in the input are assumed Ready (their PVC is what a NIMService mounts), unless
the facts file describes them; so are NIMServices a NemoGuardrail's `nimServiceRef` names.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any

import yaml

from nimop.configdata import config_maps, parse_values
from nimop.render import (
    ClusterFacts,
    NIMCacheFacts,
    Rendered,
    render_nemodatastore,
    render_nemoentitystore,
    render_nemoguardrail,
    render_nimcache,
    render_nimpipeline,
    render_nimservice,
)
from nimop.render.nemo_customizer import render_nemocustomizer
from nimop.render.nemo_evaluator import render_nemoevaluator
from nimop.render.nimbuild import render_nimbuild

Renderer = Callable[[Any, ClusterFacts], Rendered]
RENDERERS: dict[str, Renderer] = {
    "NIMCache": render_nimcache, "NIMService": render_nimservice,
    "NIMPipeline": render_nimpipeline, "NIMBuild": render_nimbuild,
    "NemoEntitystore": render_nemoentitystore, "NemoDatastore": render_nemodatastore,
    "NemoGuardrail": render_nemoguardrail,
    "NemoCustomizer": render_nemocustomizer, "NemoEvaluator": render_nemoevaluator,
}


class _Dumper(yaml.SafeDumper):
    """Readable output: multi-line strings (scripts, hostfiles) as literal blocks."""


def _str(dumper: yaml.SafeDumper, value: str) -> yaml.Node:
    style = "|" if "\n" in value else None
    return dumper.represent_scalar("tag:yaml.org,2002:str", value, style=style)


_Dumper.add_representer(str, _str)


def dump(obj: Any) -> str:
    """One object as YAML: keys in rendering order, no line folding."""
    text: str = yaml.dump(obj, Dumper=_Dumper, sort_keys=False, width=1_000_000)
    return text


def load_documents(files: Iterable[Path]) -> list[dict[str, Any]]:
    docs: list[dict[str, Any]] = []
    for path in files:
        with path.open() as fh:
            docs += [d for d in yaml.safe_load_all(fh) if isinstance(d, dict)]
    return docs


def load_facts(path: Path | None) -> ClusterFacts:
    if path is None:
        return ClusterFacts()
    data = yaml.safe_load(path.read_text()) or {}
    if not isinstance(data, Mapping):
        raise ValueError(f"{path}: cluster facts must be a mapping")
    data = dict(data)
    maps = data.pop("config_maps", None) or data.pop("configMaps", None)
    facts = ClusterFacts.from_mapping(data)
    return replace(facts, config_maps=config_maps(maps)) if maps else facts


def assume_caches_ready(docs: list[dict[str, Any]], facts: ClusterFacts) -> ClusterFacts:
    """Add a Ready NIMCacheFacts for each NIMCache in the input the facts do not describe."""
    caches = dict(facts.nimcaches)
    for doc in docs:
        if doc.get("kind") != "NIMCache":
            continue
        meta = doc.get("metadata") or {}
        key = f"{meta.get('namespace') or 'default'}/{meta.get('name')}"
        if key not in caches:
            pvc = (((doc.get("spec") or {}).get("storage") or {}).get("pvc") or {})
            ready = {**doc, "status": {"state": "Ready",
                                       "pvc": pvc.get("name") or f"{meta.get('name')}-pvc"}}
            caches[key] = NIMCacheFacts.from_object(ready)
    return replace(facts, nimcaches=caches)


def _referenced_nimservice(guardrail: Any, docs: list[dict[str, Any]]) -> Any:
    """The NIMService of the input a guardrail's `nimServiceRef` names, assumed Ready."""
    endpoint = guardrail.spec.nim_endpoint
    ref = endpoint.nim_service_ref if endpoint else None
    if ref is None:
        return None
    namespace = ref.namespace or guardrail.metadata.namespace or "default"
    for doc in docs:
        meta = doc.get("metadata") or {}
        if doc.get("kind") == "NIMService" and meta.get("name") == ref.name and (
                (meta.get("namespace") or "default") == namespace):
            return validated({**doc, "status": {"state": "Ready"}})
    return None


def input_config_maps(docs: list[dict[str, Any]], facts: ClusterFacts) -> ClusterFacts:
    """ConfigMaps in the input are the ones a NemoCustomizer reads (its model catalogue and
    training settings), unless the facts file describes them."""
    known = dict(facts.config_maps)
    for doc in docs:
        if doc.get("kind") != "ConfigMap" or doc.get("apiVersion") != "v1":
            continue
        meta = doc.get("metadata") or {}
        key = f"{meta.get('namespace') or 'default'}/{meta.get('name')}"
        known.setdefault(key, parse_values(doc.get("data")))
    return replace(facts, config_maps=known)


def validated(doc: dict[str, Any]) -> Any:
    """The API model of a nimop CR (defaults applied), or the dict when the models are absent."""
    try:
        import nimop.api as api
    except ImportError:  # pragma: no cover - the api package always ships with nimop
        return doc
    info = api.KINDS.get(str(doc.get("kind")))
    return info.model.model_validate(doc) if info is not None else doc


def render_documents(
    docs: list[dict[str, Any]],
    facts: ClusterFacts,
    on_result: Callable[[str, Rendered], None] | None = None,
) -> list[str]:
    """One YAML chunk per output object, with comment headers; pipelines expand recursively.
    ``on_result("Kind ns/name", rendered)`` sees each CR's result (`nimop render` reports it)."""
    facts = input_config_maps(docs, assume_caches_ready(docs, facts))
    chunks: list[str] = []
    queue = list(docs)
    while queue:
        doc = queue.pop(0)
        kind = str(doc.get("kind"))
        if kind not in RENDERERS:
            chunks.append(dump(doc))
            continue
        meta = doc.get("metadata") or {}
        model = validated(doc)
        if kind == "NemoGuardrail":
            result = render_nemoguardrail(model, facts, _referenced_nimservice(model, docs))
        else:
            result = RENDERERS[kind](model, facts)
        if on_result is not None:
            on_result(f"{kind} {meta.get('namespace') or 'default'}/{meta.get('name')}", result)
        head = [f"# {kind} {meta.get('namespace') or 'default'}/{meta.get('name')}: "
                f"{len(result.objects)} object(s)"]
        head += [f"# problem ({'Failed' if p.failed else 'NotReady'}) {p.reason}: {p.message}"
                 for p in result.problems]
        head += [f"# Secret {s.name} (key {s.key}, {s.kind}) is generated by the operator"
                 for s in result.generated_secrets]
        chunks.append("\n".join(head) + "\n")
        for obj in result.objects:
            chunks.append(dump(obj))
            if obj["kind"] == "NIMService" and kind == "NIMPipeline":
                queue.append(obj)
    return chunks


