"""The NIMPipeline-style NeMo scenario of docs/nemo-platform.md: a NIMService, a NemoEntitystore,
a NemoDatastore, a NemoCustomizer and a NemoEvaluator wired by their endpoints, all Ready, and
every endpoint one of them points at is a Service another one runs."""

from __future__ import annotations

from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import yaml

from tests.cluster import Cluster
from tests.e2e.crs import wait_state
from tests.operator_process import OperatorProcess
from tests.support import get

EXAMPLE = Path(__file__).resolve().parents[2] / "api" / "examples" / "nemo-platform.yaml"
PLURAL = {"NIMService": "nimservice", "NemoDatastore": "nemodatastore",
          "NemoEntitystore": "nemoentitystore", "NemoCustomizer": "nemocustomizer",
          "NemoEvaluator": "nemoevaluator"}


def endpoints(docs: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """(who, URL) of every store endpoint and the NIM's LoRA source."""
    out: list[tuple[str, str]] = []
    for doc in docs:
        spec, who = doc.get("spec") or {}, doc["metadata"]["name"]
        for key in ("datastore", "entitystore"):
            if isinstance(spec.get(key), dict):
                out.append((f"{who}.{key}", spec[key]["endpoint"]))
        out += [(f"{who}.env.{e['name']}", e["value"]) for e in spec.get("env") or []
                if e["name"] == "NIM_PEFT_SOURCE"]
    return out


def test_platform_is_wired_and_ready(
    cluster: Cluster, namespace: str, operator: OperatorProcess
) -> None:
    docs = [d for d in yaml.safe_load_all(EXAMPLE.read_text()) if d]
    cluster.kubectl("apply", "--server-side", "-n", namespace, "-f", str(EXAMPLE))
    crs = [d for d in docs if d["kind"] in PLURAL]
    assert sorted(d["kind"] for d in crs) == sorted(PLURAL)
    for doc in crs:
        obj = wait_state(cluster, PLURAL[doc["kind"]], doc["metadata"]["name"], namespace,
                         "Ready", timeout=180)
        assert obj["status"]["state"] == "Ready"

    wired = endpoints(docs)
    assert len(wired) == 6
    for who, url in wired:
        parts = urlsplit(url)
        host = parts.hostname or ""
        svc = get(cluster, "service", host, namespace)
        assert svc is not None, f"{who} points at {url}, but no Service {host} runs"
        assert parts.port in {p["port"] for p in svc["spec"]["ports"]}, (who, url)

    cfg = yaml.safe_load(
        (get(cluster, "configmap", "platform-customizer", namespace) or {})["data"]["config.yaml"]
    )
    assert cfg["entity_store_url"] == "http://platform-entitystore:8000"
    assert cfg["nemo_data_store_url"] == "http://platform-datastore:8000"
