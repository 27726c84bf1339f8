"""What the scenario creates: a namespace, a kwok node of its own, a NIMCache, NIMServices.

The shared cluster has 5 kwok nodes of 110 pods and 32 GPUs in all — other people's tests
use them too — so N = 1,000 NIMServices with one pod each cannot fit there. Each run brings
its own simulated node (no GPUs, `pods` capacity N + 50, tainted so nothing else lands on it)
and its NIMServices request no GPU and tolerate the taint. The operator's work per
NIMService is the same with or without a GPU request; the scheduler's is the same too.
"""

from __future__ import annotations

from typing import Any

GROUP_VERSION = "apps.nvidia.com/v1alpha1"
TAINT_KEY = "nimop.dev/bench"
IMAGE = "nvcr.io/nim/meta/llama-3.1-8b-instruct"
TAG = "1.8.4"
PROFILE = "8835c31752fbc67ef658b20a9f78e056914fdef0660206d82f252d62fd96064d"
Manifest = dict[str, Any]


def namespace(name: str) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "Namespace",
        "metadata": {"name": name, "labels": {TAINT_KEY: "true"}},
    }


def node(name: str, pods: int) -> Manifest:
    capacity = {"cpu": "1000", "memory": "4Ti", "pods": str(pods)}
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": {
                "type": "kwok",
                "kubernetes.io/hostname": name,
                "kubernetes.io/os": "linux",
                "kubernetes.io/arch": "amd64",
                TAINT_KEY: name,
            },
        },
        "spec": {"taints": [{"key": TAINT_KEY, "value": name, "effect": "NoSchedule"}]},
        "status": {"capacity": capacity, "allocatable": capacity},
    }


def nimcache(ns: str, name: str) -> Manifest:
    """NGC source with explicit profiles, so no manifest probe is needed."""
    return {
        "apiVersion": GROUP_VERSION,
        "kind": "NIMCache",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "source": {
                "ngc": {
                    "modelPuller": f"{IMAGE}:{TAG}",
                    "pullSecret": "ngc-secret",
                    "authSecret": "ngc-api-secret",
                    "model": {"profiles": [PROFILE]},
                }
            },
            "storage": {
                "pvc": {"create": True, "size": "10Gi", "volumeAccessMode": "ReadWriteMany"}
            },
        },
    }


def nimservice(ns: str, name: str, cache: str, node_name: str) -> Manifest:
    return {
        "apiVersion": GROUP_VERSION,
        "kind": "NIMService",
        "metadata": {"name": name, "namespace": ns},
        "spec": {
            "image": {"repository": IMAGE, "tag": TAG, "pullSecrets": ["ngc-secret"]},
            "authSecret": "ngc-api-secret",
            "storage": {"nimCache": {"name": cache}},
            "replicas": 1,
            "resources": {},
            "nodeSelector": {TAINT_KEY: node_name},
            "tolerations": [
                {"key": TAINT_KEY, "operator": "Equal", "value": node_name, "effect": "NoSchedule"}
            ],
            "expose": {"service": {"type": "ClusterIP", "port": 8000}},
        },
    }


def update_patch(stamp: str) -> Manifest:
    """The spec change of the update phase: one env var (a new pod template)."""
    return {"spec": {"env": [{"name": "BENCH_UPDATE", "value": stamp}]}}
