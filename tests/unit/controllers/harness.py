"""The whole operator on the in-memory API, for reconcile tests that take milliseconds.

`running()` wires the operator exactly as `nimop run` does (`operator.runtime_for` + `wire`
on a `Manager`), over an `ApiTwin` that holds nimop's generated CRDs, on a fake clock shared by
the twin and the controllers (so `requeue_after` fires only when a test advances time). Tests
put custom resources in, `settle()`, and read what the twin holds: children, status, Events,
and which writes were made. They play the other controllers' part themselves (a Deployment
becoming available, a Job completing, a pod running) with status patches on the twin.
"""

from __future__ import annotations

import functools
import json
from collections.abc import AsyncIterator, Iterable, Mapping
from contextlib import asynccontextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import anyio
import yaml

from nimop.controllers.runtime import Runtime
from nimop.operator import runtime_for, wire
from nimop.watch import Manager, ResourceRef, WatchSettings
from nimop.watch.objects import Obj
from nimop.watch.testing import ApiTwin, FakeClock, Request

ROOT = Path(__file__).resolve().parents[3]
CRDS = sorted((ROOT / "api" / "crds").glob("*.yaml"))
NS = "team"
API = "apps.nvidia.com/v1alpha1"

LWS = ResourceRef("leaderworkerset.x-k8s.io", "v1", "LeaderWorkerSet", "leaderworkersets")
ISVC = ResourceRef("serving.kserve.io", "v1beta1", "InferenceService", "inferenceservices")
HTTP_ROUTE = ResourceRef("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes")
GRPC_ROUTE = ResourceRef("gateway.networking.k8s.io", "v1", "GRPCRoute", "grpcroutes")
SERVICE_MONITOR = ResourceRef("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors")
CLAIM_TEMPLATE = ResourceRef("resource.k8s.io", "v1", "ResourceClaimTemplate",
                             "resourceclaimtemplates")  # fmt: skip
CLAIM = ResourceRef("resource.k8s.io", "v1", "ResourceClaim", "resourceclaims")
INFERENCE_POOL = ResourceRef("inference.networking.k8s.io", "v1", "InferencePool",
                             "inferencepools")  # fmt: skip
COMPUTE_DOMAIN = ResourceRef("resource.nvidia.com", "v1beta1", "ComputeDomain", "computedomains")
ALL_OPTIONAL = (LWS, ISVC, HTTP_ROUTE, GRPC_ROUTE, SERVICE_MONITOR, CLAIM_TEMPLATE, CLAIM,
                INFERENCE_POOL, COMPUTE_DOMAIN)  # fmt: skip


@dataclass
class Operator:
    twin: ApiTwin
    clock: FakeClock
    rt: Runtime
    mgr: Manager

    def reconciler(self, controller: str) -> Any:
        """The reconciler of the controller named `controller` (e.g. `nimservice`)."""
        return next(c.reconciler for c in self.mgr.controllers if c.name == controller)

    async def settle(self) -> None:
        """Until every event is handled and every reconcile it caused has finished."""
        await self.twin.settle()

    async def advance(self, seconds: float) -> None:
        """Move the fake clock (firing due requeues), then settle."""
        await self.clock.advance(seconds)
        await self.twin.settle()

    async def put(self, obj: Mapping[str, Any], namespace: str = NS) -> Obj:
        """Create an object (a user's `kubectl create`) and settle."""
        md = {"namespace": namespace, **obj.get("metadata", {})}
        created = self.twin.create({**obj, "metadata": md}, manager="kubectl")
        await self.settle()
        return created

    async def edit(self, kind: str, name: str, patch: Mapping[str, Any]) -> None:
        """A merge patch of an object (a user's `kubectl patch --type=merge`) and settle."""
        self.twin.patch(kind, NS, name, patch, manager="kubectl")
        await self.settle()

    async def set_status(self, kind: str, name: str, status: Mapping[str, Any]) -> None:
        """What another controller reports (kubelet, the Job controller…), then settle."""
        self.twin.patch(kind, NS, name, {"status": status}, status=True, manager="kube")
        await self.settle()

    async def remove(self, kind: str, name: str) -> None:
        self.twin.delete(kind, NS, name)
        await self.settle()

    def get(self, kind: str, name: str) -> Obj | None:
        return self.twin.get(kind, NS, name)

    def must(self, kind: str, name: str) -> Obj:
        obj = self.get(kind, name)
        assert obj is not None, f"{kind} {name} does not exist"
        return obj

    def status(self, kind: str, name: str) -> dict[str, Any]:
        return dict(self.must(kind, name).get("status") or {})

    def names(self, kind: str) -> list[str]:
        return [o["metadata"]["name"] for o in self.twin.objects(kind, NS)]

    def writes(self) -> list[Request]:
        """Operator writes since the last `forget()` (Events excluded: they are news)."""
        return [r for r in self.twin.writes() if r.resource != "events"]

    def events(self) -> list[tuple[str, str]]:
        return [(e["type"], e["reason"]) for e in self.twin.objects(EVENTS, NS)]

    def forget(self) -> None:
        self.twin.requests.clear()


EVENTS = ResourceRef("events.k8s.io", "v1", "Event", "events")


@functools.cache
def _crds() -> tuple[str, ...]:
    out = []
    for path in CRDS:
        crd = yaml.load(path.read_text(), Loader=yaml.CSafeLoader)
        for version in crd["spec"]["versions"]:
            version.pop("schema", None)  # the twin does not validate: served-ness is enough
        out.append(json.dumps(crd))
    return tuple(out)


def crds() -> list[dict[str, Any]]:
    """nimop's generated CRDs, without their schemas."""
    return [json.loads(text) for text in _crds()]


def gpu_node(name: str = "gpu-0", product: str = "NVIDIA-H100-80GB-HBM3") -> dict[str, Any]:
    return {"apiVersion": "v1", "kind": "Node",
            "metadata": {"name": name, "labels": {"nvidia.com/gpu.present": "true",
                                                  "nvidia.com/gpu.product": product}}}  # fmt: skip


@asynccontextmanager
async def running(
    optional: Iterable[ResourceRef] = ALL_OPTIONAL,
    *,
    objects: Iterable[Mapping[str, Any]] = (),
    twin: ApiTwin | None = None,
    image_inspection: bool = False,
    served_model_probe: bool = False,
) -> AsyncIterator[Operator]:
    """The operator running on a twin that serves nimop's CRDs and the `optional` APIs. Image
    inspection and the served-model read are off unless asked for: tests reach no registry
    and no NIM they did not start."""
    clock = FakeClock()
    twin = twin or ApiTwin(clock=clock)
    for crd in crds():
        twin.create(crd)
    for ref in optional:
        twin.serve(ref)
    for obj in objects:
        twin.create(obj)
    settings = WatchSettings(
        workers=2, leader_election=False, metrics_bind_address="127.0.0.1:0",
        health_bind_address="127.0.0.1:0", image_inspection=image_inspection,
        served_model_probe=served_model_probe,
    )  # fmt: skip
    async with Manager(
        settings, client_config=twin.client_config(), transport=twin, clock=clock
    ) as mgr:
        rt = runtime_for(mgr)
        rt.now = lambda: clock.wall().strftime("%Y-%m-%dT%H:%M:%SZ")
        wire(mgr, rt)
        async with anyio.create_task_group() as tg:
            tg.start_soon(functools.partial(mgr.run, handle_signals=False))
            with anyio.fail_after(10):
                # start-up awaits threads (address lookups) that quiescence cannot see
                while mgr.readiness_problems() or not _workers_started(mgr):  # noqa: ASYNC110
                    await anyio.sleep(0.001)
            await twin.settle()
            try:
                yield Operator(twin, clock, rt, mgr)
            finally:
                mgr.stop()


def _workers_started(mgr: Manager) -> bool:
    return bool(mgr.cache.informers) and mgr.is_leader and mgr.state.value == "running"
