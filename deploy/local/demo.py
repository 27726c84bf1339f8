"""`make demo`: the whole product on a laptop.

A local control plane with simulated GPU nodes → nimop's CRDs → the operator (`nimop run`
against the cluster's kubeconfig, as a developer runs it) → every example in api/examples →
a live table of their states until all are Ready. Everything keeps running afterwards; stop
it with `make cluster-down`.

KServe's own controller manager runs beside the cluster in Standard mode (built once from its
Go module, tests/cluster/kserve.py), so the Standard-mode example becomes KServe's Deployment
and Service and turns Ready by KServe's hand. Knative is not run: for Knative-mode
InferenceServices only, the demo plays KServe's part (marks the predictor ready, as KServe
would once its pods run), and says so. Simulated pods
run no code either: for an engine build the demo gives the local-manifest probe pod the log a
real build leaves behind (the built profile), as the e2e tests do.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from tests.cluster import Cluster  # noqa: E402
from tests.cluster.controlplane import cri_log, kwok_logs  # noqa: E402
from tests.cluster.kserve import KServe  # noqa: E402
from tests.cluster.processes import pid_of, record  # noqa: E402
from tests.operator_process import OperatorProcess, install_crds  # noqa: E402

NAMESPACE = "nimop-demo"
KINDS = ("nimcaches", "nimservices", "nimpipelines", "nimbuilds", "nemoentitystores",
         "nemodatastores", "nemoguardrails")
TIMEOUT = 600
#: Applied first: a multi-node group needs whole free GPU nodes before smaller pods spread out.
FIRST = ("multi-node.yaml",)
PREREQUISITES: list[dict[str, Any]] = [
    {  # the ResourceClaim api/examples/dra-claim.yaml shares between services
        "apiVersion": "resource.k8s.io/v1",
        "kind": "ResourceClaim",
        "metadata": {"name": "gpu-claim"},
        "spec": {
            "devices": {
                "requests": [{"name": "gpu", "exactly": {"deviceClassName": "gpu.nvidia.com"}}]
            }
        },
    },
]


def start_operator(cluster: Cluster) -> None:
    if pid_of("nimop-demo", cluster.layout.pids) is not None:
        print("operator: already running (reused)")
        return
    op = OperatorProcess(cluster, attached=False, log_path=cluster.layout.logs / "nimop-demo.log")
    op.start()
    assert op.proc is not None
    record("nimop-demo", op.proc.pid, str(op.proc.args[0]), cluster.layout.pids)
    print(f"operator: nimop run (pid {op.proc.pid}), log {op.log_path}")


def apply_examples(cluster: Cluster) -> None:
    cluster.kubectl("create", "namespace", NAMESPACE, check=False)
    docs = yaml.safe_dump_all(PREREQUISITES)
    cluster.kubectl("apply", "--server-side", "-n", NAMESPACE, "-f", "-", input=docs)
    files = sorted(
        (ROOT / "api" / "examples").glob("*.yaml"), key=lambda p: (p.name not in FIRST, p.name)
    )
    for path in files:
        cluster.kubectl("apply", "--server-side", "-n", NAMESPACE, "-f", str(path))
        if path.name in FIRST:
            time.sleep(5)
    print(f"applied {len(files)} example files to namespace {NAMESPACE}")


def play_engine_builds(cluster: Cluster) -> None:
    """Each example NIMBuild's local-manifest probe "prints" a manifest with its built profile."""
    for path in sorted((ROOT / "api" / "examples").glob("*.yaml")):
        for doc in yaml.safe_load_all(path.read_text()):
            if not doc or doc.get("kind") != "NIMBuild":
                continue
            name = doc["metadata"]["name"]
            model = doc["spec"].get("modelName") or name
            manifest = {
                f"{name}-built": {
                    "model": model,
                    "release": "local",
                    "tags": {
                        "llm_engine": "tensorrt_llm",
                        "precision": "bf16",
                        "tp": "1",
                        "model_name": model,
                        "gpu": "H100",
                    },
                }
            }
            log = cluster.layout.state / f"{name}-local-manifest.log"
            log.write_text(cri_log(yaml.safe_dump(manifest)))
            pod = f"{name}-local-manifest-pod"
            cluster.apply([kwok_logs("Logs", pod, NAMESPACE, "nim-build-manifest-ctr", log)])


def rows(cluster: Cluster) -> list[tuple[str, str, str, str]]:
    out = cluster.kubectl("get", ",".join(KINDS), "-n", NAMESPACE, "-o", "json").stdout
    table = []
    for obj in json.loads(out)["items"]:
        status = obj.get("status") or {}
        ready = next((c for c in status.get("conditions") or () if c.get("type") == "Ready"), {})
        table.append(
            (
                obj["kind"],
                obj["metadata"]["name"],
                status.get("state") or "-",
                ready.get("reason") or "",
            )
        )
    return sorted(table)


#: Knative-mode spellings: KServe's controller cannot serve these here (no Knative).
KNATIVE_MODES = ("Serverless", "Knative")


def play_kserve(cluster: Cluster) -> None:
    """Mark Knative-mode InferenceServices ready with their URLs, as KServe would with Knative;
    Standard-mode ones are KServe's own controller's."""
    out = cluster.kubectl("get", "inferenceservices", "-n", NAMESPACE, "-o", "json").stdout
    for isvc in json.loads(out)["items"]:
        mode = (isvc["metadata"].get("annotations") or {}).get("serving.kserve.io/deploymentMode")
        if mode not in KNATIVE_MODES or (isvc.get("status") or {}).get("conditions"):
            continue
        name = isvc["metadata"]["name"]
        status = {
            "conditions": [
                {"type": "PredictorReady", "status": "True"},
                {"type": "Ready", "status": "True"},
            ],
            "address": {"url": f"http://{name}-predictor.{NAMESPACE}.svc.cluster.local"},
            "url": f"http://{name}.{NAMESPACE}.example.com",
        }
        cluster.kubectl(
            "patch",
            "inferenceservice",
            name,
            "-n",
            NAMESPACE,
            "--subresource=status",
            "--type=merge",
            "-p",
            json.dumps({"status": status}),
        )


def show(table: list[tuple[str, str, str, str]], elapsed: float) -> None:
    ready = sum(1 for r in table if r[2] == "Ready")
    width = max((len(r[1]) for r in table), default=10)
    lines = [f"{'KIND':<12} {'NAME':<{width}} {'STATE':<11} REASON"]
    lines += [f"{k:<12} {n:<{width}} {s:<11} {r}" for k, n, s, r in table]
    bar = "#" * int(30 * ready / max(len(table), 1))
    lines.append(f"[{bar:<30}] {ready}/{len(table)} Ready after {elapsed:.0f}s")
    if sys.stdout.isatty():
        print("\033[2J\033[H" + "\n".join(lines), flush=True)
    elif ready != getattr(show, "last", None):  # a log: one line per change
        show.last = ready  # type: ignore[attr-defined]
        print(lines[-1], flush=True)


def watch(cluster: Cluster) -> bool:
    start = time.monotonic()
    table = rows(cluster)
    while time.monotonic() - start < TIMEOUT:
        play_kserve(cluster)
        table = rows(cluster)
        show(table, time.monotonic() - start)
        if table and all(r[2] == "Ready" for r in table):
            return True
        time.sleep(2)
    print("\n".join(f"{k} {n}: {s} {r}" for k, n, s, r in table if s != "Ready"))
    return False


def main() -> int:
    cluster = Cluster().up(attached=False)
    print(f"local cluster: {cluster.server}")
    install_crds(cluster)
    KServe(cluster).start(attached=False)
    print("KServe: its controller manager runs (Standard mode)")
    start_operator(cluster)
    apply_examples(cluster)
    play_engine_builds(cluster)
    all_ready = watch(cluster)
    print(cluster.kubectl("get", ",".join(KINDS), "-n", NAMESPACE).stdout)
    print("KServe's own controller ran the Standard-mode InferenceService; the demo played it")
    print("only for Knative mode (Knative is not run here), and gave the engine build's")
    print("manifest probe the log a real build leaves behind.")
    print("Look around:")
    print(f"  export KUBECONFIG={cluster.kubeconfig}")
    print(f"  export PATH={cluster.bin_dir}:$PATH   # kubectl of the same release")
    print(f"  kubectl get {','.join(KINDS)} -n {NAMESPACE}")
    print(f"  kubectl get deploy,lws,isvc,resourceclaims,pods -n {NAMESPACE}")
    print("  kubectl get nodes,resourceslices")
    print(f"  operator log: {cluster.layout.logs / 'nimop-demo.log'}")
    print("Stop everything with: make cluster-down")
    return 0 if all_ready else 1


if __name__ == "__main__":
    raise SystemExit(main())
