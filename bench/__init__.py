"""Benchmarks of an operator against the local control plane (not tests: they report).

`python -m bench run --n 1000` runs one scenario — a shared NIMCache, N NIMServices created
concurrently, an idle phase spanning a resync, a 10% spec update, deletion of everything —
and measures per phase: wall time and the Ready curve, the operator's API requests from the
apiserver's audit log, its CPU and RSS from /proc, and its reconcile latency and queue wait
from its own Prometheus metrics. `--operator-cmd` runs any other operator the same way.
See docs/performance.md.
"""
