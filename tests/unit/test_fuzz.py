"""Property tests: the pure part of every reconcile never raises, for any object the CRD schema
admits.

Objects are generated from the published JSON schemas (`api/schemas/*.json`, the CRDs'
openAPIV3Schema) — types, enums, patterns, lengths, bounds, int-or-string — two ways: wholly
from the schema (mostly objects that CEL or `nimop.api.validation` then reject, which must
become problems, not exceptions), and from the shipped examples with some top-level spec fields
regenerated (mostly valid, so the renderers run deep). Each object goes through what a
controller does with it: `validate.checked`, the renderer (on random cluster facts), and the
status function (on random live children).

Budget: `NIMOP_FUZZ_EXAMPLES` examples per test (default 60, CI-sized; e.g. 5000 locally).
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from functools import partial
from pathlib import Path
from typing import Any

import pytest
import yaml
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nimop.api import as_models_read
from nimop.api.nimpipeline import NIMPipeline
from nimop.api.nimservice import NIMService
from nimop.controllers import nimcache_status, nimpipeline_status, nimservice_status, validate
from nimop.controllers.base import names_only
from nimop.controllers.nimservice_status import Observed
from nimop.render import (
    CachedProfile,
    ClusterFacts,
    NIMCacheFacts,
    Rendered,
    render_nimcache,
    render_nimpipeline,
    render_nimservice,
)

REPO = Path(__file__).resolve().parents[2]
SCHEMAS = REPO / "api" / "schemas"
EXAMPLES = REPO / "api" / "examples"
BUDGET = int(os.environ.get("NIMOP_FUZZ_EXAMPLES", "60"))
NOW = "2026-01-01T00:00:00Z"
#: Beyond this depth only required properties are generated (Affinity nests ~10 levels).
MAX_DEPTH = 5

FUZZ = settings(
    max_examples=BUDGET,
    deadline=None,
    derandomize=os.environ.get("NIMOP_FUZZ_RANDOM") is None,
    suppress_health_check=[
        HealthCheck.too_slow,
        HealthCheck.data_too_large,
        HealthCheck.filter_too_much,
    ],
)

Json = Any

# Strings that have broken parsers before: shell, YAML and template syntax, odd unicode,
# path tricks, quantities at the edges.
NASTY = [
    "",
    " ",
    "a",
    "0",
    "-1",
    "1e309",
    "NaN",
    "null",
    "~",
    "yes",
    "no",
    "on",
    "0x1F",
    "0o17",
    "$(rm -rf /)",
    "`id`",
    "; cat /etc/passwd",
    "${HOME}",
    "{{ .Values }}",
    "%s%s%n",
    "\u202e\u0041\u0042",
    "\u200b",
    "\ufeffbom",
    "名前",
    "🚀",
    "a\nb",
    "a\tb",
    "\\",
    "'\"",
    "../../etc",
    "/",
    "//",
    "a:b:c",
    "9223372036854775808",
    "-9223372036854775809",
    "999999999999999999999Ei",
    "1e400",
    "0.000000001n",
    "1Ki",
    "100Gi",
    "x" * 300,
]
QUANTITIES = ["0", "1", "100m", "1.5", "8Gi", "1e3", "2E", "999999999999Pi", "0.1n", "+1"]


def _schema(kind: str) -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads((SCHEMAS / f"{kind}.json").read_text())
    return loaded


def _text(schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
    top = int(schema.get("maxLength", 64))
    low = int(schema.get("minLength", 0))
    plain = st.text(alphabet=st.characters(codec="utf-8"), max_size=min(top, 40))
    name = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
    options = st.one_of(st.sampled_from(NASTY), plain, name, st.sampled_from(QUANTITIES))
    return options.filter(lambda s: low <= len(s) <= top)


def _pattern(pattern: str, schema: Mapping[str, Any]) -> st.SearchStrategy[str]:
    top = int(schema.get("maxLength", 10**6))
    low = int(schema.get("minLength", 0))
    try:
        re.compile(pattern)
    except re.error:
        return _text(schema)
    return st.from_regex(pattern, fullmatch=True).filter(lambda s: low <= len(s) <= top)


def _int_or_string(schema: Mapping[str, Any]) -> st.SearchStrategy[Json]:
    strings = (
        _pattern(schema["pattern"], schema)
        if "pattern" in schema
        else st.one_of(
            st.sampled_from(QUANTITIES), st.sampled_from(["50%", "0%", "100%", "http", "8000"])
        )
    )
    return st.one_of(st.integers(-(2**31), 2**63 - 1), strings)


def from_schema(schema: Mapping[str, Any], depth: int = 0) -> st.SearchStrategy[Json]:
    """Values valid for the structural part of an openAPIV3Schema (not its CEL rules)."""
    if "enum" in schema:
        return st.sampled_from(list(schema["enum"]))
    if schema.get("x-kubernetes-int-or-string"):
        return _int_or_string(schema)
    if "anyOf" in schema:
        rest = {k: v for k, v in schema.items() if k != "anyOf"}
        return st.one_of([from_schema({**rest, **alt}, depth) for alt in schema["anyOf"]])
    kind = schema.get("type")
    if kind == "object" or "properties" in schema:
        return _object(schema, depth)
    if kind == "array":
        top = min(int(schema.get("maxItems", 3)), 3)
        low = min(int(schema.get("minItems", 0)), top)
        return st.lists(
            from_schema(schema.get("items") or {}, depth + 1), min_size=low, max_size=top
        )
    if kind == "string":
        return _pattern(schema["pattern"], schema) if "pattern" in schema else _text(schema)
    if kind == "integer":
        low = schema.get("minimum", -(2**63))
        high = schema.get("maximum", 2**63 - 1)
        if schema.get("format") == "int32":
            low, high = max(low, -(2**31)), min(high, 2**31 - 1)
        return st.integers(low, high)
    if kind == "number":
        return st.floats(allow_nan=False, allow_infinity=False)
    if kind == "boolean":
        return st.booleans()
    # No type: x-kubernetes-preserve-unknown-fields or an open value.
    return st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=8)),
        lambda inner: st.one_of(
            st.lists(inner, max_size=2), st.dictionaries(st.text(max_size=6), inner, max_size=2)
        ),
        max_leaves=4,
    )


def _object(schema: Mapping[str, Any], depth: int) -> st.SearchStrategy[Json]:
    props: Mapping[str, Any] = schema.get("properties") or {}
    required = [k for k in schema.get("required", []) if k in props]
    if props:
        optional = (
            {}
            if depth >= MAX_DEPTH
            else {k: from_schema(v, depth + 1) for k, v in props.items() if k not in required}
        )
        return st.fixed_dictionaries(
            {k: from_schema(props[k], depth + 1) for k in required}, optional=optional
        )
    extra = schema.get("additionalProperties")
    if isinstance(extra, Mapping):
        keys = st.one_of(
            st.sampled_from(["a", "nvidia.com/gpu", "cpu", "memory", "k.io/x"]),
            st.text(min_size=1, max_size=12),
        )
        return st.dictionaries(keys, from_schema(extra, depth + 1), max_size=3)
    return st.dictionaries(st.text(max_size=6), st.text(max_size=6), max_size=2)


def _metadata() -> st.SearchStrategy[dict[str, Any]]:
    return st.fixed_dictionaries(
        {
            "name": st.from_regex(r"[a-z]([a-z0-9-]{0,61}[a-z0-9])?", fullmatch=True),
            "namespace": st.just("fuzz"),
            "uid": st.just("00000000-0000-0000-0000-000000000001"),
            "generation": st.integers(1, 2**31),
        },
        optional={
            "labels": st.dictionaries(
                st.text(min_size=1, max_size=10), st.text(max_size=10), max_size=2
            ),
            "annotations": st.dictionaries(
                st.text(min_size=1, max_size=10), st.text(max_size=20), max_size=2
            ),
        },
    )


def whole(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    """An object wholly generated from the schema (spec and status)."""
    schema = _schema(kind)
    props = schema["properties"]
    return st.fixed_dictionaries(
        {
            "apiVersion": st.just("apps.nvidia.com/v1alpha1"),
            "kind": st.sampled_from(props["kind"]["enum"]),
            "metadata": _metadata(),
            "spec": from_schema(props["spec"], 1),
        },
        optional={"status": from_schema(props["status"], 1)},
    )


def _examples(kind: str) -> list[dict[str, Any]]:
    found = []
    for path in sorted(EXAMPLES.glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if doc and doc.get("kind", "").lower() == kind:
                found.append(doc)
    assert found, f"no example of {kind}"
    return found


@st.composite
def mutated(draw: st.DrawFn, kind: str) -> dict[str, Any]:
    """A shipped example with some top-level spec fields dropped or regenerated."""
    base = draw(st.sampled_from(_examples(kind)))
    spec_schema = _schema(kind)["properties"]["spec"]
    spec = dict(base.get("spec") or {})
    for key in draw(st.lists(st.sampled_from(sorted(spec_schema["properties"])), max_size=3)):
        if draw(st.booleans()) and key in spec:
            del spec[key]
        else:
            spec[key] = draw(from_schema(spec_schema["properties"][key], 2))
    meta = {**base["metadata"], "namespace": "fuzz", "uid": "u-1", "generation": 1}
    return {**base, "metadata": meta, "spec": spec}


def crs(kind: str) -> st.SearchStrategy[dict[str, Any]]:
    return st.one_of(whole(kind), mutated(kind))


@st.composite
def facts(draw: st.DrawFn, cache_name: str | None) -> ClusterFacts:
    caches = {}
    if cache_name and draw(st.booleans()):
        profiles = draw(
            st.lists(
                st.builds(
                    CachedProfile,
                    name=st.text(max_size=8),
                    config=st.dictionaries(
                        st.sampled_from(["tp", "tensorParallelism", "pp", "gpu"]),
                        st.text(max_size=4),
                        max_size=2,
                    ),
                ),
                max_size=2,
            )
        )
        caches[f"fuzz/{cache_name}"] = NIMCacheFacts(
            name=cache_name,
            state=draw(st.sampled_from(["", "Ready", "Failed", "InProgress", "NotReady"])),
            pvc=draw(st.sampled_from(["", "pvc", "x" * 70])),
            source=draw(st.sampled_from(["ngc", "hf", "dataStore"])),
            model_endpoint=draw(st.sampled_from(["", "https://api.ngc.nvidia.com/x"])),
            hf_namespace=draw(st.text(max_size=6)),
            hf_model_name=draw(st.text(max_size=6)),
            cache_type=draw(st.sampled_from(["", "native", "model-free", "optimized"])),
            profiles=tuple(profiles),
        )
    flags = st.booleans()
    return ClusterFacts(
        lws=draw(flags),
        kserve=draw(flags),
        gateway_api=draw(flags),
        inference_pool=draw(flags),
        service_monitor=draw(flags),
        compute_domain=draw(flags),
        dra_version=draw(st.sampled_from(["v1", "v1beta2", None])),
        openshift=draw(flags),
        nimcaches=caches,
        kserve_default_mode=draw(st.sampled_from([None, "Standard", "Serverless", "Bogus"])),
        gpu_products=tuple(draw(st.lists(st.text(max_size=10), max_size=2))),
    )


def _conditions() -> st.SearchStrategy[list[dict[str, Any]]]:
    cond = st.fixed_dictionaries(
        {
            "type": st.sampled_from(
                [
                    "Available",
                    "Progressing",
                    "Complete",
                    "Failed",
                    "Ready",
                    "ReplicaFailure",
                    "Allocated",
                ]
            ),
            "status": st.sampled_from(["True", "False", "Unknown"]),
        },
        optional={"reason": st.text(max_size=10), "message": st.text(max_size=20)},
    )
    return st.lists(cond, max_size=3)


def live_status() -> st.SearchStrategy[dict[str, Any]]:
    """The status of a live child (Deployment, LWS, InferenceService, Job): counts and
    conditions, sometimes absurd."""
    count = st.one_of(st.integers(0, 5), st.integers(-1, 2**31))
    return st.fixed_dictionaries(
        {},
        optional={
            "replicas": count,
            "readyReplicas": count,
            "availableReplicas": count,
            "updatedReplicas": count,
            "active": count,
            "failed": count,
            "succeeded": count,
            "observedGeneration": count,
            "conditions": _conditions(),
        },
    )


@st.composite
def live(draw: st.DrawFn, kind: str, name: str) -> dict[str, Any] | None:
    if draw(st.booleans()):
        return None
    spec = draw(
        st.fixed_dictionaries(
            {}, optional={"replicas": st.integers(0, 3), "backoffLimit": st.integers(0, 10)}
        )
    )
    return {
        "kind": kind,
        "metadata": {"name": name, "namespace": "fuzz", "generation": 1},
        "spec": spec,
        "status": draw(live_status()),
    }


def _cache_name(svc: Mapping[str, Any]) -> str | None:
    spec = svc.get("spec") or {}
    name = ((spec.get("storage") or {}).get("nimCache") or {}).get("name")
    return str(name) if isinstance(name, str) else None


def _reconcile_service(svc: dict[str, Any], cluster: ClusterFacts, observed: Observed) -> None:
    """What NIMServiceReconciler.reconcile computes, minus I/O."""
    cr = validate.checked(as_models_read(svc), NIMService)
    model = cr.model
    render = partial(render_nimservice, model, cluster) if model is not None else Rendered
    rendered = names_only(render, cr.errors) if cr.errors else render()
    status = nimservice_status.compute(svc, rendered, observed, now=NOW)
    assert status.get("state"), status
    json.dumps(status)
    for obj in rendered.objects:
        json.dumps(obj)  # every child must serialize for the API
        assert obj["metadata"]["name"], obj


@FUZZ
@given(data=st.data(), svc=crs("nimservice"))
def test_nimservice_reconcile_never_raises(data: st.DataObject, svc: dict[str, Any]) -> None:
    cluster = data.draw(facts(_cache_name(svc)))
    name = svc["metadata"]["name"]
    pods: list[dict[str, Any]] = data.draw(
        st.lists(
            st.builds(
                dict,
                metadata=st.just({"name": f"{name}-0", "namespace": "fuzz"}),
                status=st.fixed_dictionaries(
                    {},
                    optional={
                        "phase": st.sampled_from(["Pending", "Running", "Failed"]),
                        "conditions": _conditions(),
                    },
                ),
            ),
            max_size=2,
        )
    )
    observed = Observed(
        workload=data.draw(
            live(
                data.draw(st.sampled_from(["Deployment", "LeaderWorkerSet", "InferenceService"])),
                name,
            )
        ),
        service=data.draw(live("Service", name)),
        pods=pods,
    )
    _reconcile_service(svc, cluster, observed)


@FUZZ
@given(data=st.data(), cache=crs("nimcache"))
def test_nimcache_reconcile_never_raises(data: st.DataObject, cache: dict[str, Any]) -> None:
    name = cache["metadata"]["name"]
    errors, _ = validate.problems(cache)
    rendered = Rendered(problems=tuple(errors))
    if not errors:
        manifests: dict[str, Any] = data.draw(
            st.sampled_from(
                [
                    {},
                    {f"fuzz/{name}": {}},
                    {
                        f"fuzz/{name}": {
                            "abc": {
                                "model": "m",
                                "release": "1",
                                "tags": {"gpu": "H100", "tp": "1"},
                            }
                        }
                    },
                ]
            )
        )
        cluster = ClusterFacts(model_manifests=manifests, gpu_products=("NVIDIA-H100-80GB-HBM3",))
        rendered = render_nimcache(cache, cluster)
        for obj in rendered.objects:
            json.dumps(obj)
    pvc: dict[str, Any] | None = data.draw(
        st.one_of(
            st.none(),
            st.builds(
                dict,
                metadata=st.just({"name": "p"}),
                status=st.fixed_dictionaries(
                    {}, optional={"phase": st.sampled_from(["Pending", "Bound", "Lost"])}
                ),
            ),
        )
    )
    job = data.draw(live("Job", f"{name}-job"))
    status = nimcache_status.compute(cache, rendered, pvc, job, profiles=[], now=NOW)
    assert status["state"] in {"Pending", "InProgress", "Ready", "Failed", "NotReady"}, status
    nimcache_status.failed_for_generation(cache)


@FUZZ
@given(data=st.data(), pipeline=crs("nimpipeline"))
def test_nimpipeline_reconcile_never_raises(data: st.DataObject, pipeline: dict[str, Any]) -> None:
    cr = validate.checked(as_models_read(pipeline), NIMPipeline)
    errors = cr.errors
    rendered = render_nimpipeline(cr.model) if cr.model is not None else Rendered()
    enabled = [s["metadata"]["name"] for s in rendered.objects]
    live_services = {
        n: {
            "status": data.draw(
                st.fixed_dictionaries(
                    {}, optional={"state": st.sampled_from(["Ready", "Failed", "NotReady", ""])}
                )
            )
        }
        for n in enabled
    }
    problem = "; ".join(p.message for p in (*errors, *rendered.problems))
    status = nimpipeline_status.compute(pipeline, enabled, live_services, now=NOW, problem=problem)
    assert status.get("state"), status
    # The NIMServices a pipeline renders are reconciled in turn.
    for svc in rendered.objects:
        svc = {**svc, "metadata": {**svc["metadata"], "uid": "u-2", "generation": 1}}
        _reconcile_service(svc, ClusterFacts(), Observed())


@pytest.mark.parametrize("kind", ["nimservice", "nimcache", "nimpipeline", "nimbuild"])
def test_schema_strategy_yields_objects(kind: str) -> None:
    """The generator itself works on every schema (a broken one would fuzz nothing)."""

    @settings(max_examples=5, deadline=None, suppress_health_check=list(HealthCheck))
    @given(obj=whole(kind))
    def check(obj: dict[str, Any]) -> None:
        assert obj["apiVersion"] == "apps.nvidia.com/v1alpha1"
        assert isinstance(obj["spec"], dict)

    check()
