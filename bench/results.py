"""A run's measurements as JSON (one file per run), a Markdown table and PNG plots."""

from __future__ import annotations

import json
import os
import platform
from pathlib import Path
from typing import Any

from bench import audit, prom
from bench.scenario import OPERATOR_USER, Phase, Run, git_commit

SYSTEM_USERS = ("nimop-admin", "system:")


def _percentile(values: list[float], q: float) -> float | None:
    if not values:
        return None
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, int(q * len(ordered)))]


def _cluster_writes(events: list[audit.Event], ns: str) -> dict[str, int]:
    """Writes in the benchmark's namespace by every user: the whole cluster's work (the
    controller-manager, scheduler and kwok write as the admin here), not only the operator's."""
    out: dict[str, int] = {}
    for ev in events:
        where = str((ev.get("objectRef") or {}).get("namespace") or "")
        if ev["verb"] in audit.WRITE_VERBS and where.startswith(ns):
            who = f"{audit.user(ev)} {_client(str(ev.get('userAgent') or '?'))}"
            out[who] = out.get(who, 0) + 1
    return out


def _client(agent: str) -> str:
    """The program in a user agent; kube-controller-manager's ends with its controller."""
    name = agent.split("/")[0]
    return f"{name}/{agent.rsplit('/', 1)[1]}" if name == "kube-controller-manager" else name


def _phase(
    r: Run, p: Phase, ops: list[audit.Event], foreign: list[audit.Event], all_ev: list[audit.Event]
) -> dict[str, Any]:
    mine = audit.window(ops, p.start, p.end)
    t_create = next((q.t0 for q in r.phases if q.name == "create"), p.t0)
    out: dict[str, Any] = {
        "wall_s": round(p.t1 - p.t0, 2),
        "offset_s": round(p.t0 - t_create, 2),
        "completed": p.done,
        "start": p.start,
        "end": p.end,
        "api": audit.summarize(mine),
        "process": r.sampler.window(p.t0, p.t1) if r.sampler else {},
        "namespace_writes_by_client": _cluster_writes(
            audit.window(all_ev, p.start, p.end), r.namespace
        ),
        **p.extra,
    }
    if p.scrape_before or p.scrape_after:
        b, a = p.scrape_before, p.scrape_after
        out["reconcile_time_s"] = prom.histogram(
            b, a, "controller_runtime_reconcile_time_seconds", "controller"
        )
        out["queue_wait_s"] = prom.histogram(b, a, "workqueue_queue_duration_seconds", "name")
        out["reconciles"] = prom.counter(
            b, a, "controller_runtime_reconcile_total", ("controller", "result")
        )
        out["rate_limiter_wait_s"] = round(
            prom.total(b, a, "rest_client_rate_limiter_duration_seconds_sum"), 2
        )
        out["rest_client_requests"] = prom.counter(
            b, a, "nimop_api_requests_total", ("verb", "code")
        )
    writes = [e for e in audit.window(foreign, p.start, p.end) if e["verb"] in audit.WRITE_VERBS]
    if writes:
        out["foreign_writes"] = {
            "count": len(writes),
            "users": sorted({audit.user(e) for e in writes}),
        }
    return out


def to_json(r: Run) -> dict[str, Any]:
    assert r.audit is not None
    cfg = r.config
    events = sorted(r.audit.events.values(), key=audit.received)
    ops = [e for e in events if audit.user(e) == OPERATOR_USER]
    foreign = [
        e
        for e in events
        if audit.user(e) != OPERATOR_USER
        and not audit.user(e).startswith(SYSTEM_USERS)
        and str((e.get("objectRef") or {}).get("namespace") or "").startswith(r.namespace)
    ]
    phases = {p.name: _phase(r, p, ops, foreign, events) for p in r.phases}
    idle = next((p for p in r.phases if p.name == "idle"), None)
    idle_writes = [
        audit.brief(e)
        for e in (audit.window(ops, idle.start, idle.end) if idle else [])
        if e["verb"] in audit.WRITE_VERBS
    ]
    k = sum(r.children.values())
    create = phases.get("create", {})
    writes = create.get("api", {}).get("by_verb_resource", {})
    event_writes = sum(v for key, v in writes.items() if key.endswith(" events"))
    total_writes = create.get("api", {}).get("writes", 0)
    minimum = cfg.n * (k + 1)
    latencies = [
        r.tracker.ready_at[n] - t
        for n, t in r.created_at.items()
        if r.tracker is not None and n in r.tracker.ready_at
    ]
    t_create = next((p.t0 for p in r.phases if p.name == "create"), 0.0)
    curve = [(round(t - t_create, 3), c) for t, c in (r.tracker.curve if r.tracker else [])]
    rss = _rss(r, phases)
    return {
        "meta": {
            "n": cfg.n,
            "label": cfg.label or ("nimop" if not cfg.operator_cmd else cfg.operator_cmd),
            "operator_command": r.operator.command,
            "operator_user": OPERATOR_USER,
            "namespace": r.namespace,
            "namespaces": len(r.namespaces),
            "started": r.started,
            "resync_period_s": cfg.resync,
            "idle_s": cfg.idle_seconds,
            "update_fraction": cfg.update_fraction,
            "driver_concurrency": cfg.concurrency,
            "workers": cfg.workers,
            "git_commit": git_commit(),
            "python": platform.python_version(),
            "cpus": os.cpu_count(),
            **r.load,
            "profile": str(r.profile_path) if r.profile_path else None,
        },
        "children_per_nimservice": r.children,
        "phases": phases,
        "writes_vs_minimum": {
            "children_per_nimservice": k,
            "minimum": minimum,
            "create_phase_writes": total_writes,
            "create_phase_event_writes": event_writes,
            "ratio": round(total_writes / minimum, 3) if minimum else None,
            "ratio_without_events": round((total_writes - event_writes) / minimum, 3)
            if minimum
            else None,
        },
        "idle_writes": {"count": len(idle_writes), "requests": idle_writes[:200]},
        "create_to_ready_s": {
            "p50": _round(_percentile(latencies, 0.5)),
            "p99": _round(_percentile(latencies, 0.99)),
            "max": _round(max(latencies, default=None)),
        },
        "rss": rss,
        "ready_curve": curve,
        "floor": r.floor,
        "vs_floor": _vs_floor(phases, r.floor, latencies),
        "stuck": r.stuck[:50],
        "stuck_count": len(r.stuck),
    }


def _ratio(a: float | None, b: float | None) -> float | None:
    return round(a / b, 2) if a is not None and b else None


def _vs_floor(phases: dict[str, Any], fl: dict[str, Any], latencies: list[float]) -> Any:
    """Operator / floor, per phase: wall time and requests (the floor's are its writes)."""
    if not fl:
        return None
    out: dict[str, Any] = {}
    for name in ("create", "update"):
        mine, floor_phase = phases.get(name) or {}, fl.get(name) or {}
        if name == "update":
            wall = mine.get("rolled_out_s", mine.get("wall_s"))
        else:
            wall = mine.get("wall_s")
        requests = (mine.get("api") or {}).get("total")
        out[name] = {
            "operator_s": wall, "floor_s": floor_phase.get("wall_s"),
            "time_ratio": _ratio(wall, floor_phase.get("wall_s")),
            "operator_requests": requests, "floor_requests": floor_phase.get("writes"),
            "requests_ratio": _ratio(requests, floor_phase.get("writes")),
        }  # fmt: skip
    floor_lat = (fl.get("create") or {}).get("create_to_available_s") or {}
    out["create_to_ready_s"] = {
        "operator_p50": _round(_percentile(latencies, 0.5)),
        "operator_p99": _round(_percentile(latencies, 0.99)),
        "floor_p50": floor_lat.get("p50"), "floor_p99": floor_lat.get("p99"),
    }  # fmt: skip
    return out


def _round(v: float | None) -> float | None:
    return round(v, 3) if v is not None else None


def _rss(r: Run, phases: dict[str, Any]) -> dict[str, Any]:
    base = phases.get("cache", {}).get("process", {}).get("rss_end_mib")
    # after the idle phase; when the create phase did not converge (no idle), at its end
    steady = (phases.get("idle") or phases.get("create") or {}).get("process", {}).get(
        "rss_end_mib"
    )
    peak = max((p.get("process", {}).get("rss_peak_mib") or 0 for p in phases.values()), default=0)
    per_1000 = None
    if base is not None and steady is not None and r.config.n:
        per_1000 = round((steady - base) / r.config.n * 1000, 1)
    return {
        "baseline_mib": base,
        "steady_mib": steady,
        "peak_mib": peak,
        "mib_per_1000_nimservices": per_1000,
    }


def write(result: dict[str, Any], out: Path) -> Path:
    meta = result["meta"]
    stamp = meta["started"].replace(":", "").replace("-", "").split(".")[0]
    path = out / f"run-{meta['n']}-{stamp}.json"
    path.write_text(json.dumps(result, indent=1))
    return path


PHASES = ("startup", "cache", "create", "idle", "update", "delete")


def _q(row: dict[str, Any] | None, key: str) -> str:
    v = (row or {}).get(key)
    return f"{v * 1000:.0f}" if isinstance(v, float) else "-"


def markdown(result: dict[str, Any]) -> str:
    meta, phases = result["meta"], result["phases"]
    lines = [
        f"### {meta['label']}, N = {meta['n']} "
        f"({meta['started'][:19]}Z, commit {meta['git_commit']})",
        "",
        "| phase | wall s | requests | writes | top requests | CPU s | RSS peak MiB "
        "| reconcile p50/p99 ms | queue wait p50/p99 ms |",
        "|---|---:|---:|---:|---|---:|---:|---:|---:|",
    ]
    for name in PHASES:
        p = phases.get(name)
        if p is None:
            continue
        api = p["api"]
        top = ", ".join(
            f"{k} {v}"
            for k, v in sorted(api["by_verb_resource"].items(), key=lambda kv: -kv[1])[:4]
        )
        rec = _controller_row(p.get("reconcile_time_s"), "nimservice")
        queue = _controller_row(p.get("queue_wait_s"), "nimservice")
        proc = p.get("process") or {}
        lines.append(
            f"| {name}{'' if p['completed'] else ' (timed out)'} | {p['wall_s']} | {api['total']} "
            f"| {api['writes']} | {top} | {proc.get('cpu_seconds', '-')} "
            f"| {proc.get('rss_peak_mib', '-')} | {_q(rec, 'p50')} / {_q(rec, 'p99')} "
            f"| {_q(queue, 'p50')} / {_q(queue, 'p99')} |"
        )
    w, rss, lat = result["writes_vs_minimum"], result["rss"], result["create_to_ready_s"]
    lines += [
        "",
        f"- children per NIMService: {result['children_per_nimservice']} (K = "
        f"{w['children_per_nimservice']}); minimum writes N x (K + 1) = {w['minimum']}; "
        f"create-phase writes {w['create_phase_writes']} (ratio {w['ratio']}; "
        f"{w['create_phase_event_writes']} of them Events, ratio without "
        f"{w['ratio_without_events']})",
        f"- idle-phase writes: {result['idle_writes']['count']} "
        f"(idle {meta['idle_s']:.0f} s, resync period {meta['resync_period_s']:.0f} s)",
        f"- RSS: baseline {rss['baseline_mib']} MiB, steady {rss['steady_mib']} MiB, peak "
        f"{rss['peak_mib']} MiB → {rss['mib_per_1000_nimservices']} MiB per 1,000 NIMServices",
        f"- create → Ready per NIMService: p50 {lat['p50']} s, p99 {lat['p99']} s",
        f"- load average at start / end: {_load(meta.get('loadavg_start'))} / "
        f"{_load(meta.get('loadavg_end'))} ({meta['cpus']} CPUs)",
    ]
    vs = result.get("vs_floor")
    if vs:
        lat = vs["create_to_ready_s"]
        lines += [
            "",
            "| phase | operator s | floor s | operator / floor | operator requests "
            "| floor requests | operator / floor |",
            "|---|---:|---:|---:|---:|---:|---:|",
            *(f"| {n} | {vs[n]['operator_s']} | {vs[n]['floor_s']} | {vs[n]['time_ratio']} "
              f"| {vs[n]['operator_requests']} | {vs[n]['floor_requests']} "
              f"| {vs[n]['requests_ratio']} |" for n in ("create", "update")),
            "",
            f"- create → Ready p50 / p99: operator {lat['operator_p50']} / "
            f"{lat['operator_p99']} s, floor (create → Deployment available) "
            f"{lat['floor_p50']} / {lat['floor_p99']} s",
        ]  # fmt: skip
    if result["stuck_count"]:
        lines.append(f"- **{result['stuck_count']} objects never became Ready** (see JSON)")
    return "\n".join(lines) + "\n"


def _controller_row(hist: dict[str, Any] | None, name: str) -> dict[str, Any] | None:
    return (hist or {}).get(name)


def _load(v: Any) -> str:
    return " ".join(f"{x:.1f}" for x in v) if v else "-"
