"""kwok Stages: how simulated nodes and pods move through their lifecycle.

kwok v0.8.0 has no built-in stages, so the stock ones (shipped in its Go module and copied
into the build cache) are assembled here at start, with one change and one addition:
pods labelled `nimop.test/fail=true` skip `pod-ready` and fail instead (`pod-fail`), so a
test can make a pod — or a Job — fail on purpose.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import yaml

from tests.cluster.seed import FAIL_LABEL

_STOCK = (
    "node/fast/node-initialize.yaml",
    "node/heartbeat-with-lease/node-heartbeat-with-lease.yaml",
    "pod/fast/pod-ready.yaml",
    "pod/fast/pod-complete.yaml",
    "pod/fast/pod-delete.yaml",
)

_NOT_FAILING = {"key": f'.metadata.labels["{FAIL_LABEL}"]', "operator": "NotIn", "values": ["true"]}


def _pod_fail_stage() -> dict[str, Any]:
    status = """\
{{ $now := Now }}
conditions:
- lastTransitionTime: {{ $now | Quote }}
  status: "False"
  type: Ready
containerStatuses:
{{ range .spec.containers }}
- image: {{ .image | Quote }}
  name: {{ .name | Quote }}
  ready: false
  restartCount: 0
  state:
    terminated:
      exitCode: 1
      finishedAt: {{ $now | Quote }}
      reason: Error
      message: failed on purpose (nimop.test/fail)
      startedAt: {{ $now | Quote }}
{{ end }}
phase: Failed
startTime: {{ $now | Quote }}
"""
    return {
        "apiVersion": "kwok.x-k8s.io/v1alpha1",
        "kind": "Stage",
        "metadata": {"name": "pod-fail"},
        "spec": {
            "resourceRef": {"apiGroup": "v1", "kind": "Pod"},
            "selector": {
                "matchExpressions": [
                    {
                        "key": f'.metadata.labels["{FAIL_LABEL}"]',
                        "operator": "In",
                        "values": ["true"],
                    },
                    {"key": ".metadata.deletionTimestamp", "operator": "DoesNotExist"},
                    {"key": ".status.phase", "operator": "In", "values": ["Pending"]},
                ]
            },
            "next": {"statusTemplate": status},
        },
    }


_ADDRESSES = """\
addresses:
{{ with NodeIP }}
- address: {{ . | Quote }}
  type: InternalIP
{{ end }}
- address: {{ .metadata.name | Quote }}
  type: Hostname

"""


def _fixed_addresses(template: str) -> str:
    """The stock node-initialize stage writes only the addresses it thinks are missing, which
    replaces the list when a node is re-initialized (after it was marked NotReady, e.g. during an
    apiserver restart) and left nodes with no address — so `pods/log` could no longer reach the
    node. Always write both addresses instead."""
    start = template.index("{{ $hasInternalIP := false }}")
    end = template.index("{{ with NodePort }}")
    return template[:start] + _ADDRESSES + template[end:]


def render(stage_dir: Path) -> str:
    """The multi-document kwok config: stock stages plus the failure stage."""
    stages = [yaml.safe_load((stage_dir / rel).read_text()) for rel in _STOCK]
    for stage in stages:
        if stage["metadata"]["name"] == "pod-ready":
            stage["spec"]["selector"]["matchExpressions"].append(_NOT_FAILING)
        if stage["metadata"]["name"] == "node-initialize":
            nxt = stage["spec"]["next"]
            nxt["statusTemplate"] = _fixed_addresses(nxt["statusTemplate"])
    stages.append(_pod_fail_stage())
    return yaml.safe_dump_all(stages, sort_keys=False)
