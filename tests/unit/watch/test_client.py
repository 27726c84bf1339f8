"""KubeClient on the in-memory API: Retry-After honoured by every later request, reads retried
and writes not, one more attempt on a stale pooled connection (and only then), errors
classified by what to do, request counting, and the client's lifecycle."""

from __future__ import annotations

from typing import Any

import aiohttp
import anyio
import pytest

from nimop.watch import ResourceRef
from nimop.watch.client import KubeClient
from nimop.watch.errors import (
    ConflictError,
    GoneError,
    InvalidError,
    NamespaceTerminatingError,
    NotFoundError,
    ServerError,
    StateError,
    TooManyRequests,
    TransportError,
)
from nimop.watch.testing import ApiTwin, FakeClock, Fault

CM = ResourceRef("", "v1", "ConfigMap", "configmaps")
TERMINATING = "unable to create new content in namespace n because it is being terminated"


def cm(name: str) -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name, "namespace": "n"}}


def connector_error() -> aiohttp.ClientConnectorError:
    key = aiohttp.client_reqrep.ConnectionKey("api", 443, True, True, None, None, None)
    return aiohttp.ClientConnectorError(key, OSError("connection refused"))


def sent(twin: ApiTwin, verb: str) -> list[int]:
    """Status codes of the `verb` requests the server answered."""
    return [code for r, code in twin.requests if r.verb == verb]


async def test_retry_after_holds_back_every_request_until_it_has_passed() -> None:
    twin, clock = ApiTwin(), FakeClock()
    twin.inject(Fault(status=429, retry_after=3), verb="create")
    async with twin.client(clock=clock) as client:
        with pytest.raises(TooManyRequests) as caught:
            await client.create(CM, cm("a"))
        assert caught.value.retry_after == 3
        done = anyio.Event()

        async def later() -> None:
            await client.create(CM, cm("b"))
            done.set()

        async with anyio.create_task_group() as tg:
            tg.start_soon(later)
            await clock.advance(2.9)
            assert not done.is_set() and sent(twin, "create") == [429], "nothing left early"
            await clock.advance(0.2)
            assert done.is_set() and sent(twin, "create") == [429, 201]


async def test_a_429_without_retry_after_waits_a_second_and_a_long_one_is_capped() -> None:
    for retry_after, wait in ((None, 1.0), (600.0, 30.0)):
        twin, clock = ApiTwin(), FakeClock()
        twin.inject(Fault(status=429, retry_after=retry_after), verb="create")
        async with twin.client(clock=clock) as client:
            with pytest.raises(TooManyRequests):
                await client.create(CM, cm("a"))
            async with anyio.create_task_group() as tg:
                tg.start_soon(client.create, CM, cm("b"))
                await clock.advance(wait - 0.01)
                assert sent(twin, "create") == [429]
                await clock.advance(0.02)
            assert sent(twin, "create") == [429, 201]


async def test_reads_are_retried_on_server_errors_writes_are_not() -> None:
    twin = ApiTwin()
    twin.create(cm("a"))
    twin.inject(Fault(status=503), verb="get", times=2)
    twin.inject(Fault(status=503), verb="create")
    async with twin.client() as client:
        assert (await client.get(CM, "n", "a"))["metadata"]["name"] == "a"
        assert sent(twin, "get") == [503, 503, 200]
        with pytest.raises(ServerError):
            await client.create(CM, cm("b"))
        assert sent(twin, "create") == [503]


async def test_a_stale_pooled_connection_gets_exactly_one_more_attempt() -> None:
    twin = ApiTwin()
    stale = twin.inject(Fault(error=aiohttp.ServerDisconnectedError()), verb="create")
    async with twin.client() as client:
        await client.create(CM, cm("a"))
        assert stale.hits == 1 and sent(twin, "create") == [201], "sent once more, once"
        twin.inject(Fault(error=aiohttp.ServerDisconnectedError()), verb="create", times=2)
        with pytest.raises(TransportError):
            await client.create(CM, cm("b"))
        assert twin.get(CM, "n", "b") is None
        refused = twin.inject(Fault(error=connector_error()), verb="create")
        with pytest.raises(TransportError):
            await client.create(CM, cm("c"))
        assert refused.hits == 1, "a refused connection is not retried at once"
        reset = twin.inject(Fault(error=aiohttp.ClientOSError(104, "reset")), verb="create")
        await client.create(CM, cm("d"))
        assert reset.hits == 1 and twin.get(CM, "n", "d") is not None


@pytest.mark.parametrize(
    ("fault", "error"),
    [
        (Fault(status=404), NotFoundError),
        (Fault(status=409), ConflictError),
        (Fault(status=410), GoneError),
        (Fault(status=422, message="data.x: Invalid value"), InvalidError),
        (Fault(status=403, message=TERMINATING), NamespaceTerminatingError),
        (Fault(status=500), ServerError),
    ],
)
async def test_errors_are_classified_by_what_to_do(fault: Fault, error: type[Exception]) -> None:
    twin = ApiTwin()
    twin.inject(fault, verb="create")
    async with twin.client() as client:
        with pytest.raises(error) as caught:
            await client.create(CM, cm("a"))
    if fault.message:
        assert fault.message in str(caught.value)


async def test_requests_are_counted_by_verb_resource_and_code() -> None:
    twin = ApiTwin()
    async with twin.client() as client:
        await client.create(CM, cm("a"))
        await client.get(CM, "n", "a")
        with pytest.raises(NotFoundError):
            await client.get(CM, "n", "missing")
        await client.delete(CM, "n", "a")
        assert client.requests[("create", "configmaps", 201)] == 1
        assert client.requests[("get", "configmaps", 404)] == 1
        assert client.writes == 2


async def test_pod_logs_are_read_as_text() -> None:
    twin = ApiTwin()
    twin.create({"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "p", "namespace": "n"}})
    twin.pod_logs[("n", "p")] = "line one\nline two\n"
    async with twin.client() as client:
        assert await client.pod_logs("n", "p", container="c") == "line one\nline two\n"
        with pytest.raises(NotFoundError):
            await client.pod_logs("n", "gone")


async def test_a_client_is_used_only_while_open() -> None:
    client = KubeClient(ApiTwin.client_config(), transport=ApiTwin())
    with pytest.raises(StateError):
        await client.get(CM, "n", "a")
    async with client:
        pass
    with pytest.raises(StateError):
        await client.get(CM, "n", "a")
    with pytest.raises(StateError):
        async with client:
            pass
