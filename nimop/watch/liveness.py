"""``/healthz`` that can fail: a stalled event loop or a wedged worker makes it 503.

A probe served by the event loop it checks cannot report that loop stalled — at best the
kubelet's request times out, and a loop that stalls for 20 s every 30 s keeps answering. So the
probes are served from their own thread (``ProbeServer``, stdlib ``http.server``), and the loop
proves it is alive by a heartbeat task it must run every second (``Liveness``):

* the heartbeat is older than ``stall_after`` (10 s) -> ``event loop stalled`` (CPU-bound code,
  a blocking call, a deadlock);
* a reconcile has run for longer than ``wedged_after`` (5 min; every API request is bounded by
  the request timeout, so a healthy reconcile never gets near) -> ``worker wedged``, naming the
  controller and key.

Either makes the kubelet restart the pod, as a liveness probe should. ``/readyz`` is served by
the same thread from the manager's readiness checks, plus the liveness ones.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from types import TracebackType
from typing import Protocol, Self

import anyio

__all__ = ["Liveness", "ProbeServer", "WorkSource"]

Check = Callable[[], list[str]]


class WorkSource(Protocol):
    """What a controller tells liveness: its name and its oldest reconcile in flight."""

    name: str

    def oldest_in_flight(self) -> tuple[str, float] | None: ...


class Liveness:
    """The event loop's heartbeat and the age of the oldest reconcile of each controller."""

    def __init__(
        self,
        sources: Callable[[], Iterable[WorkSource]] = tuple,
        *,
        stall_after: float = 10.0,
        wedged_after: float = 300.0,
        beat_every: float = 1.0,
        now: Callable[[], float] = time.monotonic,
    ) -> None:
        self._sources = sources
        self.stall_after, self.wedged_after, self.beat_every = stall_after, wedged_after, beat_every
        self._now = now
        self._beat = now()

    async def run(self) -> None:
        """The heartbeat; runs on the loop being watched until cancelled."""
        while True:
            self._beat = self._now()
            await anyio.sleep(self.beat_every)

    def problems(self) -> list[str]:
        """Why the process is not live (empty when it is); safe to call from any thread."""
        out = []
        lag = self._now() - self._beat
        if lag > self.stall_after:
            out.append(f"event loop stalled: no heartbeat for {lag:.1f}s")
        for source in list(self._sources()):
            oldest = source.oldest_in_flight()
            if oldest is not None and oldest[1] > self.wedged_after:
                out.append(f"worker wedged: controller {source.name} has reconciled "
                           f"{oldest[0]} for {oldest[1]:.0f}s")  # fmt: skip
        return out


class ProbeServer:
    """``/healthz`` and ``/readyz`` on their own thread: they answer while the loop is stuck."""

    def __init__(self, live: Check, ready: Check, host: str, port: int) -> None:
        checks = {"/healthz": live, "/readyz": ready}

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                check = checks.get(self.path.split("?", 1)[0])
                if check is None:
                    self.send_error(404)
                    return
                problems = _safely(check)
                body = ("\n".join(problems) if problems else "ok").encode() + b"\n"
                self.send_response(503 if problems else 200)
                self.send_header("Content-Type", "text/plain; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, format: str, *args: object) -> None:
                return  # probes every few seconds are not news

        self._server = ThreadingHTTPServer((host, port), Handler)
        self._server.daemon_threads = True
        self.port: int = self._server.server_address[1]
        self._thread = threading.Thread(target=self._server.serve_forever, name="probes",
                                        daemon=True)  # fmt: skip

    async def __aenter__(self) -> Self:
        self._thread.start()
        return self

    async def __aexit__(
        self, et: type[BaseException] | None, e: BaseException | None, tb: TracebackType | None
    ) -> None:
        with anyio.CancelScope(shield=True):
            await anyio.to_thread.run_sync(self._server.shutdown)
        self._server.server_close()


def _safely(check: Check) -> list[str]:
    """Run a check written for the loop from the probe thread: a structure changing under
    the iteration is retried, and a failing check is itself a problem."""
    for _ in range(3):
        try:
            return check()
        except RuntimeError:  # "changed size during iteration": the loop was mid-update
            continue
        except Exception as exc:
            return [f"check failed: {exc!r}"]
    return ["check kept racing the event loop"]
