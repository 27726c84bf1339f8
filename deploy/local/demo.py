"""`make demo`: a local control plane with simulated GPU nodes, ready to use.

Starts (or reuses) the cluster detached, so it keeps running after the demo exits, then shows
the GPU nodes and how to look around. Stop it with `make cluster-down`.
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[2]))

from tests.cluster import Cluster


def main() -> int:
    cluster = Cluster().up(attached=False)
    print(f"\nlocal cluster: {cluster.server}\n")
    columns = (
        "NAME:.metadata.name,GPUS:.status.allocatable.nvidia\\.com/gpu,"
        "PRODUCT:.metadata.labels.nvidia\\.com/gpu\\.product,READY:.status.conditions[-1].status"
    )
    print(cluster.kubectl("get", "nodes", "-o", f"custom-columns={columns}").stdout)
    print(
        cluster.kubectl(
            "get", "resourceslices", "-o", "custom-columns=NAME:.metadata.name,NODE:.spec.nodeName"
        ).stdout
    )
    print("Look around:")
    print(f"  export KUBECONFIG={cluster.kubeconfig}")
    print(f"  export PATH={cluster.bin_dir}:$PATH   # kubectl of the same release")
    print("  kubectl get nodes,deviceclasses,resourceslices,storageclasses")
    print("Stop it with: make cluster-down")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
