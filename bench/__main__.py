"""`python -m bench run --n 1000` · `python -m bench sweep --n 100,300,1000` ·
`python -m bench startup` · `python -m bench failover` · `python -m bench report FILE.json…`
(see docs/performance.md)."""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time
from pathlib import Path
from typing import Any

from bench import failover, plots, results, scenario, startup
from tests.cluster import Cluster

DEFAULT_OUT = Path(__file__).resolve().parent / "results"


def _common(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--operator-cmd",
        help="shell command of the operator under test "
        "(default: nimop run); gets KUBECONFIG and NIMOP_* in its environment",
    )
    p.add_argument("--label", help="operator name in reports (default: nimop or the command)")
    p.add_argument("--metrics-url", help="the operator's Prometheus endpoint, if not nimop's")
    p.add_argument("--out", type=Path, default=DEFAULT_OUT, help="results directory")
    p.add_argument(
        "--cluster-state",
        type=Path,
        help="state directory of a private local control plane (started if not running); "
        "default: the shared one ($NIMOP_CLUSTER_STATE or ~/.cache/nimop/cluster)",
    )
    p.add_argument("--resync", type=float, default=30.0, help="NIMOP_RESYNC_PERIOD, seconds")
    p.add_argument("--idle", type=float, help="idle phase seconds (default 1.5 x resync)")
    p.add_argument("--update-fraction", type=float, default=0.1)
    p.add_argument("--concurrency", type=int, default=32, help="driver's concurrent requests")
    p.add_argument("--workers", type=int, help="NIMOP_WORKERS (default: the operator's)")
    p.add_argument("--timeout", type=float, default=900.0, help="seconds per phase")
    p.add_argument("--namespaces", type=int, default=1,
                   help="spread the NIMServices over this many namespaces")  # fmt: skip
    p.add_argument(
        "--floor",
        action="store_true",
        help="after the run, the floor: the driver creates the same children itself",
    )
    p.add_argument(
        "--profile",
        action="store_true",
        help="run nimop under pyinstrument; writes .pyisession/.html/.txt",
    )


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    sub = parser.add_subparsers(dest="cmd", required=True)
    run = sub.add_parser("run", help="one run at one N")
    run.add_argument("--n", type=int, default=100)
    _common(run)
    sweep = sub.add_parser("sweep", help="one run per N, then the cost-vs-N plot")
    sweep.add_argument("--n", default="100,300,1000", help="comma-separated values of N")
    _common(sweep)
    start = sub.add_parser("startup", help="nimop render and nimop run → /readyz vs python")
    start.add_argument("--repeat", type=int, default=5)
    start.add_argument("--out", type=Path, default=DEFAULT_OUT)
    start.add_argument("--cluster-state", type=Path)
    start.add_argument("--no-cluster", action="store_true", help="only the render command")
    fail = sub.add_parser("failover", help="kill -9 of the leader -> first write of the next")
    fail.add_argument("--rounds", type=int, default=3)
    fail.add_argument("--out", type=Path, default=DEFAULT_OUT)
    fail.add_argument("--cluster-state", type=Path)
    report = sub.add_parser("report", help="Markdown and plots from existing JSON results")
    report.add_argument("files", nargs="+", type=Path)
    report.add_argument("--out", type=Path, default=DEFAULT_OUT)
    return parser


def _config(args: argparse.Namespace, n: int) -> scenario.Config:
    return scenario.Config(
        n=n,
        out=args.out,
        operator_cmd=args.operator_cmd,
        metrics_url=args.metrics_url,
        resync=args.resync,
        idle=args.idle,
        update_fraction=args.update_fraction,
        concurrency=args.concurrency,
        workers=args.workers,
        phase_timeout=args.timeout,
        profile=args.profile,
        label=args.label,
        floor=args.floor,
        namespaces=args.namespaces,
    )


def run_one(cluster: Cluster, cfg: scenario.Config) -> dict[str, Any]:
    r = asyncio.run(scenario.run(cluster, cfg))
    result = results.to_json(r)
    path = results.write(result, cfg.out)
    md = results.markdown(result)
    path.with_suffix(".md").write_text(md)
    plots.ready_curve([result], path.with_name(path.stem + "-ready.png"))
    if (result.get("floor") or {}).get("create"):
        plots.ready_vs_floor(result, path.with_name(path.stem + "-floor.png"))
    if r.profile_path is not None:
        _render_profile(r.profile_path)
    print(md)
    print(f"results: {path}", file=sys.stderr)
    result["meta"]["file"] = str(path)
    return result


def _render_profile(session: Path) -> None:
    from pyinstrument.renderers import ConsoleRenderer, HTMLRenderer
    from pyinstrument.session import Session

    if not session.exists():
        print(f"no profile written at {session}", file=sys.stderr)
        return
    s = Session.load(str(session))
    session.with_suffix(".html").write_text(HTMLRenderer().render(s))
    text = ConsoleRenderer(unicode=True, color=False, show_all=False).render(s)
    session.with_suffix(".txt").write_text(text)


def _startup(args: argparse.Namespace) -> int:
    cluster = None if args.no_cluster else Cluster().up(attached=False)
    args.out.mkdir(parents=True, exist_ok=True)
    result = startup.measure(cluster, args.out, args.repeat)
    _save(args.out, "startup", result, startup.markdown(result))
    return 0


def _failover(args: argparse.Namespace) -> int:
    cluster = Cluster().up(attached=False)
    args.out.mkdir(parents=True, exist_ok=True)
    result = asyncio.run(failover.measure(cluster, args.out, args.rounds))
    _save(args.out, "failover", result, failover.markdown(result))
    return 0


def _save(out: Path, name: str, result: dict[str, Any], table: str) -> None:
    """A measurement's JSON as `<name>-<UTC stamp>.json` in `out`, its table on stdout."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime())
    path = out / f"{name}-{stamp}.json"
    path.write_text(json.dumps(result, indent=1))
    print(table)
    print(f"results: {path}", file=sys.stderr)


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.cmd == "report":
        loaded = [json.loads(f.read_text()) for f in args.files]
        args.out.mkdir(parents=True, exist_ok=True)
        for res in loaded:
            print(results.markdown(res))
        plots.ready_curve(loaded, args.out / "ready-curve.png")
        if len({r["meta"]["n"] for r in loaded}) > 1:
            plots.cost_vs_n(loaded, args.out / "cost-vs-n.png")
        return 0
    if args.cluster_state is not None:
        os.environ["NIMOP_CLUSTER_STATE"] = str(args.cluster_state.resolve())
    if args.cmd == "startup":
        return _startup(args)
    if args.cmd == "failover":
        return _failover(args)
    cluster = Cluster().up(attached=False)
    if args.cmd == "run":
        run_one(cluster, _config(args, args.n))
        return 0
    done = [run_one(cluster, _config(args, int(n))) for n in args.n.split(",")]
    args.out.mkdir(parents=True, exist_ok=True)
    (args.out / "sweep.json").write_text(json.dumps([d["meta"]["file"] for d in done], indent=1))
    plots.ready_curve(done, args.out / "ready-curve.png")
    plots.cost_vs_n(done, args.out / "cost-vs-n.png")
    print(f"plots: {args.out / 'ready-curve.png'}, {args.out / 'cost-vs-n.png'}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
