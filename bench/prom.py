"""Prometheus text parsing and histogram quantiles over a window (the difference of two
scrapes), the way `histogram_quantile(q, increase(x_bucket[w]))` computes them."""

from __future__ import annotations

import math
import re
from collections import defaultdict

Labels = tuple[tuple[str, str], ...]
Scrape = dict[str, dict[Labels, float]]

_LINE = re.compile(r"^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})?\s+(\S+)")
_LABEL = re.compile(r'([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"')


def parse(text: str) -> Scrape:
    out: Scrape = defaultdict(dict)
    for line in text.splitlines():
        if not line or line.startswith("#"):
            continue
        m = _LINE.match(line)
        if m is None:
            continue
        labels = tuple(sorted(_LABEL.findall(m.group(3) or "")))
        try:
            out[m.group(1)][labels] = float(m.group(4))
        except ValueError:
            continue
    return dict(out)


def _without(labels: Labels, key: str) -> Labels:
    return tuple(kv for kv in labels if kv[0] != key)


def histogram(
    before: Scrape, after: Scrape, name: str, by: str, quantiles: tuple[float, ...] = (0.5, 0.99)
) -> dict[str, dict[str, float | None]]:
    """Per value of label `by`: count, mean and quantiles of `name` observed between scrapes."""
    buckets: dict[str, dict[float, float]] = defaultdict(lambda: defaultdict(float))
    a_b, b_b = after.get(name + "_bucket", {}), before.get(name + "_bucket", {})
    for labels, value in a_b.items():
        d = dict(labels)
        group = d.get(by, "")
        buckets[group][float(d["le"])] += value - b_b.get(labels, 0.0)
    sums: dict[str, float] = defaultdict(float)
    for labels, value in after.get(name + "_sum", {}).items():
        sums[dict(labels).get(by, "")] += value - before.get(name + "_sum", {}).get(labels, 0.0)
    out: dict[str, dict[str, float | None]] = {}
    for group, bs in sorted(buckets.items()):
        edges = sorted(bs)
        total = bs.get(math.inf, 0.0)
        row: dict[str, float | None] = {"count": total}
        row["mean"] = sums[group] / total if total else None
        for q in quantiles:
            row[f"p{round(q * 100):d}"] = _quantile(q, [(e, bs[e]) for e in edges])
        out[group] = row
    return out


def _quantile(q: float, cumulative: list[tuple[float, float]]) -> float | None:
    """Linear interpolation inside the bucket, as Prometheus does."""
    if not cumulative or cumulative[-1][1] <= 0:
        return None
    rank = q * cumulative[-1][1]
    lower_edge, lower_count = 0.0, 0.0
    for edge, count in cumulative:
        if count >= rank:
            if math.isinf(edge):
                return lower_edge
            width = count - lower_count
            frac = (rank - lower_count) / width if width else 0.0
            return lower_edge + (edge - lower_edge) * frac
        lower_edge, lower_count = edge, count
    return lower_edge


def counter(before: Scrape, after: Scrape, name: str, by: tuple[str, ...]) -> dict[str, float]:
    """Increase of a counter between scrapes, summed per combination of labels `by`."""
    out: dict[str, float] = defaultdict(float)
    prev = before.get(name, {})
    for labels, value in after.get(name, {}).items():
        d = dict(labels)
        key = " ".join(d.get(b, "") for b in by)
        out[key] += value - prev.get(labels, 0.0)
    return {k: v for k, v in sorted(out.items()) if v}


def total(before: Scrape, after: Scrape, name: str) -> float:
    """Increase of a metric summed over all its series (e.g. a histogram's `_sum`)."""
    prev = before.get(name, {})
    return sum(v - prev.get(labels, 0.0) for labels, v in after.get(name, {}).items())
