"""What counts as drift between a desired manifest and a live object, and what does not."""

from __future__ import annotations

import copy
from typing import Any

from nimop.watch.diff import diff_paths, is_subset

DESIRED: dict[str, Any] = {
    "apiVersion": "apps/v1",
    "kind": "Deployment",
    "metadata": {"name": "d", "namespace": "n", "labels": {"app": "x"}},
    "spec": {
        "selector": {"matchLabels": {"app": "x"}},
        "template": {
            "metadata": {"labels": {"app": "x"}},
            "spec": {
                "containers": [{
                    "name": "main", "image": "img:1", "args": ["--a", "--b"],
                    "ports": [{"containerPort": 8000, "name": "http"}],
                    "resources": {"limits": {"cpu": "1000m", "memory": "1Gi"}},
                }],
                "volumes": [{"name": "cache", "emptyDir": {}}],
            },
        },
    },
}  # fmt: skip


def live_of(desired: dict[str, Any]) -> dict[str, Any]:
    """What the apiserver returns: defaults, status, other managers' fields added."""
    live = copy.deepcopy(desired)
    live["metadata"].update(uid="u", resourceVersion="7", generation=1,
                            labels={"app": "x", "added-by-user": "yes"})  # fmt: skip
    live["spec"]["replicas"] = 5  # HPA-owned; the desired manifest omits it
    live["spec"]["strategy"] = {"type": "RollingUpdate"}
    pod = live["spec"]["template"]["spec"]
    pod["containers"][0].update(imagePullPolicy="IfNotPresent", terminationMessagePath="/dev/x")
    pod["containers"][0]["ports"][0]["protocol"] = "TCP"
    pod["containers"][0]["resources"]["limits"]["cpu"] = "1"  # canonicalised quantity
    pod["containers"].append({"name": "injected-sidecar", "image": "mesh:1"})
    pod["restartPolicy"] = "Always"
    live["status"] = {"replicas": 5}
    return live


def test_server_defaults_and_foreign_fields_are_not_drift() -> None:
    assert diff_paths(DESIRED, live_of(DESIRED)) == []


def test_changed_owned_scalar_is_drift() -> None:
    live = live_of(DESIRED)
    live["spec"]["template"]["spec"]["containers"][0]["image"] = "img:manual-edit"
    assert diff_paths(DESIRED, live) == [".spec.template.spec.containers[name=main].image"]


def test_missing_owned_label_and_list_item_are_drift() -> None:
    live = live_of(DESIRED)
    del live["metadata"]["labels"]["app"]
    live["spec"]["template"]["spec"]["volumes"] = []
    assert diff_paths(DESIRED, live) == [
        ".metadata.labels.app",
        ".spec.template.spec.volumes[name=cache]",
    ]


def test_atomic_lists_compare_in_order() -> None:
    live = live_of(DESIRED)
    live["spec"]["template"]["spec"]["containers"][0]["args"] = ["--b", "--a"]
    assert not is_subset(DESIRED, live)


def test_quantities_compare_by_value_but_not_loosely() -> None:
    assert is_subset({"cpu": "500m", "mem": "1Gi"}, {"cpu": "0.5", "mem": "1024Mi"})
    assert not is_subset({"cpu": "500m"}, {"cpu": "0.6"})
    assert not is_subset({"flag": True}, {"flag": 1})
    assert not is_subset({"name": "1k"}, {"name": "1000x"})


def test_empty_desired_values_match_absent_live() -> None:
    assert is_subset({"metadata": {"annotations": {}}, "spec": {"x": None}}, {"metadata": {}})
    assert not is_subset({"spec": {"x": "v"}}, {"spec": {}})


def test_a_quantity_beyond_int64_matches_what_the_apiserver_stores() -> None:
    # resource.Quantity clamps to int64's maximum; otherwise this is drift on every reconcile
    assert diff_paths({"cpu": "999999999999999999999Ei"}, {"cpu": "9223372036854775807"}) == []
    assert diff_paths({"cpu": "2"}, {"cpu": "9223372036854775807"}) == [".cpu"]


def test_exa_suffixes_are_quantities_not_exponents() -> None:
    assert diff_paths({"storage": "1Ei"}, {"storage": "1152921504606846976"}) == []
    assert diff_paths({"storage": "2E"}, {"storage": "2000000000000000000"}) == []
    assert diff_paths({"cpu": "1e3"}, {"cpu": "1k"}) == []
