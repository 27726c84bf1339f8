"""`nimop migrate --check` findings from a snapshot of what upstream's operator leaves behind."""

from __future__ import annotations

from typing import Any

from nimop.migrate import Snapshot, blockers


def _obj(kind: str, name: str, ns: str | None = "nim", **md: Any) -> dict[str, Any]:
    meta = {"name": name, **({"namespace": ns} if ns else {}), **md}
    return {"kind": kind, "metadata": meta}


def _upstream_state() -> Snapshot:
    hook = {**_obj("ValidatingWebhookConfiguration", "k8s-nim-operator-validating", None),
            "webhooks": [{"name": "vnimservice.kb.io", "failurePolicy": "Fail",
                          "rules": [{"apiGroups": ["apps.nvidia.com"]}]}]}  # fmt: skip
    other = {**_obj("ValidatingWebhookConfiguration", "cert-manager", None),
             "webhooks": [{"rules": [{"apiGroups": ["cert-manager.io"]}]}]}  # fmt: skip
    crd = {**_obj("CustomResourceDefinition", "nimservices.apps.nvidia.com", None,
                  labels={"app.kubernetes.io/managed-by": "Helm"},
                  annotations={"meta.helm.sh/release-name": "nim-operator"}),
           "spec": {"group": "apps.nvidia.com"}}  # fmt: skip
    image = "nvcr.io/nvidia/cloud-native/k8s-nim-operator:v3.0.0"
    running = {**_obj("Deployment", "k8s-nim-operator", "nim-operator"),
               "spec": {"replicas": 1,
                        "template": {"spec": {"containers": [{"image": image}]}}}}  # fmt: skip
    svc = _obj("NIMService", "llm", uid="u-1", finalizers=["finalizer.nimservice.apps.nvidia.com"])
    guard = _obj("NIMKindFromANewerUpstream", "g", uid="u-2")
    adopted = _obj("Deployment", "llm", ownerReferences=[{"uid": "u-1", "controller": True}])
    stray = _obj("ConfigMap", "left-over", ownerReferences=[{"uid": "gone", "controller": True}])
    return Snapshot(webhooks=[hook, other], crds=[crd], deployments=[running],
                    crs=[svc, guard], children=[adopted, stray])  # fmt: skip


def test_every_blocker_is_found_with_its_fix() -> None:
    found = blockers(_upstream_state())
    fixes = [f.fix for f in found if f.severity == "blocker"]
    assert fixes[:2] == [
        "kubectl delete validatingwebhookconfiguration k8s-nim-operator-validating",
        "kubectl scale deployment k8s-nim-operator -n nim-operator --replicas=0",
    ]
    assert any(f.startswith("kubectl label crd nimservices.apps.nvidia.com") for f in fixes)
    assert any("NIMKindFromANewerUpstream" in f for f in fixes)
    assert len(fixes) == 4, "cert-manager's webhook is not upstream's"


def test_finalizers_and_children_are_notices() -> None:
    notices = {f.what: f for f in blockers(_upstream_state()) if f.severity == "notice"}
    finalizer = next(f for w, f in notices.items() if "finalizer" in w)
    assert '"path":"/metadata/finalizers/0"' in finalizer.fix and "-n nim" in finalizer.fix
    assert any("1 child object(s)" in w and "Deployment nim/llm" in w for w in notices)
    assert any("ConfigMap nim/left-over" in w and "no CR nimop serves" in w for w in notices)


def test_a_clean_cluster_has_no_findings() -> None:
    state = _upstream_state()
    clean = Snapshot(webhooks=state.webhooks[1:], crs=[_obj("NIMService", "llm", uid="u-1")])
    assert blockers(clean) == []


def test_a_webhook_that_ignores_failures_is_a_notice() -> None:
    state = _upstream_state()
    state.webhooks[0]["webhooks"][0]["failurePolicy"] = "Ignore"
    hook = next(f for f in blockers(state) if "intercepts" in f.what)
    assert hook.severity == "notice"
