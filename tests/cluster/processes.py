"""Start, find and stop the control plane's processes, tracked by pid files.

A process started for a pytest session dies with its parent (PR_SET_PDEATHSIG), so an
interrupted or killed test run leaves nothing behind. A cluster started by
`python -m tests.cluster up` is detached on purpose and lives until `down`.
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import threading
import time
from collections.abc import Callable, Sequence
from pathlib import Path

_PR_SET_PDEATHSIG = 1


def die_with_parent() -> None:
    libc = ctypes.CDLL("libc.so.6", use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)


def start(
    name: str,
    argv: Sequence[str],
    *,
    logs: Path,
    pids: Path,
    attached: bool,
    env: dict[str, str] | None = None,
) -> int:
    """Start `argv` in the background, logging to logs/NAME.log; returns its pid."""
    logs.mkdir(parents=True, exist_ok=True)
    pids.mkdir(parents=True, exist_ok=True)
    log = (logs / f"{name}.log").open("ab")
    # PR_SET_PDEATHSIG fires when the *thread* that forked exits: only tie the process to us
    # from the main thread (a restart from a worker thread would be killed seconds later).
    tie = attached and threading.current_thread() is threading.main_thread()
    preexec: Callable[[], None] | None = die_with_parent if tie else None
    proc = subprocess.Popen(
        list(argv),
        stdout=log,
        stderr=subprocess.STDOUT,
        stdin=subprocess.DEVNULL,
        preexec_fn=preexec,
        start_new_session=not attached,
        env={**os.environ, **(env or {})},
    )
    log.close()
    record(name, proc.pid, argv[0], pids)
    return proc.pid


def record(name: str, pid: int, program: str, pids: Path) -> None:
    """Write the pid file: the pid and the program, so a pid reused by another process after a
    reboot or a killed session is not mistaken for ours."""
    pids.mkdir(parents=True, exist_ok=True)
    (pids / name).write_text(f"{pid} {program}")


def pid_of(name: str, pids: Path) -> int | None:
    """The pid of a running process we started, or None."""
    try:
        text = (pids / name).read_text().split(maxsplit=1)
        pid = int(text[0])
    except (FileNotFoundError, ValueError, IndexError):
        return None
    program = text[1] if len(text) > 1 else None
    return pid if alive(pid) and _runs(pid, program) else None


def _runs(pid: int, program: str | None) -> bool:
    if program is None:
        return True
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")[:2]
    except OSError:
        return False
    # a script runs as `<interpreter> <script> ...`: its name is the second word
    return Path(program).name in {Path(a.decode(errors="replace")).name for a in argv}


def alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    # A zombie child of ours is dead for our purposes; reap it.
    try:
        done, _ = os.waitpid(pid, os.WNOHANG)
        return done == 0
    except ChildProcessError:
        return _not_zombie(pid)


def _not_zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except FileNotFoundError:
        return False
    return stat.rsplit(")", 1)[1].split()[0] != "Z"


def stop(name: str, pids: Path, *, sig: int = signal.SIGTERM, grace: float = 10.0) -> None:
    """Stop a process: `sig`, then SIGKILL after `grace` seconds."""
    pid = pid_of(name, pids)
    if pid is not None:
        _signal(pid, sig)
        deadline = time.monotonic() + grace
        while alive(pid) and time.monotonic() < deadline:
            time.sleep(0.05)
        if alive(pid):
            _signal(pid, signal.SIGKILL)
            while alive(pid):
                time.sleep(0.05)
    (pids / name).unlink(missing_ok=True)


def _signal(pid: int, sig: int) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.kill(pid, sig)
