"""Find or build the control plane's binaries and the external CRDs.

`KUBEBUILDER_ASSETS` (the setup-envtest convention) is honoured: any binary found there is
used as is. Everything else comes from the versioned build cache, built by build.sh on first
use (20-30 minutes cold on 2 cores, nothing when cached).
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.cluster import config


def binary(name: str, layout: config.Layout) -> Path:
    assets = os.environ.get("KUBEBUILDER_ASSETS")
    if assets and (Path(assets) / name).is_file():
        return Path(assets) / name
    return layout.bin / name


def missing(layout: config.Layout) -> list[str]:
    gone = [b for b in config.BINARIES if not os.access(binary(b, layout), os.X_OK)]
    if not (layout.crds / ".complete-2").exists():
        gone.append("crds")
    return gone


def ensure_built(layout: config.Layout) -> None:
    """Build whatever is missing; a no-op when the cache is complete."""
    if not missing(layout):
        return
    env = dict(
        os.environ,
        NIMOP_K8S_VERSION=config.K8S_VERSION,
        NIMOP_KWOK_VERSION=config.KWOK_VERSION,
        NIMOP_LWS_VERSION=config.LWS_VERSION,
        NIMOP_KSERVE_VERSION=config.KSERVE_VERSION,
        NIMOP_GATEWAY_API_VERSION=config.GATEWAY_API_VERSION,
        NIMOP_INFERENCE_EXTENSION_VERSION=config.INFERENCE_EXTENSION_VERSION,
    )
    script = Path(__file__).with_name("build.sh")
    print(f"building the local control plane into {layout.build} ...", file=sys.stderr, flush=True)
    subprocess.run(["bash", str(script), str(layout.build)], env=env, check=True)
