"""What the local cluster holds before any test runs: simulated GPU nodes, DRA devices,
storage, and the CRDs of the external APIs nimop renders against.

Node labels mirror what the NVIDIA GPU operator and Node Feature Discovery put on real GPU
nodes; ResourceSlices mirror what the NVIDIA DRA driver (driver `gpu.nvidia.com`) publishes,
so the real kube-scheduler allocates ResourceClaims exactly as it would on hardware.
"""

from __future__ import annotations

from typing import Any

Manifest = dict[str, Any]

GPU_NODES = 4
GPUS_PER_NODE = 8
MIG_NODE = "kwok-gpu-3"
#: GPUs on the MIG node that are partitioned into MIG devices (7 x 1g.10gb each).
MIG_PARENTS = (6, 7)
MIG_SLICES_PER_GPU = 7
CPU_NODE = "kwok-cpu-0"
GPU_PRODUCT = "NVIDIA-H100-80GB-HBM3"
#: what the DRA driver publishes as `productName` (the node label uses dashes)
GPU_PRODUCT_NAME = "NVIDIA H100 80GB HBM3"
DRIVER = "gpu.nvidia.com"
#: Label that makes kwok fail a pod on purpose (see kwok_stages.py).
FAIL_LABEL = "nimop.test/fail"
STORAGE_CLASS = "standard"


def gpu_node_names() -> list[str]:
    return [f"kwok-gpu-{i}" for i in range(GPU_NODES)]


def nodes() -> list[Manifest]:
    return [_gpu_node(n) for n in gpu_node_names()] + [_cpu_node()]


def _node(name: str, labels: dict[str, str], capacity: dict[str, str]) -> Manifest:
    base = {
        "type": "kwok",
        "kubernetes.io/hostname": name,
        "kubernetes.io/os": "linux",
        "kubernetes.io/arch": "amd64",
    }
    return {
        "apiVersion": "v1",
        "kind": "Node",
        "metadata": {
            "name": name,
            "annotations": {"kwok.x-k8s.io/node": "fake", "node.alpha.kubernetes.io/ttl": "0"},
            "labels": base | labels,
        },
        "status": {"capacity": capacity, "allocatable": capacity},
    }


def _gpu_node(name: str) -> Manifest:
    labels = {
        "nvidia.com/gpu.present": "true",
        "nvidia.com/gpu.product": GPU_PRODUCT,
        "nvidia.com/gpu.count": str(GPUS_PER_NODE),
        "nvidia.com/gpu.memory": "81559",
        "nvidia.com/gpu.family": "hopper",
        "nvidia.com/cuda.driver.major": "570",
        "nvidia.com/mig.capable": "true",
        "feature.node.kubernetes.io/pci-10de.present": "true",
        "node-role.kubernetes.io/worker": "",
    }
    if name == MIG_NODE:
        labels["nvidia.com/mig.strategy"] = "mixed"
    # ephemeral-storage as every real node reports it (pods may limit it, e.g. NeMo samples)
    capacity = {"cpu": "96", "memory": "1Ti", "pods": "110", "ephemeral-storage": "1Ti",
                "nvidia.com/gpu": str(GPUS_PER_NODE)}
    return _node(name, labels, capacity)


def _cpu_node() -> Manifest:
    return _node(
        CPU_NODE,
        {"node-role.kubernetes.io/worker": ""},
        {"cpu": "32", "memory": "128Gi", "pods": "110", "ephemeral-storage": "500Gi"},
    )


def device_classes() -> list[Manifest]:
    return [_device_class("gpu.nvidia.com", "gpu"), _device_class("mig.nvidia.com", "mig")]


def _device_class(name: str, device_type: str) -> Manifest:
    cel = f"device.driver == '{DRIVER}' && device.attributes['{DRIVER}'].type == '{device_type}'"
    return {
        "apiVersion": "resource.k8s.io/v1",
        "kind": "DeviceClass",
        "metadata": {"name": name},
        "spec": {"selectors": [{"cel": {"expression": cel}}]},
    }


def resource_slices() -> list[Manifest]:
    return [_resource_slice(n) for n in gpu_node_names()]


def _resource_slice(node: str) -> Manifest:
    whole = [i for i in range(GPUS_PER_NODE) if node != MIG_NODE or i not in MIG_PARENTS]
    devices = [_gpu_device(node, i) for i in whole]
    if node == MIG_NODE:
        devices += [_mig_device(node, p, s) for p in MIG_PARENTS for s in range(MIG_SLICES_PER_GPU)]
    return {
        "apiVersion": "resource.k8s.io/v1",
        "kind": "ResourceSlice",
        "metadata": {"name": f"{node}-{DRIVER}"},
        "spec": {
            "driver": DRIVER,
            "nodeName": node,
            "pool": {"name": node, "generation": 1, "resourceSliceCount": 1},
            "devices": devices,
        },
    }


def _uuid(node: str, index: int) -> str:
    node_no = int(node.rsplit("-", 1)[1])
    return f"GPU-00000000-0000-4000-8000-{node_no:04d}{index:08d}"


def _common_attributes(node: str, index: int) -> dict[str, Any]:
    return {
        "productName": {"string": GPU_PRODUCT_NAME},
        "brand": {"string": "Nvidia"},
        "architecture": {"string": "Hopper"},
        "cudaComputeCapability": {"version": "9.0.0"},
        "driverVersion": {"version": "570.148.8"},
        "cudaDriverVersion": {"version": "12.8.0"},
        "resource.kubernetes.io/pciBusID": {"string": f"0000:{0x18 + index:02x}:00.0"},
    }


def _gpu_device(node: str, index: int) -> Manifest:
    attributes = {
        "type": {"string": "gpu"},
        "uuid": {"string": _uuid(node, index)},
        "index": {"int": index},
    }
    return {
        "name": f"gpu-{index}",
        "attributes": attributes | _common_attributes(node, index),
        "capacity": {"memory": {"value": "80Gi"}},
    }


def _mig_device(node: str, parent: int, slot: int) -> Manifest:
    attributes = {
        "type": {"string": "mig"},
        "uuid": {"string": f"MIG-{_uuid(node, parent)[4:]}-{slot}"},
        "parentUUID": {"string": _uuid(node, parent)},
        "parentIndex": {"int": parent},
        "profile": {"string": "1g.10gb"},
        "index": {"int": slot},
    }
    return {
        "name": f"gpu-{parent}-mig-1g10gb-{slot}",
        "attributes": attributes | _common_attributes(node, parent),
        "capacity": {"memory": {"value": "10Gi"}, "multiprocessors": {"value": "16"}},
    }


def runtime_classes() -> list[Manifest]:
    """The `nvidia` RuntimeClass the GPU operator installs (NIM pods often ask for it)."""
    return [
        {
            "apiVersion": "node.k8s.io/v1",
            "kind": "RuntimeClass",
            "metadata": {"name": "nvidia"},
            "handler": "nvidia",
        }
    ]


def storage() -> list[Manifest]:
    """The default StorageClass, served by kube-controller-manager's in-tree host-path
    provisioner (enabled with --enable-hostpath-provisioner), so PVCs bind through the real PV
    controller; plus a small static pool of pre-made RWO and RWX PersistentVolumes in class
    `pool` for tests that bind to existing volumes."""
    default = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {
            "name": STORAGE_CLASS,
            "annotations": {"storageclass.kubernetes.io/is-default-class": "true"},
        },
        "provisioner": "kubernetes.io/host-path",
        "reclaimPolicy": "Delete",
        "volumeBindingMode": "Immediate",
    }
    pool_class = {
        "apiVersion": "storage.k8s.io/v1",
        "kind": "StorageClass",
        "metadata": {"name": "pool"},
        "provisioner": "kubernetes.io/no-provisioner",
        "reclaimPolicy": "Retain",
        "volumeBindingMode": "Immediate",
    }
    pool = [_pool_volume(f"pool-rwo-{i}", "ReadWriteOnce") for i in range(10)]
    pool += [_pool_volume(f"pool-rwx-{i}", "ReadWriteMany") for i in range(10)]
    return [default, pool_class, *pool]


def _pool_volume(name: str, mode: str) -> Manifest:
    return {
        "apiVersion": "v1",
        "kind": "PersistentVolume",
        "metadata": {"name": name, "labels": {"nimop.test/pool": mode.lower()}},
        "spec": {
            "capacity": {"storage": "500Gi"},
            "accessModes": [mode],
            "persistentVolumeReclaimPolicy": "Retain",
            "storageClassName": "pool",
            "hostPath": {"path": f"/tmp/nimop-pool/{name}"},
        },
    }


def service_monitor_crd() -> Manifest:
    """A minimal ServiceMonitor CRD: the Prometheus operator's CRD ships in no Go module the
    proxy serves, so this one keeps its group/kind/version and the top-level fields nimop
    renders (endpoints, selector, namespaceSelector) and preserves the rest."""
    preserve = {"type": "object", "x-kubernetes-preserve-unknown-fields": True}
    spec = {
        "type": "object",
        "required": ["selector"],
        "properties": {
            "endpoints": {"type": "array", "items": preserve},
            "selector": preserve,
            "namespaceSelector": preserve,
            "jobLabel": {"type": "string"},
        },
        "x-kubernetes-preserve-unknown-fields": True,
    }
    return {
        "apiVersion": "apiextensions.k8s.io/v1",
        "kind": "CustomResourceDefinition",
        "metadata": {"name": "servicemonitors.monitoring.coreos.com"},
        "spec": {
            "group": "monitoring.coreos.com",
            "names": {
                "kind": "ServiceMonitor",
                "listKind": "ServiceMonitorList",
                "plural": "servicemonitors",
                "singular": "servicemonitor",
                "shortNames": ["smon"],
                "categories": ["prometheus-operator"],
            },
            "scope": "Namespaced",
            "versions": [
                {
                    "name": "v1",
                    "served": True,
                    "storage": True,
                    "schema": {"openAPIV3Schema": {"type": "object", "properties": {"spec": spec}}},
                }
            ],
        },
    }
