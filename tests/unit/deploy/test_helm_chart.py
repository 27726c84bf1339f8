"""The generated Helm chart, checked with the real `helm` (built once into the cache): lint is
clean, and `helm template` over a matrix of values renders the objects those values ask for —
and, with the defaults, the same Deployment and RBAC as the kustomize base."""

from __future__ import annotations

import argparse
from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop import __version__
from nimop.deploygen import objects as o
from nimop.permissions import METRICS_AUTH, PERMISSIONS, rules, select
from nimop.watch.flags import add_setting_flags, settings_from_args
from tests.unit.deploy.helmcli import CHART, ROOT, helm, template, values_args

pytestmark = pytest.mark.tools
DIGEST = "sha256:" + "ab" * 32


def find(docs: list[dict[str, Any]], kind: str, name: str | None = None) -> dict[str, Any]:
    found = [d for d in docs if d["kind"] == kind
             and (name is None or d["metadata"]["name"] == name)]
    assert len(found) == 1, f"{kind} {name}: {len(found)} found"
    return found[0]


def pod(docs: list[dict[str, Any]]) -> dict[str, Any]:
    return dict(find(docs, "Deployment")["spec"]["template"]["spec"])


def args(docs: list[dict[str, Any]]) -> dict[str, str]:
    """The manager's `--flag=value` args by flag (a later one wins, as in `nimop run`)."""
    pairs = (a.split("=", 1) for a in pod(docs)["containers"][0].get("args", []))
    return {p[0]: (p[1] if len(p) > 1 else "") for p in pairs}


def env(docs: list[dict[str, Any]]) -> dict[str, Any]:
    container = pod(docs)["containers"][0]
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container["env"]}


def test_lint_is_clean() -> None:
    result = helm("lint", "--strict", str(CHART))
    assert "0 chart(s) failed" in result.stdout, result.stdout


def test_defaults_render_what_the_kustomize_base_installs(tmp_path: Path) -> None:
    docs = template({}, tmp_path)
    base = [d for f in ("rbac.yaml", "deployment.yaml", "service.yaml")
            for d in yaml.safe_load_all((ROOT / "deploy" / "base" / f).read_text()) if d]
    assert sorted((d["kind"], d["metadata"]["name"]) for d in docs) == sorted(
        (d["kind"], d["metadata"]["name"]) for d in base)
    for doc in docs:
        if doc["kind"] not in ("ClusterRole", "ClusterRoleBinding"):
            assert doc["metadata"]["namespace"] == "ops", doc["kind"]
    for kind in ("ClusterRole", "Role"):
        assert find(docs, kind)["rules"] == find(base, kind)["rules"]
    ours, theirs = pod(docs), pod(base)
    for key in ("securityContext", "volumes", "serviceAccountName"):
        assert ours[key] == theirs[key], key
    mine, base_c = ours["containers"][0], theirs["containers"][0]
    for key in ("args", "env", "ports", "livenessProbe", "readinessProbe", "resources",
                "securityContext", "imagePullPolicy"):
        assert mine[key] == base_c[key], key
    assert mine["image"] == f"{o.IMAGE_REPOSITORY}:v{__version__}"
    assert find(docs, "Deployment")["spec"]["replicas"] == o.REPLICAS
    assert find(docs, "ClusterRoleBinding")["subjects"] == [
        {"kind": "ServiceAccount", "name": "nimop", "namespace": "ops"}]


def test_digest_wins_over_tag_and_pull_secrets_are_set(tmp_path: Path) -> None:
    docs = template({"image": {"repository": "mirror.local/nimop", "tag": "v9", "digest": DIGEST,
                               "pullPolicy": "Always"},
                     "imagePullSecrets": [{"name": "regcred"}]}, tmp_path)
    container = pod(docs)["containers"][0]
    assert container["image"] == f"mirror.local/nimop@{DIGEST}"
    assert container["imagePullPolicy"] == "Always"
    assert pod(docs)["imagePullSecrets"] == [{"name": "regcred"}]
    tagged = template({"image": {"tag": "v9"}}, tmp_path)
    assert pod(tagged)["containers"][0]["image"] == f"{o.IMAGE_REPOSITORY}:v9"


def test_watched_namespaces_get_a_role_each_and_no_cluster_wide_rules(tmp_path: Path) -> None:
    docs = template({"watchNamespaces": ["team-a", "team-b"]}, tmp_path)
    assert env(docs)[o.WATCH_ENV] == "team-a,team-b"
    roles = {d["metadata"]["namespace"]: d for d in docs
             if d["kind"] == "Role" and d["metadata"]["name"] == "nimop"}
    assert sorted(roles) == ["team-a", "team-b"]
    assert all(r["rules"] == rules(select("namespaced")) for r in roles.values())
    bindings = [d for d in docs if d["kind"] == "RoleBinding" and d["metadata"]["name"] == "nimop"]
    assert sorted(b["metadata"]["namespace"] for b in bindings) == ["team-a", "team-b"]
    assert all(b["subjects"][0]["namespace"] == "ops" for b in bindings)
    cluster = find(docs, "ClusterRole")
    assert cluster["metadata"]["name"] == "nimop-cluster"
    assert cluster["rules"] == rules(select("cluster"))
    leader = find(docs, "Role", "nimop-leader-election")
    assert leader["metadata"]["namespace"] == "ops"
    assert leader["rules"] == rules(select("operator"))
    everything = rules(p for p in PERMISSIONS if p.scope != "operator")
    assert all(d.get("rules") != everything for d in docs)


def test_scheduling_metadata_resources_env_and_args(tmp_path: Path) -> None:
    toleration = {"key": "gpu", "operator": "Exists", "effect": "NoSchedule"}
    affinity = {"nodeAffinity": {"requiredDuringSchedulingIgnoredDuringExecution": {
        "nodeSelectorTerms": [{"matchExpressions": [
            {"key": "pool", "operator": "In", "values": ["system"]}]}]}}}
    # Helm merges maps with the defaults; null removes a default key.
    resources = {"requests": {"cpu": "50m", "memory": "64Mi"}, "limits": None}
    docs = template({
        "replicaCount": 3, "nodeSelector": {"pool": "system"}, "tolerations": [toleration],
        "affinity": affinity, "priorityClassName": "system-cluster-critical",
        "podAnnotations": {"team": "ml"}, "podLabels": {"cost-center": "42"},
        "resources": resources, "extraEnv": [{"name": "HTTPS_PROXY", "value": "http://p:3128"}],
        "extraArgs": ["--kube-api-qps=50", "--log-level=error"], "logLevel": "debug",
        "logFormat": "console",
        "metrics": {"port": 9090}, "healthProbe": {"port": 9091},
    }, tmp_path)
    spec = pod(docs)
    assert spec["nodeSelector"] == {"pool": "system"}
    assert spec["tolerations"] == [toleration] and spec["affinity"] == affinity
    assert spec["priorityClassName"] == "system-cluster-critical"
    deployment = find(docs, "Deployment")
    assert deployment["spec"]["replicas"] == 3
    meta = deployment["spec"]["template"]["metadata"]
    assert meta["annotations"] == {"team": "ml"} and meta["labels"]["cost-center"] == "42"
    assert "cost-center" not in deployment["spec"]["selector"]["matchLabels"]
    container = spec["containers"][0]
    assert container["resources"] == {"requests": {"cpu": "50m", "memory": "64Mi"}}
    assert container["args"][-2:] == ["--kube-api-qps=50", "--log-level=error"]
    assert "--log-level=debug" in container["args"]  # the value, overridden by an extra arg
    assert env(docs)["HTTPS_PROXY"] == "http://p:3128"
    flags = args(docs)
    assert flags["--log-format"] == "console" and flags["--log-level"] == "error"
    assert flags["--metrics-bind-address"] == "0.0.0.0:9090"
    assert flags["--health-probe-bind-address"] == "0.0.0.0:9091"
    parser = argparse.ArgumentParser(exit_on_error=False)
    add_setting_flags(parser)
    settings = settings_from_args(parser.parse_args(container["args"]), {})
    assert settings.qps == 50 and settings.log_level == "error" and settings.leader_election
    assert [p["containerPort"] for p in container["ports"]] == [9090, 9091]
    assert find(docs, "Service")["spec"]["ports"][0]["port"] == 9090


def test_empty_optional_values_leave_no_empty_keys(tmp_path: Path) -> None:
    spec = pod(template({"resources": None}, tmp_path))
    for key in ("nodeSelector", "tolerations", "affinity", "priorityClassName",
                "imagePullSecrets"):
        assert key not in spec, key
    assert "resources" not in spec["containers"][0]
    assert all(not a.startswith("--kube-api") for a in spec["containers"][0]["args"])


def test_service_monitor_follows_the_release_namespace(tmp_path: Path) -> None:
    assert not [d for d in template({}, tmp_path) if d["kind"] == "ServiceMonitor"]
    docs = template({"metrics": {"serviceMonitor": {
        "enabled": True, "interval": "15s", "labels": {"release": "prom"}}}},
        tmp_path, namespace="monitoring-x")
    monitor, service = find(docs, "ServiceMonitor"), find(docs, "Service")
    assert monitor["metadata"]["namespace"] == service["metadata"]["namespace"] == "monitoring-x"
    assert "namespaceSelector" not in monitor["spec"]
    assert monitor["metadata"]["labels"]["release"] == "prom"
    selector = monitor["spec"]["selector"]["matchLabels"]
    assert selector.items() <= service["metadata"]["labels"].items()
    assert monitor["spec"]["endpoints"][0]["interval"] == "15s"


def test_names_follow_the_release(tmp_path: Path) -> None:
    docs = template({}, tmp_path, release="edge")
    assert find(docs, "ClusterRole")["metadata"]["name"] == "edge-nimop"
    assert pod(docs)["serviceAccountName"] == "edge-nimop"
    labels = find(docs, "Deployment")["spec"]["selector"]["matchLabels"]
    assert labels["app.kubernetes.io/instance"] == "edge"
    named = template({"fullnameOverride": "ops-controller"}, tmp_path, release="edge")
    assert find(named, "Deployment")["metadata"]["name"] == "ops-controller"


def test_leader_election_off_needs_one_replica(tmp_path: Path) -> None:
    result = helm("template", "nimop", str(CHART), *values_args(
        {"leaderElection": {"enabled": False}}, tmp_path), check=False)
    assert result.returncode != 0 and "leaderElection.enabled=true" in result.stderr
    docs = template({"leaderElection": {"enabled": False}, "replicaCount": 1}, tmp_path)
    assert args(docs)["--leader-elect"] == "false"


@pytest.mark.parametrize(("values", "named"), [
    ({"logLevel": "verbose"}, "logLevel"),
    ({"replicas": 3}, "replicas"),
    ({"image": {"digest": "latest"}}, "digest"),
    ({"watchNamespaces": ["Team_A"]}, "watchNamespaces"),
])
def test_bad_values_fail_naming_the_value(values: dict[str, Any], named: str,
                                          tmp_path: Path) -> None:
    result = helm("template", "nimop", str(CHART), *values_args(values, tmp_path), check=False)
    assert result.returncode != 0
    assert named in result.stderr, result.stderr


def test_crds_are_the_published_ones() -> None:
    for crd in sorted((ROOT / "api" / "crds").glob("*.yaml")):
        assert (CHART / "crds" / crd.name).read_text() == crd.read_text(), crd.name


def test_secure_metrics_flag_rbac_and_monitor(tmp_path: Path) -> None:
    plain = template({"metrics": {"serviceMonitor": {"enabled": True}}}, tmp_path)
    assert args(plain)["--metrics-secure"] == "false"
    assert find(plain, "ServiceMonitor")["spec"]["endpoints"][0]["scheme"] == "http"
    assert not [d for d in plain if d["metadata"]["name"].endswith(("-metrics-auth", "-reader"))]
    docs = template({"metrics": {"secure": True, "serviceMonitor": {"enabled": True}}}, tmp_path)
    assert args(docs)["--metrics-secure"] == "true"
    assert find(docs, "ClusterRole", "nimop-metrics-auth")["rules"] == rules(METRICS_AUTH)
    binding = find(docs, "ClusterRoleBinding", "nimop-metrics-auth")
    assert binding["subjects"][0] == {"kind": "ServiceAccount", "name": "nimop",
                                      "namespace": "ops"}
    assert find(docs, "ClusterRole", "nimop-metrics-reader")["rules"] == [
        {"nonResourceURLs": ["/metrics"], "verbs": ["get"]}]
    endpoint = find(docs, "ServiceMonitor")["spec"]["endpoints"][0]
    assert endpoint["scheme"] == "https" and endpoint["tlsConfig"] == {"insecureSkipVerify": True}
    assert endpoint["bearerTokenFile"].endswith("serviceaccount/token")
