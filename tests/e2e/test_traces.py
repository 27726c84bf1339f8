"""Traces reach a collector: `nimop run` with the standard OTEL_* variables exports one span
per reconcile over OTLP/HTTP to a receiver on loopback; the span carries the child writes as
events, and the log lines of that reconcile carry its trace and span ids."""

from __future__ import annotations

import json
from typing import Any

import yaml

from tests.cluster import Cluster
from tests.operator_process import OperatorProcess, install_crds
from tests.otlp_receiver import OtlpReceiver
from tests.support import eventually

SERVICE = """\
apiVersion: apps.nvidia.com/v1alpha1
kind: NIMService
metadata: {name: traced, namespace: %s}
spec:
  image: {repository: nvcr.io/nim/meta/llama-3.2-1b-instruct, tag: "1.12.0"}
  authSecret: ngc-api-secret
  storage: {emptyDir: {}}
  expose: {service: {port: 8000}}
"""


def reconcile_with_writes(receiver: OtlpReceiver) -> list[dict[str, Any]]:
    return [s for s in receiver.spans() if s["name"] == "reconcile"
            and s["attributes"].get("name") == "traced" and s["events"]]  # fmt: skip


def test_reconcile_spans_reach_an_otlp_receiver(cluster: Cluster, namespace: str) -> None:
    install_crds(cluster)
    with OtlpReceiver() as receiver:
        env = {"NIMOP_NAMESPACES": namespace, "NIMOP_LOG_LEVEL": "debug",
               "OTEL_EXPORTER_OTLP_ENDPOINT": receiver.endpoint,
               "OTEL_BSP_SCHEDULE_DELAY": "200", "OTEL_SERVICE_NAME": "nimop-e2e"}  # fmt: skip
        op = OperatorProcess(cluster, env=env).start()
        try:
            cluster.apply(list(yaml.safe_load_all(SERVICE % namespace)))
            spans = eventually(lambda: reconcile_with_writes(receiver), timeout=90,
                               what="a reconcile span with write events")  # fmt: skip
        finally:
            op.stop()
    span = spans[0]
    assert span["path"] == "/v1/traces"
    assert span["resource"]["service.name"] == "nimop-e2e"
    assert span["attributes"]["namespace"] == namespace
    writes = {(e["name"], e["attributes"]["k8s.resource"]) for s in spans for e in s["events"]}
    assert any(resource == "deployments.apps" for _, resource in writes), writes
    assert all(name in ("create", "apply", "patch", "update", "delete") for name, _ in writes)
    lines = [json.loads(line) for line in op.log_path.read_text().splitlines()
             if line.startswith("{")]  # fmt: skip
    traced = {(line.get("trace_id"), line.get("span_id")) for line in lines}
    assert any((s["trace_id"], s["span_id"]) in traced for s in spans), "no log line of the span"
