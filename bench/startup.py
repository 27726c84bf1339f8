"""Start-up cost: `nimop render` of one file and `nimop run` to `/readyz`, each against
`python -c pass` measured in the same run, so the ratio survives the machine's load.

Every command runs `repeat` times, interleaved (pass, render, run, pass, …), and reports the
median wall time and the median CPU seconds (user + system, from the child's rusage for the
short commands and from /proc for the operator at the moment /readyz answers). Bytecode is
compiled first, as the image does at build time (`python -m compileall`), so what is measured
is start-up, not the compiler. The load average is recorded before and after.
"""

from __future__ import annotations

import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench.operator import Operator
from bench.procstat import Sampler
from tests.cluster import Cluster
from tests.operator_process import install_crds

ROOT = Path(__file__).resolve().parent.parent
RENDER_FILE = ROOT / "api" / "examples" / "standalone-basic.yaml"
NAMESPACE = "bench-startup"


def _timed(argv: list[str]) -> tuple[float, float]:
    """(wall s, CPU s) of one command run to completion."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    t0 = time.monotonic()
    subprocess.run(argv, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, check=False)
    wall = time.monotonic() - t0
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return wall, cpu


def _operator_ready(cluster: Cluster, out: Path) -> tuple[float, float]:
    """(wall s to /readyz, CPU s of the process tree then) of a fresh `nimop run`."""
    op = Operator(
        cluster,
        argv=None,
        shell_cmd=None,
        env={"NIMOP_NAMESPACES": NAMESPACE},
        log_path=out / "startup-operator.log",
    )
    op.start()
    try:
        wall = op.wait_ready()
        cpu = Sampler(op.pid).sample().cpu
    finally:
        op.stop()
    return wall, cpu


def compile_bytecode() -> None:
    """As the Containerfile does: the installed code and its dependencies, compiled once."""
    paths = [str(ROOT / "nimop"), *(p for p in sys.path if p.endswith("site-packages"))]
    subprocess.run([sys.executable, "-m", "compileall", "-q", *paths],
                   stdout=subprocess.DEVNULL, check=False)  # fmt: skip


def measure(cluster: Cluster | None, out: Path, repeat: int = 5) -> dict[str, Any]:
    compile_bytecode()
    nimop = str(Path(sys.executable).with_name("nimop"))
    commands: dict[str, Any] = {
        "python -c pass": lambda: _timed([sys.executable, "-c", "pass"]),
        "nimop render (one file)": lambda: _timed(
            [nimop, "render", "-f", str(RENDER_FILE), "--exit-zero"]
        ),
    }
    if cluster is not None:
        install_crds(cluster)
        cluster.kubectl("create", "namespace", NAMESPACE, check=False)
        commands["nimop run to /readyz"] = lambda: _operator_ready(cluster, out)
    load_start = os.getloadavg()
    samples: dict[str, list[tuple[float, float]]] = {k: [] for k in commands}
    for _ in range(repeat):
        for name, fn in commands.items():
            samples[name].append(fn())
    load_end = os.getloadavg()
    rows = {}
    base_wall = statistics.median(w for w, _ in samples["python -c pass"])
    for name, runs in samples.items():
        wall = statistics.median(w for w, _ in runs)
        rows[name] = {
            "wall_s": round(wall, 3),
            "cpu_s": round(statistics.median(c for _, c in runs), 3),
            "wall_minus_python_s": round(wall - base_wall, 3),
            "runs": [[round(w, 3), round(c, 3)] for w, c in runs],
        }
    return {"repeat": repeat, "loadavg_start": load_start, "loadavg_end": load_end,
            "commands": rows}  # fmt: skip


def markdown(result: dict[str, Any]) -> str:
    lines = [
        f"load average {result['loadavg_start'][0]:.2f} → {result['loadavg_end'][0]:.2f}, "
        f"median of {result['repeat']}",
        "",
        "| command | wall s | CPU s | wall - python s |",
        "|---|---:|---:|---:|",
    ]
    for name, row in result["commands"].items():
        lines.append(
            f"| {name} | {row['wall_s']} | {row['cpu_s']} | {row['wall_minus_python_s']} |"
        )
    return "\n".join(lines) + "\n"
