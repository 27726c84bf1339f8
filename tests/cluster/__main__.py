"""`python -m tests.cluster up|down|status|build`: the local control plane as a command.

`up` builds (once) and starts a detached cluster, or reuses the running one, waits until it is
usable and prints the kubeconfig path as its last line.
"""

from __future__ import annotations

import argparse
import json
import sys

from tests.cluster import assets
from tests.cluster.controlplane import Cluster


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tests.cluster", description=__doc__)
    parser.add_argument("command", choices=["up", "down", "status", "build"])
    args = parser.parse_args(argv)
    cluster = Cluster()
    if args.command == "build":
        assets.ensure_built(cluster.layout)
    elif args.command == "up":
        cluster.up(attached=False)
        print(
            f"cluster ready: {cluster.server} (export KUBECONFIG={cluster.kubeconfig})",
            file=sys.stderr,
        )
        print(cluster.kubeconfig)
    elif args.command == "down":
        cluster.down()
    else:
        status = cluster.status()
        print(json.dumps(status, indent=2))
        return 0 if status["ready"] else 1
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
