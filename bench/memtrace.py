"""`nimop run` under tracemalloc: where the operator's memory goes.

Use as the operator under test: ``python -m bench run --n 1000 --operator-cmd
'env MEMTRACE_OUT=/tmp/mem.jsonl python -m bench.memtrace' --label nimop-tracemalloc``. Every
``MEMTRACE_PERIOD`` seconds (20) a thread appends the top allocation sites (by file and
line, 25 of them) and the traced total to the JSON-lines file, with a wall-clock timestamp to
match against the run's phases. tracemalloc slows the process and doubles its memory: take
only the sites from such a run, never its times or RSS.
"""

from __future__ import annotations

import json
import os
import threading
import time
import tracemalloc
from pathlib import Path

TOP = 25


def _dump(path: Path) -> None:
    snapshot = tracemalloc.take_snapshot().filter_traces(
        (tracemalloc.Filter(False, tracemalloc.__file__),)
    )
    stats = snapshot.statistics("lineno")
    total = sum(s.size for s in stats)
    top = [{"site": f"{s.traceback[0].filename}:{s.traceback[0].lineno}",
            "kib": round(s.size / 1024, 1), "count": s.count} for s in stats[:TOP]]  # fmt: skip
    line = {"time": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
            "traced_mib": round(total / 2**20, 1), "top": top}  # fmt: skip
    with path.open("a") as out:
        out.write(json.dumps(line) + "\n")


def _loop(path: Path, period: float) -> None:
    while True:
        time.sleep(period)
        _dump(path)


def main() -> int:
    from nimop.cli import main as nimop_main

    # Not NIMOP_* names: `nimop run` refuses settings it does not know.
    path = Path(os.environ.get("MEMTRACE_OUT", "memtrace.jsonl"))
    period = float(os.environ.get("MEMTRACE_PERIOD", "20"))
    tracemalloc.start(1)
    threading.Thread(target=_loop, args=(path, period), name="memtrace", daemon=True).start()
    return nimop_main(["run"])


if __name__ == "__main__":
    raise SystemExit(main())
