"""/healthz fails when the event loop is stalled or a worker is wedged: the probes answer from
their own thread, so a blocked loop is reported instead of merely timing out."""

from __future__ import annotations

import threading
import time
import urllib.error
import urllib.request

import anyio

from nimop.watch.liveness import Liveness, ProbeServer


def status(port: int, path: str = "/healthz") -> tuple[int, str]:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}{path}", timeout=5) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.read().decode()


async def test_healthz_fails_while_the_event_loop_is_blocked_and_recovers() -> None:
    live = Liveness(stall_after=0.5, beat_every=0.1)
    async with anyio.create_task_group() as tg, ProbeServer(live.problems, live.problems,
                                                            "127.0.0.1", 0) as probes:  # fmt: skip
        tg.start_soon(live.run)
        await anyio.sleep(0.3)
        assert (await anyio.to_thread.run_sync(status, probes.port))[0] == 200
        seen: list[tuple[int, str]] = []
        asker = threading.Thread(target=lambda: (time.sleep(1.0), seen.append(status(probes.port))))
        asker.start()
        time.sleep(2.0)  # noqa: ASYNC251 -- blocking the loop is the point of this test
        asker.join()
        assert seen[0][0] == 503 and "event loop stalled" in seen[0][1], seen
        await anyio.sleep(0.3)
        assert (await anyio.to_thread.run_sync(status, probes.port))[0] == 200
        tg.cancel_scope.cancel()


class Source:
    name = "widgets"

    def __init__(self) -> None:
        self.oldest: tuple[str, float] | None = None

    def oldest_in_flight(self) -> tuple[str, float] | None:
        return self.oldest


def test_a_reconcile_running_past_the_bound_is_a_wedged_worker() -> None:
    source = Source()
    live = Liveness(lambda: [source], wedged_after=300)
    assert live.problems() == []
    source.oldest = ("ns/a", 299.0)
    assert live.problems() == []
    source.oldest = ("ns/a", 301.0)
    assert live.problems() == ["worker wedged: controller widgets has reconciled ns/a for 301s"]


def test_a_failing_check_is_a_problem_not_a_crash() -> None:
    def broken() -> list[str]:
        raise ValueError("boom")

    async def main() -> tuple[int, str]:
        async with ProbeServer(broken, broken, "127.0.0.1", 0) as probes:
            return await anyio.to_thread.run_sync(status, probes.port, "/readyz")

    code, body = anyio.run(main)
    assert code == 503 and "check failed" in body
