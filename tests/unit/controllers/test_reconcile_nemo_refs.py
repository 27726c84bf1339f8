"""What a NeMo spec names must exist, on the in-memory API: a missing Secret, Secret key,
`create: false` PVC or config-store ConfigMap is a NotReady condition naming the field, the
object and the fix — with the children still applied, no write while it stays missing, a
bounded recheck (these kinds are not watched) and recovery once it appears; an endpoint URL
naming a nimop store that is not Ready holds the service NotReady until the store's own event
wakes it; an in-cluster URL without a Service is its own condition; external URLs are not
judged."""

from __future__ import annotations

from typing import Any

from tests.unit.controllers.harness import NS, Operator, running
from tests.unit.controllers.test_reconcile_nemo import AVAILABLE, DB, PG, available, nemo


def secret(name: str, **data: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name, "namespace": NS},
            "stringData": data}  # fmt: skip


def ready(op: Operator, kind: str, name: str) -> dict[str, Any]:
    conds = op.status(kind, name).get("conditions") or []
    return next(c for c in conds if c["type"] == "Ready")


async def tick(op: Operator, seconds: int, step: int = 5) -> None:
    """Let `seconds` pass in steps, so each requeue fires in its turn."""
    for _ in range(seconds // step):
        await op.advance(step)


def secret_gets(op: Operator) -> list[str]:
    return [str(r.name) for r, _ in op.twin.requests
            if r.resource == "secrets" and r.verb == "get"]  # fmt: skip


async def test_missing_database_secret_is_a_condition_then_recovers() -> None:
    async with running() as op:
        await op.put(nemo("NemoEntitystore", "es", databaseConfig=DB))
        assert op.names("Deployment") == ["es"]  # applied anyway: the pod waits for the Secret
        await available(op, "es")
        assert op.status("NemoEntitystore", "es")["state"] == "NotReady"
        cond = ready(op, "NemoEntitystore", "es")
        assert cond["reason"] == "SecretNotFound"
        assert "Secret pg (spec.databaseConfig.credentials.secretName) not found" in (
            cond["message"])
        assert "kubectl create secret generic pg -n team --from-literal=password=" in (
            cond["message"])
        # no write loop while it stays missing, but rechecks by name on a bounded backoff
        op.forget()
        await tick(op, 600)
        assert op.writes() == []
        gets = secret_gets(op)
        assert set(gets) == {"pg"} and 6 <= len(gets) <= 15  # 5,10,20,40,60,60… s
        # the Secret appears: the next recheck (≤ 1 min) finds it
        op.twin.create(PG)
        await op.advance(60)
        assert op.status("NemoEntitystore", "es")["state"] == "Ready"
        op.forget()
        await op.advance(3600)
        assert op.writes() == [] and secret_gets(op) == []  # Ready: nothing polled


async def test_secret_without_the_named_key() -> None:
    async with running(objects=[secret("pg", pass_word="x")]) as op:
        await op.put(nemo("NemoEntitystore", "es", databaseConfig=DB))
        await available(op, "es")
        cond = ready(op, "NemoEntitystore", "es")
        assert cond["reason"] == "SecretNotFound"
        assert "Secret pg (spec.databaseConfig.credentials.secretName) has no key 'password'" in (
            cond["message"])


DATASTORE_SECRETS = {"giteaAdminSecret": "admin", "lfsJwtSecret": "jwt",
                     "datastoreInitSecret": "init", "datastoreConfigSecret": "config",
                     "datastoreInlineConfigSecret": "inline"}  # fmt: skip


async def test_datastore_lists_every_missing_secret_and_its_existing_pvc() -> None:
    async with running(objects=[PG]) as op:
        await op.put(nemo("NemoDatastore", "ds", databaseConfig=DB, secrets=DATASTORE_SECRETS,
                          pvc={"name": "shared", "create": False}))
        await available(op, "ds")
        cond = ready(op, "NemoDatastore", "ds")
        assert cond["reason"] == "SecretNotFound"
        for field, name in DATASTORE_SECRETS.items():
            assert f"Secret {name} (spec.secrets.{field})" in cond["message"]
        for obj in (secret("admin", GITEA_ADMIN_PASSWORD="p"), secret("jwt", jwtSecret="j"),
                    secret("init"), secret("config"), secret("inline")):
            op.twin.create(obj)
        await op.advance(60)
        cond = ready(op, "NemoDatastore", "ds")
        assert cond["reason"] == "PVCNotFound"
        assert cond["message"].startswith(
            "PersistentVolumeClaim shared (spec.pvc.name) not found: create it, or set "
            "create: true")
        claims = [r for r, _ in op.twin.requests
                  if r.resource == "persistentvolumeclaims" and r.name]  # fmt: skip
        assert {(r.verb, r.name) for r in claims} == {("get", "shared")}  # by name
        op.twin.create({"apiVersion": "v1", "kind": "PersistentVolumeClaim",
                        "metadata": {"name": "shared", "namespace": NS},
                        "spec": {"accessModes": ["ReadWriteOnce"],
                                 "resources": {"requests": {"storage": "1Gi"}}}})  # fmt: skip
        await op.advance(60)
        assert op.status("NemoDatastore", "ds")["state"] == "Ready"


async def test_guardrail_api_key_secret_and_config_store_configmap() -> None:
    async with running() as op:
        await op.put(nemo("NemoGuardrail", "rails",
                          nimEndpoint={"baseURL": "https://integrate.api.nvidia.com/v1",
                                       "apiKeySecret": "nim-key"},
                          configStore={"configMap": {"name": "rails-config"}}))  # fmt: skip
        await available(op, "rails")
        cond = ready(op, "NemoGuardrail", "rails")
        assert cond["reason"] == "SecretNotFound"
        assert "Secret nim-key (spec.nimEndpoint.apiKeySecret) not found" in cond["message"]
        op.twin.create(secret("nim-key", NIM_ENDPOINT_API_KEY="k"))
        await op.advance(60)
        cond = ready(op, "NemoGuardrail", "rails")
        assert cond["reason"] == "ConfigMapNotFound"
        assert "ConfigMap rails-config in namespace team (spec.configStore.configMap.name)" in (
            cond["message"])
        await op.put({"apiVersion": "v1", "kind": "ConfigMap",
                      "metadata": {"name": "rails-config"}, "data": {"config.yml": "x"}})
        await op.advance(60)
        assert op.status("NemoGuardrail", "rails")["state"] == "Ready"  # external URL: not judged


def evaluator(**spec: Any) -> dict[str, Any]:
    urls = {"datastore": {"endpoint": "http://ds.team.svc:8000/v1/hf"},
            "entitystore": {"endpoint": "https://entities.example.com"},
            "vectorDB": {"endpoint": "http://milvus.example.com:19530"},
            "argoWorkflows": {"endpoint": "https://argo.example.com:2746",
                              "serviceAccount": "argo"},
            **spec}  # fmt: skip
    return nemo("NemoEvaluator", "ev", databaseConfig=DB, evaluationImages={
        "bigcodeEvalHarness": "a", "lmEvalHarness": "b", "similarityMetrics": "c",
        "llmAsJudge": "d", "mtBench": "e", "retriever": "f", "rag": "g", "bfcl": "h",
        "agenticEval": "i"}, **urls)


async def test_url_naming_a_datastore_waits_for_it_and_is_woken_by_it() -> None:
    async with running(objects=[PG, *(secret(n, GITEA_ADMIN_PASSWORD="p", jwtSecret="j")
                                      for n in DATASTORE_SECRETS.values())]) as op:
        await op.put(nemo("NemoDatastore", "ds", databaseConfig=DB, secrets=DATASTORE_SECRETS))
        await op.put(evaluator())
        await available(op, "ev")
        cond = ready(op, "NemoEvaluator", "ev")
        assert cond["reason"] == "NemoDatastoreNotReady"
        assert cond["message"].startswith(
            "spec.datastore.endpoint (http://ds.team.svc:8000/v1/hf) is NemoDatastore team/ds, "
            "which is not Ready (state: ")
        await available(op, "ds")  # the data store becomes Ready: its event wakes the evaluator
        assert op.status("NemoDatastore", "ds")["state"] == "Ready"
        assert op.status("NemoEvaluator", "ev")["state"] == "Ready"


async def test_in_cluster_url_without_a_service_is_its_own_condition() -> None:
    async with running(objects=[PG]) as op:
        await op.put(evaluator(vectorDB={"endpoint": "http://milvus.team.svc.cluster.local:19530"}))
        await available(op, "ev")
        status = op.status("NemoEvaluator", "ev")
        found = next(c for c in status["conditions"] if c["type"] == "EndpointsFound")
        assert status["state"] == "Ready"  # the service runs; the endpoint may come later
        assert (found["status"], found["reason"]) == ("False", "ServiceNotFound")
        assert "Service milvus in namespace team (spec.vectorDB.endpoint " in found["message"]
        assert "Service ds in namespace team (spec.datastore.endpoint " in found["message"]
        op.forget()
        await tick(op, 600)
        assert op.writes() == []
        for name in ("milvus", "ds"):
            op.twin.create({"apiVersion": "v1", "kind": "Service",
                            "metadata": {"name": name, "namespace": NS},
                            "spec": {"ports": [{"port": 80}]}})  # fmt: skip
        await op.advance(60)
        found = next(c for c in op.status("NemoEvaluator", "ev")["conditions"]
                     if c["type"] == "EndpointsFound")  # fmt: skip
        assert (found["status"], found["reason"]) == ("True", "Found")


async def test_steady_state_reads_a_named_secret_only_when_it_reconciles() -> None:
    async with running(objects=[PG]) as op:
        await op.put(nemo("NemoEntitystore", "es", databaseConfig=DB))
        await available(op, "es")
        assert op.status("NemoEntitystore", "es")["state"] == "Ready"
        assert "EndpointsFound" not in {c["type"] for c in op.status(
            "NemoEntitystore", "es")["conditions"]}
        op.forget()
        await op.advance(11 * 3600)  # one resync (of the CR and of its children): no polling
        assert op.writes() == [] and set(secret_gets(op)) == {"pg"}
        assert len(secret_gets(op)) <= 2


async def test_a_secret_deleted_later_is_reported_at_the_next_reconcile() -> None:
    async with running(objects=[PG]) as op:
        await op.put(nemo("NemoEntitystore", "es", databaseConfig=DB))
        await available(op, "es")
        assert op.status("NemoEntitystore", "es")["state"] == "Ready"
        op.twin.delete("Secret", NS, "pg")
        await op.settle()  # Secrets are not watched: nothing happens yet
        assert op.status("NemoEntitystore", "es")["state"] == "Ready"
        # the next reconcile (here a child's event; at worst the resync) looks again
        await op.set_status("Deployment", "es", {**AVAILABLE, "observedGeneration": 2})
        assert ready(op, "NemoEntitystore", "es")["reason"] == "SecretNotFound"
