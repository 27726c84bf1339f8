"""The generated install manifests are current, and say what they must: least-privilege RBAC from
the permission table, a restricted-Pod-Security Deployment with leader election and probes."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.deploygen import generate
from nimop.deploygen import objects as o
from nimop.permissions import LEADER_LEASE, PERMISSIONS, rules, select

ROOT = Path(__file__).resolve().parents[3]
BASE = ROOT / "deploy" / "base"


def docs(path: Path) -> list[dict[str, Any]]:
    return [d for d in yaml.safe_load_all(path.read_text()) if d]


def find(items: list[dict[str, Any]], kind: str, name: str) -> dict[str, Any]:
    return next(d for d in items if d["kind"] == kind and d["metadata"]["name"] == name)


def test_committed_output_is_current() -> None:
    result = subprocess.run([sys.executable, "-m", "nimop.deploygen", "--check"], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr


@pytest.fixture
def copy(tmp_path: Path) -> Path:
    for sub in ("deploy", "api/examples", "docs"):
        shutil.copytree(ROOT / sub, tmp_path / sub)
    return tmp_path


def test_check_fails_on_an_edited_file_and_on_a_leftover(
        copy: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert generate(copy, check=True) == 0
    rbac = copy / "deploy" / "base" / "rbac.yaml"
    rbac.write_text(rbac.read_text().replace("- watch", "- '*'", 1))
    extra = copy / "deploy" / "olm" / "manifests" / "old.yaml"
    extra.write_text("kind: ConfigMap\n")
    assert generate(copy, check=True) == 1
    err = capsys.readouterr().err
    assert "deploy/base/rbac.yaml" in err and "deploy/olm/manifests/old.yaml" in err
    assert generate(copy, check=False) == 0
    assert not extra.exists() and generate(copy, check=True) == 0


def test_base_crds_are_the_published_ones() -> None:
    for crd in sorted((ROOT / "api" / "crds").glob("*.yaml")):
        assert (BASE / "crds" / crd.name).read_text() == crd.read_text(), crd.name
    listed = docs(BASE / "kustomization.yaml")[0]["resources"]
    assert {f"crds/{p.name}" for p in (ROOT / "api" / "crds").glob("*.yaml")} <= set(listed)


def test_cluster_role_is_the_table_and_leases_are_namespaced() -> None:
    rbac = docs(BASE / "rbac.yaml")
    cluster_role = find(rbac, "ClusterRole", "nimop")
    assert cluster_role["rules"] == rules(p for p in PERMISSIONS if p.scope != "operator")
    assert all("leases" not in r["resources"] for r in cluster_role["rules"])
    leader = find(rbac, "Role", "nimop-leader-election")
    assert leader["metadata"]["namespace"] == o.NAMESPACE
    assert leader["rules"] == rules(select("operator"))
    binding = find(rbac, "ClusterRoleBinding", "nimop")
    assert binding["subjects"] == [{"kind": "ServiceAccount", "name": "nimop",
                                    "namespace": o.NAMESPACE}]
    assert sum(len(r["verbs"]) for r in cluster_role["rules"] + leader["rules"]) == sum(
        len(p.verbs) for p in PERMISSIONS)


def test_deployment_is_restricted_and_elects_a_leader() -> None:
    dep = find(docs(BASE / "deployment.yaml"), "Deployment", "nimop")
    spec = dep["spec"]
    assert spec["replicas"] == 2
    pod = spec["template"]["spec"]
    assert pod["securityContext"]["runAsNonRoot"] is True
    assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    (ctr,) = pod["containers"]
    sc = ctr["securityContext"]
    assert sc["allowPrivilegeEscalation"] is False
    assert sc["capabilities"] == {"drop": ["ALL"]}
    assert sc["readOnlyRootFilesystem"] is True
    assert {"name": "tmp", "mountPath": "/tmp"} in ctr["volumeMounts"]
    assert {"name": "tmp", "emptyDir": {"sizeLimit": "64Mi"}} in pod["volumes"]
    assert ctr["resources"]["requests"] and ctr["resources"]["limits"]
    assert ctr["livenessProbe"]["httpGet"]["path"] == "/healthz"
    assert ctr["readinessProbe"]["httpGet"]["path"] == "/readyz"
    env = {e["name"]: e for e in ctr["env"]}
    assert "--leader-elect=true" in ctr["args"]
    assert env[o.WATCH_ENV]["value"] == ""
    assert pod["serviceAccountName"] == "nimop"
    ns = find(docs(BASE / "namespace.yaml"), "Namespace", o.NAMESPACE)
    assert ns["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"


def test_metrics_service_selects_the_operator_pods() -> None:
    svc = find(docs(BASE / "service.yaml"), "Service", "nimop-metrics")
    pod_labels = find(docs(BASE / "deployment.yaml"), "Deployment", "nimop")["spec"]["template"][
        "metadata"]["labels"]
    assert svc["spec"]["selector"].items() <= pod_labels.items()
    assert svc["spec"]["ports"][0]["targetPort"] == "metrics"
    monitor = docs(BASE / "servicemonitor" / "servicemonitor.yaml")[0]
    assert monitor["spec"]["selector"]["matchLabels"].items() <= svc["metadata"]["labels"].items()


def test_namespaced_overlay_moves_namespaced_rules_into_a_role() -> None:
    overlay = ROOT / "deploy" / "overlays" / "namespaced"
    rbac = docs(overlay / "rbac.yaml")
    role = find(rbac, "Role", "nimop")
    assert role["rules"] == rules(select("namespaced"))
    assert find(rbac, "ClusterRole", "nimop-cluster")["rules"] == rules(select("cluster"))
    kust = docs(overlay / "kustomization.yaml")[0]
    deleted = [p["patch"] for p in kust["patches"] if "patch" in p]
    assert any("kind: ClusterRole\n" in p and "$patch: delete" in p for p in deleted)
    assert any("kind: ClusterRoleBinding\n" in p for p in deleted)
    patch = docs(overlay / "deployment-patch.yaml")[0]
    env = patch["spec"]["template"]["spec"]["containers"][0]["env"]
    assert env == [{"name": o.WATCH_ENV, "value": role["metadata"]["namespace"]}]


def test_args_and_env_are_real_settings_of_nimop_run() -> None:
    """The Deployment's args parse as `nimop run` flags and its env names are settings (or
    upstream's KSERVE_NAMESPACE, read as upstream reads it), and together they turn on leader
    election in the pod's namespace and watch every namespace."""
    import argparse

    from nimop.watch.flags import add_setting_flags, settings_from_args
    from nimop.watch.settings import WatchSettings

    dep = find(docs(BASE / "deployment.yaml"), "Deployment", "nimop")
    ctr = dep["spec"]["template"]["spec"]["containers"][0]
    fields = {f"NIMOP_{name.upper()}" for name in WatchSettings.model_fields}
    assert {e["name"] for e in ctr["env"]} - {o.KSERVE_ENV} <= fields
    parser = argparse.ArgumentParser(exit_on_error=False)
    add_setting_flags(parser)
    environ = {e["name"]: e.get("value", "pod-ns") for e in ctr["env"] if e["name"] in fields}
    settings = settings_from_args(parser.parse_args(ctr["args"]), environ)
    assert settings.leader_election is True and settings.lease_name == LEADER_LEASE
    assert settings.namespaces == []
    assert WatchSettings.split_address(settings.health_bind_address)[1] == o.HEALTH_PORT
    assert WatchSettings.split_address(settings.metrics_bind_address)[1] == o.METRICS_PORT
    assert (settings.log_format, settings.log_level) == (o.LOG_FORMAT, o.LOG_LEVEL)
