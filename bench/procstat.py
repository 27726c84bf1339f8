"""CPU seconds and RSS of a process tree, sampled from /proc (Linux only).

The tree, not one pid: `--operator-cmd` may start the operator through a shell or a wrapper,
and the operator is whatever process does the work below it.
"""

from __future__ import annotations

import os
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

_TICK = os.sysconf("SC_CLK_TCK")
_PAGE = os.sysconf("SC_PAGE_SIZE")


def _stat(pid: int) -> tuple[int, float] | None:
    """(ppid, cpu seconds) of a pid, or None when it is gone."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return int(fields[1]), (int(fields[11]) + int(fields[12])) / _TICK


def _rss_bytes(pid: int) -> int:
    try:
        return int(Path(f"/proc/{pid}/statm").read_text().split()[1]) * _PAGE
    except (OSError, IndexError, ValueError):
        return 0


def tree(root: int) -> list[int]:
    """`root` and its descendants."""
    parents: dict[int, list[int]] = {}
    for entry in os.scandir("/proc"):
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat is not None:
                parents.setdefault(stat[0], []).append(int(entry.name))
    out, todo = [], [root]
    while todo:
        pid = todo.pop()
        out.append(pid)
        todo.extend(parents.get(pid, ()))
    return out


@dataclass
class Sample:
    t: float  # monotonic
    cpu: float  # seconds, whole tree (dead descendants' CPU is lost; operators rarely fork)
    rss: int  # bytes, whole tree


@dataclass
class Sampler:
    """Samples a process tree every `interval` seconds in a background thread."""

    root: int
    interval: float = 0.5
    samples: list[Sample] = field(default_factory=list)
    _stop: threading.Event = field(default_factory=threading.Event)
    _thread: threading.Thread | None = None
    _pids: list[int] = field(default_factory=list)
    _pids_at: float = 0.0

    def start(self) -> Sampler:
        self._thread = threading.Thread(target=self._run, name="procstat", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()

    def sample(self) -> Sample:
        now = time.monotonic()
        if now - self._pids_at > 5 or not self._pids:
            self._pids, self._pids_at = tree(self.root), now
        cpu, rss = 0.0, 0
        for pid in self._pids:
            stat = _stat(pid)
            if stat is not None:
                cpu += stat[1]
                rss += _rss_bytes(pid)
        s = Sample(now, cpu, rss)
        self.samples.append(s)
        return s

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def window(self, start: float, end: float) -> dict[str, float | None]:
        """CPU seconds spent and peak/last RSS (MiB) between two monotonic times."""
        inside = [s for s in self.samples if start <= s.t <= end]
        before = [s for s in self.samples if s.t <= start]
        if not inside:
            return {"cpu_seconds": None, "rss_peak_mib": None, "rss_end_mib": None}
        first = before[-1] if before else inside[0]
        return {
            "cpu_seconds": round(inside[-1].cpu - first.cpu, 2),
            "rss_peak_mib": round(max(s.rss for s in inside) / 2**20, 1),
            "rss_end_mib": round(inside[-1].rss / 2**20, 1),
        }


def machine_ticks() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, from /proc/stat."""
    fields = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:8]]
    idle = fields[3] + fields[4]  # idle + iowait
    return (sum(fields) - idle) / _TICK, sum(fields) / _TICK


@dataclass
class CpuMeter:
    """CPU seconds of every control-plane component (pids from the cluster's pids directory)
    and of the whole machine: whether a phase was bounded by the cluster's CPU, and how much of
    it each component took. Read at phase boundaries: `mark()` then `since(mark)`."""

    pids_dir: Path

    def mark(self) -> dict[str, float]:
        out: dict[str, float] = {}
        for entry in sorted(self.pids_dir.glob("*")) if self.pids_dir.exists() else ():
            try:
                pid = int(entry.read_text().split(maxsplit=1)[0])
            except (OSError, ValueError, IndexError):
                continue
            stat = _stat(pid)
            if stat is not None:
                out[entry.name] = stat[1]
        out["machine_busy"], out["machine_total"] = machine_ticks()
        return out

    def since(self, before: dict[str, float]) -> dict[str, float]:
        """CPU seconds per component from the mark ``before`` to now, and the machine's busy
        share over that time."""
        after = self.mark()
        out = {k: round(after[k] - v, 2) for k, v in before.items()
               if k in after and not k.startswith("machine_")}  # fmt: skip
        total = after["machine_total"] - before["machine_total"]
        busy = after["machine_busy"] - before["machine_busy"]
        out["machine_busy_share"] = round(busy / total, 3) if total > 0 else 0.0
        return out
