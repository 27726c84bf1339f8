"""A graceful stop fits in the installed pod's grace period: the drain (shutdown_timeout) plus
the Lease release must end before the kubelet's SIGKILL, or a successor waits out the lease."""

from __future__ import annotations

from pathlib import Path

import yaml

from nimop.watch.manager import RELEASE_TIMEOUT
from nimop.watch.settings import WatchSettings

DEPLOYMENT = Path(__file__).resolve().parents[3] / "deploy" / "base" / "deployment.yaml"


def test_drain_and_release_end_before_the_grace_period() -> None:
    docs = [d for d in yaml.safe_load_all(DEPLOYMENT.read_text()) if d]
    spec = next(d for d in docs if d["kind"] == "Deployment")["spec"]["template"]["spec"]
    grace = spec["terminationGracePeriodSeconds"]
    assert WatchSettings().shutdown_timeout + RELEASE_TIMEOUT < grace
