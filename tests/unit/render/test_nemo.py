"""The NeMo renderers: upstream's children, names and selectors, and the upstream NeMo bugs
(§9 items 9, 10, 27, 46) that must not come back."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from nimop.api import parse_object
from nimop.api.nemo_datastore import NemoDatastore
from nimop.api.nemo_entitystore import NemoEntitystore
from nimop.api.nemo_guardrail import NemoGuardrail
from nimop.api.nimservice import NIMService
from nimop.render import Rendered
from nimop.render.facts import ClusterFacts
from nimop.render.nemo_datastore import render_nemodatastore
from nimop.render.nemo_entitystore import render_nemoentitystore
from nimop.render.nemo_guardrail import render_nemoguardrail

EXAMPLES = Path(__file__).resolve().parents[3] / "api" / "examples"


def _example(name: str) -> dict[str, Any]:
    for doc in yaml.safe_load_all((EXAMPLES / name).read_text()):
        if doc and doc["apiVersion"] == "apps.nvidia.com/v1alpha1":
            doc["metadata"] |= {"namespace": "nemo", "uid": "u-1"}
            return dict(doc)
    raise AssertionError(name)


def _entitystore(**spec: Any) -> NemoEntitystore:
    doc = _example("nemo-entitystore.yaml")
    doc["spec"] |= spec
    cr = parse_object(doc)
    assert isinstance(cr, NemoEntitystore)
    return cr


def _datastore(**spec: Any) -> NemoDatastore:
    doc = _example("nemo-datastore.yaml")
    doc["spec"] |= spec
    doc["spec"] = {k: v for k, v in doc["spec"].items() if v is not None}
    cr = parse_object(doc)
    assert isinstance(cr, NemoDatastore)
    return cr


def _guardrail(**spec: Any) -> NemoGuardrail:
    doc = _example("nemo-guardrail.yaml")
    doc["spec"] |= spec
    doc["spec"] = {k: v for k, v in doc["spec"].items() if v is not None}
    cr = parse_object(doc)
    assert isinstance(cr, NemoGuardrail)
    return cr


def _nim(state: str | None = "Ready", port: int = 8000) -> NIMService:
    status = {"state": state} if state else {}
    nim = parse_object({
        "apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NIMService",
        "metadata": {"name": "meta-llama-3-2-1b-instruct", "namespace": "nemo"},
        "spec": {"image": {"repository": "nvcr.io/nim/meta/llama", "tag": "1"},
                 "expose": {"service": {"port": port}}},
        "status": status,
    })  # fmt: skip
    assert isinstance(nim, NIMService)
    return nim


def _render_guardrail(cr: NemoGuardrail, nim_service: NIMService | None = None) -> Rendered:
    """The example guardrail enables metrics: render on a cluster serving ServiceMonitors."""
    return render_nemoguardrail(cr, ClusterFacts(service_monitor=True), nim_service)


def _deployment(r: Rendered) -> dict[str, Any]:
    dep = r.find("Deployment")
    assert dep is not None, r.problems
    return dep


def _env(container: dict[str, Any]) -> dict[str, Any]:
    return {e["name"]: e.get("value", e.get("valueFrom")) for e in container.get("env", [])}


def _main(r: Rendered) -> dict[str, Any]:
    return dict(_deployment(r)["spec"]["template"]["spec"]["containers"][0])


def test_entitystore_children_names_and_selector() -> None:
    r = render_nemoentitystore(_entitystore())
    assert r.ok
    assert [(o["kind"], o["metadata"]["name"]) for o in r.objects] == [
        ("ServiceAccount", "nemoentitystore-sample"), ("Service", "nemoentitystore-sample"),
        ("Deployment", "nemoentitystore-sample"),
    ]  # fmt: skip
    dep = _deployment(r)
    select = {"app": "nemoentitystore-sample",
              "app.kubernetes.io/name": "nemoentitystore-sample",
              "app.kubernetes.io/instance": "nemoentitystore-sample"}  # fmt: skip
    assert dep["spec"]["selector"]["matchLabels"] == select
    assert r.find("Service")["spec"]["selector"] == select  # type: ignore[index]
    labels = dep["metadata"]["labels"]
    assert labels["app.kubernetes.io/part-of"] == "nemo-entitystore-service"
    pod = dep["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["initContainers"]] == [
        "wait-for-postgres", "entitystore-db-migration"]
    main = pod["containers"][0]
    assert main["name"] == "nemoentitystore-sample-ctr"
    assert main["ports"] == [{"name": "api", "containerPort": 8000, "protocol": "TCP"}]
    env = _env(main)
    assert env["BASE_URL_DATASTORE"] == "http://nemodatastore-sample.nimop-demo.svc:8000/v1/hf"
    assert env["APP_VERSION"] == "25.08"
    assert env["POSTGRES_PASSWORD"] == {"secretKeyRef": {
        "name": "entity-store-pg-existing-secret", "key": "password"}}
    # the pod never calls the Kubernetes API: no Role, no token
    assert pod["automountServiceAccountToken"] is False
    assert r.find("Role") is None


def test_user_env_overrides_the_operators() -> None:
    r = render_nemoentitystore(_entitystore(env=[{"name": "APP_VERSION", "value": "x"}]))
    assert _env(_main(r))["APP_VERSION"] == "x"


def test_every_container_is_restricted() -> None:
    for r in (render_nemoentitystore(_entitystore()), render_nemodatastore(_datastore()),
              _render_guardrail(_guardrail(), nim_service=_nim())):
        pod = _deployment(r)["spec"]["template"]["spec"]
        assert pod["securityContext"]["runAsNonRoot"] is True
        assert pod["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
        for ctr in pod.get("initContainers", []) + pod["containers"]:
            assert ctr["securityContext"]["capabilities"] == {"drop": ["ALL"]}, ctr["name"]
            assert ctr["securityContext"]["allowPrivilegeEscalation"] is False


def test_shared_exposure_hpa_and_service_monitor() -> None:
    cr = _entitystore(
        replicas=None, scale={"enabled": True, "hpa": {"maxReplicas": 3}},
        metrics={"enabled": True, "serviceMonitor": {"interval": "30s"}},
        expose={"service": {"port": 9000},
                "router": {"hostDomainName": "example.com",
                           "ingress": {"ingressClass": "nginx"}}},
    )  # fmt: skip
    r = render_nemoentitystore(cr, ClusterFacts(service_monitor=True))
    assert r.ok, r.problems
    assert r.find("HorizontalPodAutoscaler")["spec"]["maxReplicas"] == 3  # type: ignore[index]
    assert "replicas" not in _deployment(r)["spec"]
    sm = r.find("ServiceMonitor")
    assert sm is not None
    assert sm["spec"]["endpoints"] == [{"path": "/metrics", "port": "api", "interval": "30s"}]
    # it must select the Service (it selected by the pod selector's `app` label, which the
    # Service does not carry, so Prometheus scraped nothing)
    service_labels = r.find("Service")["metadata"]["labels"]  # type: ignore[index]
    assert sm["spec"]["selector"]["matchLabels"].items() <= service_labels.items()
    ingress = r.find("Ingress")
    assert ingress is not None
    assert ingress["spec"]["rules"][0]["host"] == "nemoentitystore-sample.nemo.example.com"
    assert r.find("Service")["spec"]["ports"] == [  # type: ignore[index]
        {"name": "api", "port": 9000, "targetPort": "api", "protocol": "TCP"}]


def test_legacy_nemo_ingress_uses_its_own_shape() -> None:
    cr = _entitystore(expose={"ingress": {"enabled": True, "spec": {
        "ingressClassName": "nginx", "host": "es.example.com",
        "paths": [{"path": "/v1"}]}}})  # fmt: skip
    ingress = render_nemoentitystore(cr).find("Ingress")
    assert ingress is not None
    assert ingress["spec"]["ingressClassName"] == "nginx"
    rule = ingress["spec"]["rules"][0]
    assert rule["host"] == "es.example.com"
    assert rule["http"]["paths"][0]["path"] == "/v1"
    assert rule["http"]["paths"][0]["pathType"] == "Prefix"


def test_datastore_children_volumes_and_init_containers() -> None:
    r = render_nemodatastore(_datastore())
    assert r.ok
    pvc = r.find("PersistentVolumeClaim", "pvc-shared-data")
    assert pvc is not None and pvc["spec"]["resources"]["requests"]["storage"] == "10Gi"
    pod = _deployment(r)["spec"]["template"]["spec"]
    assert [c["name"] for c in pod["initContainers"]] == [
        "init-directories", "init-app-ini", "configure-datastore"]
    assert pod["containers"][0]["ports"][0]["containerPort"] == 3000
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["data"] == {"name": "data",
                               "persistentVolumeClaim": {"claimName": "pvc-shared-data"}}
    assert pod["securityContext"]["fsGroup"] == 1000
    assert _deployment(r)["spec"]["selector"]["matchLabels"] == {
        "app.kubernetes.io/name": "nemodatastore-sample",
        "app.kubernetes.io/instance": "nemodatastore-sample"}


def test_bug9_datastore_without_pvc_uses_an_empty_dir() -> None:
    """§9 item 9: upstream looked up `<name>-pvc` even without `spec.pvc` and failed."""
    r = render_nemodatastore(_datastore(pvc=None))
    assert r.ok
    assert r.find("PersistentVolumeClaim") is None
    volumes = {v["name"]: v for v in _deployment(r)["spec"]["template"]["spec"]["volumes"]}
    assert volumes["data"] == {"name": "data", "emptyDir": {}}


def test_bug27_minio_location_once_and_scripts_executable() -> None:
    """§9 item 27: `GITEA__LFS__MINIO_LOCATION` twice, secret mode decimal 110 (= 0156)."""
    pod = _deployment(render_nemodatastore(_datastore()))["spec"]["template"]["spec"]
    for ctr in pod["initContainers"]:
        names = [e["name"] for e in ctr["env"]]
        assert names.count("GITEA__LFS__MINIO_LOCATION") == 1
        assert len(names) == len(set(names)), ctr["name"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["init"]["secret"]["defaultMode"] == 0o555
    assert volumes["config"]["secret"]["defaultMode"] == 0o555


def test_guardrail_resolves_the_referenced_nimservice() -> None:
    r = _render_guardrail(_guardrail(), nim_service=_nim(port=9000))
    assert r.ok, r.problems
    env = _env(_main(r))
    assert env["NIM_ENDPOINT_URL"] == "http://meta-llama-3-2-1b-instruct.nemo.svc:9000/v1"
    volumes = {v["name"]: v for v in _deployment(r)["spec"]["template"]["spec"]["volumes"]}
    assert volumes["config-store"]["configMap"] == {"name": "guardrail-config-store"}


def test_guardrail_waits_for_a_missing_nimservice() -> None:
    r = _render_guardrail(_guardrail(), nim_service=None)
    assert [p.reason for p in r.problems] == ["NIMServiceNotFound"]
    assert not r.problems[0].failed
    assert r.find("Deployment") is None
    assert r.find("Service") is not None


def test_guardrail_reports_a_nimservice_that_is_not_ready() -> None:
    r = _render_guardrail(_guardrail(), nim_service=_nim(state="NotReady"))
    assert [p.reason for p in r.problems] == ["NIMServiceNotReady"]
    assert "NotReady" in r.problems[0].message
    assert _env(_main(r))["NIM_ENDPOINT_URL"].endswith(".nemo.svc:8000/v1")


def test_guardrail_base_url_is_used_verbatim() -> None:
    cr = _guardrail(nimEndpoint={"baseURL": "https://integrate.api.nvidia.com/v1",
                                 "apiKeySecret": "nim-key"})
    r = _render_guardrail(cr)
    env = _env(_main(r))
    assert env["NIM_ENDPOINT_URL"] == "https://integrate.api.nvidia.com/v1"
    assert env["NIM_ENDPOINT_API_KEY"] == {"secretKeyRef": {
        "name": "nim-key", "key": "NIM_ENDPOINT_API_KEY"}}


def test_bug10_created_config_store_pvc_is_mounted_by_its_name() -> None:
    """§9 item 10: upstream mounted `configStore.pvc.name` verbatim (empty when created
    without a name) while it created `<name>-pvc`."""
    cr = _guardrail(configStore={"pvc": {"create": True, "size": "1Gi"}})
    r = _render_guardrail(cr, nim_service=_nim())
    pvc = r.find("PersistentVolumeClaim")
    assert pvc is not None and pvc["metadata"]["name"] == "nemoguardrails-sample-pvc"
    pod = _deployment(r)["spec"]["template"]["spec"]
    volumes = {v["name"]: v for v in pod["volumes"]}
    assert volumes["config-store"]["persistentVolumeClaim"]["claimName"] == (
        "nemoguardrails-sample-pvc")
    mount = next(m for m in pod["containers"][0]["volumeMounts"] if m["name"] == "config-store")
    assert mount == {"name": "config-store", "mountPath": "/config-store",
                     "subPath": "guardrails-config-store"}


def test_bug10_no_config_store_is_an_empty_directory() -> None:
    """§9 item 10: upstream dereferenced `configStore.pvc` when neither store was given."""
    r = _render_guardrail(_guardrail(configStore=None), nim_service=_nim())
    assert r.ok
    volumes = {v["name"]: v for v in _deployment(r)["spec"]["template"]["spec"]["volumes"]}
    assert volumes["config-store"] == {"name": "config-store", "emptyDir": {}}


def test_bug10_namespace_is_defined_before_otel_refers_to_it() -> None:
    """§9 item 10: `OTEL_RESOURCE_ATTRIBUTES` used `$(NAMESPACE)`, never defined."""
    cr = _guardrail(otel={"enabled": True, "exporterOtlpEndpoint": "http://otel:4317"})
    names = [e["name"] for e in _main(_render_guardrail(cr, nim_service=_nim()))["env"]]
    assert names.index("NAMESPACE") < names.index("OTEL_RESOURCE_ATTRIBUTES")
    env = _env(_main(_render_guardrail(cr, nim_service=_nim())))
    assert env["OTEL_EXPORTER_OTLP_ENDPOINT"] == "http://otel:4317"
    assert env["OTEL_PYTHON_EXCLUDED_URLS"] == "health"


def test_otel_off_disables_the_sdk() -> None:
    env = _env(_main(_render_guardrail(_guardrail(), nim_service=_nim())))
    assert env["OTEL_SDK_DISABLED"] == "true"
    assert "OTEL_EXPORTER_OTLP_ENDPOINT" not in env


@pytest.mark.parametrize("container", ["nemoguardrails-sample-ctr", "guardrail-db-migration"])
def test_bug46_database_uri_has_no_plaintext_password(container: str) -> None:
    """§9 item 46: upstream wrote the URI with the plaintext password into a Secret it owned.
    Here no Secret is rendered and Kubernetes substitutes the password reference."""
    r = _render_guardrail(_guardrail(), nim_service=_nim())
    assert r.find("Secret") is None
    pod = _deployment(r)["spec"]["template"]["spec"]
    ctr = next(c for c in pod["containers"] + pod["initContainers"] if c["name"] == container)
    names = [e["name"] for e in ctr["env"]]
    env = _env(ctr)
    uri = ("postgresql://guardrailuser:$(POSTGRES_DB_PASSWORD)@"
           "guardrail-pg-postgresql.nimop-demo.svc.cluster.local:5432/guardraildb")
    assert env["POSTGRES_URI"] == uri and env["DB_URI"] == uri
    assert names.index("POSTGRES_DB_PASSWORD") < names.index("POSTGRES_URI")
    assert env["POSTGRES_DB_PASSWORD"] == {"secretKeyRef": {
        "name": "guardrail-pg-existing-secret", "key": "password"}}


def test_guardrail_without_database_has_no_migration() -> None:
    r = _render_guardrail(_guardrail(databaseConfig=None), nim_service=_nim())
    pod = _deployment(r)["spec"]["template"]["spec"]
    assert "initContainers" not in pod
    assert "POSTGRES_URI" not in _env(pod["containers"][0])


def test_rendering_is_deterministic_and_owned() -> None:
    a = render_nemodatastore(_datastore())
    b = render_nemodatastore(_datastore())
    assert a.objects == b.objects
    for obj in a.objects:
        ref = obj["metadata"]["ownerReferences"][0]
        assert ref["kind"] == "NemoDatastore" and ref["controller"] is True
        assert obj["metadata"]["labels"]["app.kubernetes.io/managed-by"] == "nimop"
