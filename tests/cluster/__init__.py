"""The local Kubernetes control plane for tests, benchmarks and the demo.

Real components built from the Kubernetes Go modules (see build.sh) plus kwok-simulated GPU
nodes; no mocks. Use it as pytest fixtures (tests/conftest.py), as a command
(`python -m tests.cluster up|down|status`) or from code (`Cluster().up(attached=...)`).
"""

from tests.cluster.controlplane import Cluster, ClusterError

__all__ = ["Cluster", "ClusterError"]
