"""PNG plots: the Ready curve of one or more runs, and cost against N over a sweep."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt


def ready_curve(results: Sequence[dict[str, Any]], path: Path) -> Path:
    """One run: the whole timeline with its phases marked. Several: their create phases."""
    fig, ax = plt.subplots(figsize=(7.5, 4))
    single = len(results) == 1
    for res in results:
        points = [(0.0, 0), *[(t, c) for t, c in res["ready_curve"]]]
        wall = res["phases"].get("create", {}).get("wall_s")
        if not single and wall is not None:
            points = [(t, c) for t, c in points if t <= wall + 0.5]
        label = f"{res['meta']['label']} N={res['meta']['n']}"
        ax.step([t for t, _ in points], [c for _, c in points], where="post", label=label)
    if single:
        _mark_phases(ax, results[0])
    ax.set_xlabel("seconds since the first create")
    ax.set_ylabel("NIMServices Ready")
    ax.set_title("NIMServices Ready over time" if single else "Create phase: Ready over time")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def ready_vs_floor(res: dict[str, Any], path: Path) -> Path:
    """Create phase: NIMServices Ready (operator) against Deployments available (floor)."""
    fig, ax = plt.subplots(figsize=(7.5, 4))
    wall = res["phases"].get("create", {}).get("wall_s") or 0.0
    ops = [(0.0, 0), *[(t, c) for t, c in res["ready_curve"] if t <= wall + 0.5]]
    floor = [(0.0, 0), *[(t, c) for t, c in res["floor"]["create"]["ready_curve"]]]
    n = res["meta"]["n"]
    ax.step([t for t, _ in ops], [c for _, c in ops], where="post",
            label=f"{res['meta']['label']}: NIMServices Ready")  # fmt: skip
    ax.step([t for t, _ in floor], [c for _, c in floor], where="post",
            label="floor: Deployments available")  # fmt: skip
    ax.set_xlabel("seconds since the first create")
    ax.set_ylabel(f"of N = {n}")
    ax.set_title("Create phase against the floor")
    ax.grid(alpha=0.3)
    ax.legend(loc="lower right")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path


def _mark_phases(ax: Any, res: dict[str, Any]) -> None:
    phases = res["phases"]
    for name in ("create", "idle", "update", "delete"):
        if name in phases:
            t = phases[name].get("offset_s", 0.0)
            ax.axvline(t, color="grey", lw=0.6, ls=":")
            ax.text(t + 0.5, 0.02, name, transform=ax.get_xaxis_transform(), fontsize=8)


def cost_vs_n(results: Sequence[dict[str, Any]], path: Path) -> Path:
    rows = sorted(results, key=lambda r: r["meta"]["n"])
    ns = [r["meta"]["n"] for r in rows]
    create = [r["phases"]["create"] for r in rows]
    panels: list[tuple[str, list[float], list[float] | None, str | None]] = [
        ("create phase wall s", [p["wall_s"] for p in create], None, None),
        (
            "operator CPU s (create phase)",
            [p["process"].get("cpu_seconds") or 0.0 for p in create],
            None,
            None,
        ),
        (
            "writes per NIMService (create)",
            [r["writes_vs_minimum"]["create_phase_writes"] / r["meta"]["n"] for r in rows],
            [r["writes_vs_minimum"]["minimum"] / r["meta"]["n"] for r in rows],
            "minimum K + 1",
        ),
        (
            "RSS MiB (steady, end of idle)",
            [r["rss"]["steady_mib"] or 0.0 for r in rows],
            [r["rss"]["baseline_mib"] or 0.0 for r in rows],
            "baseline (cache Ready)",
        ),
    ]
    fig, axes = plt.subplots(2, 2, figsize=(9, 6.5))
    for ax, (title, ys, ref, ref_label) in zip(axes.flat, panels, strict=True):
        ax.plot(ns, ys, "o-", label="measured")
        if ref is not None:
            ax.plot(ns, ref, "--", color="grey", label=ref_label)
            ax.legend(fontsize=8)
        ax.set_title(title, fontsize=10)
        ax.set_xlabel("N NIMServices")
        ax.grid(alpha=0.3)
        ax.set_ylim(bottom=0)
    fig.suptitle(f"Cost vs N ({rows[0]['meta']['label']})" if rows else "Cost vs N")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return path
