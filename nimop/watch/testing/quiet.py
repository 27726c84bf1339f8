"""Wait until every other task is blocked: the quiescence point tests assert at.

``anyio.wait_all_tasks_blocked`` polls every 0.1 s on asyncio; tests that settle a few times
each would spend most of their time there. On asyncio this yields to the loop until no task
is runnable; other event loops fall back to anyio's.
"""

from __future__ import annotations

import asyncio

import anyio

__all__ = ["all_tasks_blocked"]


async def all_tasks_blocked() -> None:
    try:
        me = asyncio.current_task()
    except RuntimeError:  # not on asyncio
        await anyio.wait_all_tasks_blocked()
        return
    loop = asyncio.get_running_loop()
    while True:
        await asyncio.sleep(0)
        # quiet: no callback is ready to run (a wake-up may travel through several) and every
        # task waits on something that is not done
        ready = getattr(loop, "_ready", ())
        if not ready and all(task is me or _blocked(task) for task in asyncio.all_tasks()):
            return


def _blocked(task: asyncio.Task[object]) -> bool:
    waiter = getattr(task, "_fut_waiter", None)  # what the task awaits (asyncio internals)
    return task.done() or (waiter is not None and not waiter.done())
