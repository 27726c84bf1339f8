"""Properties over random valid specs: rendering never raises, names and labels are always
valid Kubernetes names (DNS-1123 labels, <= 63 chars) and output is deterministic."""

from __future__ import annotations

import re
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from nimop.offline import dump
from nimop.render import ClusterFacts, NIMCacheFacts, render_nimcache, render_nimservice
from nimop.render.names import child_name, dns_label, label_value

DNS_LABEL = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$")
LABEL_VALUE = re.compile(r"^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$")
QUALIFIED = re.compile(
    r"^([a-z0-9]([-a-z0-9.]*[a-z0-9])?/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$"
)

label = st.from_regex(r"[a-z0-9]([a-z0-9-]{0,20}[a-z0-9])?", fullmatch=True)
cr_name = st.lists(label, min_size=1, max_size=12).map(".".join).filter(lambda s: len(s) <= 253)
small = st.integers(min_value=1, max_value=8)
user_labels = st.dictionaries(
    st.sampled_from(["team", "tier", "example.com/owner"]), label, max_size=3
)
env = st.lists(
    st.fixed_dictionaries(
        {
            "name": st.sampled_from(["NIM_LOG_LEVEL", "A", "HTTP_PROXY", "NIM_MODEL_NAME"]),
            "value": label,
        }
    ),
    max_size=4,
)
storage = st.one_of(
    st.just({"emptyDir": {}}),
    st.just({"hostPath": "/data"}),
    st.builds(lambda n: {"pvc": {"name": n}}, label),
    st.builds(lambda n: {"pvc": {"create": True, "size": "1Gi", "name": n}}, label),
    st.just({"nimCache": {"name": "cache", "profile": "p"}}),
)
dra = st.lists(
    st.one_of(
        st.builds(lambda n: {"resourceClaimName": n}, label),
        st.builds(lambda n: {"resourceClaimTemplateName": n}, label),
        st.builds(
            lambda n, c: {"claimCreationSpec": {"devices": [{"name": n, "count": c}]}}, label, small
        ),
    ),
    max_size=3,
    unique_by=lambda d: str(d),
)
multinode = st.builds(lambda p, t: {"parallelism": {"pipeline": p, "tensor": t}}, small, small)
expose = st.one_of(
    st.just({}),
    st.builds(
        lambda d: {
            "service": {"port": 8000, "grpcPort": 8001},
            "router": {"hostDomainName": d, "ingress": {"ingressClass": "nginx"}},
        },
        label,
    ),
)


@st.composite
def nimservice(draw: st.DrawFn) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "image": {"repository": "nvcr.io/nim/x", "tag": draw(label)},
        "storage": draw(storage),
        "labels": draw(user_labels),
        "env": draw(env),
        "expose": draw(expose),
        "inferencePlatform": draw(st.sampled_from(["standalone", "kserve"])),
    }
    if draw(st.booleans()):
        spec["draResources"] = draw(dra)
    if spec["inferencePlatform"] == "standalone" and draw(st.booleans()):
        spec["multiNode"] = draw(multinode)
    elif draw(st.booleans()):
        spec["scale"] = {"enabled": True, "hpa": {"maxReplicas": draw(small)}}
    else:
        spec["replicas"] = draw(st.integers(min_value=0, max_value=4))
    if draw(st.booleans()):
        spec["sidecarContainers"] = [{"name": "side", "image": {"repository": "r", "tag": "1"}}]
    return {
        "apiVersion": "apps.nvidia.com/v1alpha1",
        "kind": "NIMService",
        "metadata": {"name": draw(cr_name), "namespace": draw(label), "uid": "u"},
        "spec": spec,
    }


facts = st.builds(
    lambda all_apis, openshift: (ClusterFacts.all_apis if all_apis else ClusterFacts)(
        openshift=openshift
    ),
    st.booleans(),
    st.booleans(),
)


def names_in(obj: Any) -> list[str]:
    """Every `name` a Kubernetes object is keyed by: metadata, containers, volumes, claims."""
    found = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if key in ("containers", "initContainers", "volumes", "resourceClaims"):
                found += [v["name"] for v in value]
            found += names_in(value)
    elif isinstance(obj, list):
        for item in obj:
            found += names_in(item)
    return found


def labels_in(obj: Any) -> list[dict[str, str]]:
    found = []
    if isinstance(obj, dict):
        for key, value in obj.items():
            if (
                key in ("labels", "matchLabels", "selector")
                and isinstance(value, dict)
                and all(isinstance(v, str) for v in value.values())
            ):
                found.append(value)
            found += labels_in(value)
    elif isinstance(obj, list):
        for item in obj:
            found += labels_in(item)
    return found


def check_valid(objects: tuple[dict[str, Any], ...]) -> None:
    for obj in objects:
        name = obj["metadata"]["name"]
        assert len(name) <= 63 and DNS_LABEL.match(name), name
        for n in names_in(obj["spec"]) if "spec" in obj else []:
            assert len(n) <= 63 and DNS_LABEL.match(n), n
        for labels in labels_in(obj):
            for key, value in labels.items():
                assert QUALIFIED.match(key) and len(key.split("/")[-1]) <= 63, key
                assert len(value) <= 63 and LABEL_VALUE.match(value), value


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(nimservice(), facts, st.booleans())
def test_nimservice_renders_valid_deterministic_output(
    svc: dict[str, Any], cluster: ClusterFacts, cache_ready: bool
) -> None:
    ns = svc["metadata"]["namespace"]
    state = "Ready" if cache_ready else "InProgress"
    cluster = ClusterFacts(
        **{
            **cluster.__dict__,
            "nimcaches": {f"{ns}/cache": NIMCacheFacts("cache", state, "cache-pvc")},
        }
    )
    first = render_nimservice(svc, cluster)
    second = render_nimservice(svc, cluster)
    assert first == second
    assert "".join(map(dump, first.objects)) == "".join(map(dump, second.objects))
    check_valid(first.objects)


@settings(max_examples=60, deadline=None)
@given(cr_name, st.sampled_from(["ngc", "hf", "dataStore"]), st.booleans())
def test_nimcache_renders_valid_output(name: str, source: str, manifest: bool) -> None:
    body: dict[str, Any] = {"modelPuller": "p:1", "authSecret": "a", "pullSecret": "s"}
    if source != "ngc":
        body |= {"endpoint": "https://h/v1/hf", "namespace": "org", "modelName": "m"}
    obj = {
        "kind": "NIMCache",
        "metadata": {"name": name, "namespace": "ns", "uid": "u"},
        "spec": {"source": {source: body}, "storage": {"pvc": {"create": True, "size": "1Gi"}}},
    }
    cluster = ClusterFacts(model_manifests={f"ns/{name}": {"p": {"tags": {}}}} if manifest else {})
    result = render_nimcache(obj, cluster)
    assert result == render_nimcache(obj, cluster)
    check_valid(result.objects)


@given(st.text(max_size=300))
def test_name_helpers_always_valid(text: str) -> None:
    for name in (dns_label(text), child_name(text, "-suffix")):
        assert len(name) <= 63 and DNS_LABEL.match(name), name
    value = label_value(text)
    assert len(value) <= 63 and LABEL_VALUE.match(value), value
