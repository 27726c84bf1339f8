"""Reconcile steps every controller shares: status written only on change (with transition
events, by `nimop.watch.status`), shared children created once, upstream finalizers released."""

from __future__ import annotations

import contextlib
import dataclasses
from collections.abc import Awaitable, Callable, Iterable, Mapping, Sequence
from typing import Any, ClassVar, Generic

import structlog

from nimop import permissions
from nimop.api import as_models_read
from nimop.api.kinds import Kind
from nimop.api.resource import GROUP
from nimop.controllers import ratchet, validate
from nimop.controllers.predicates import spec_or_deletion_changed
from nimop.controllers.runtime import Runtime
from nimop.controllers.validate import CRT, Checked
from nimop.render import Problem, Rendered
from nimop.watch.controller import Controller, Result
from nimop.watch.errors import AlreadyExistsError, ForbiddenError, InvalidError, NotFoundError
from nimop.watch.objects import Obj, ObjectKey, key_of, meta
from nimop.watch.ownership import ChildConflictError
from nimop.watch.sources import Predicate
from nimop.watch.status import StatusWriter
from nimop.watch.sync import ChildSync

log = structlog.get_logger("nimop.controllers")


#: Finalizers upstream's operator put on its CRs (§0 C6). nimop needs none (children
#: go by garbage collection), but a CR created under upstream still carries one: release it on
#: deletion, or switching operators would leave such CRs stuck in Terminating.
LEGACY_FINALIZER = "finalizer.{kind}." + GROUP


class PrimaryReconciler(Generic[CRT]):
    """What every kind's reconcile does before its own work: read the CR from its store (gone:
    nothing to do), stop at deletion (garbage collection removes the children; nothing is
    recreated once deletion started, upstream #594), release an upstream finalizer,
    and run the validation CEL could not do. (A write refused because the namespace is being
    deleted ends the reconcile quietly in the framework.) Subclasses set `kind` and implement
    `handle`."""

    kind: ClassVar[Kind]
    #: the API model the CR is parsed into, once per reconcile (what the renderers read)
    model_type: type[CRT]
    #: Does the echo of this controller's own child write wake it? Only a kind whose render
    #: reads no child of its own making may say no (a NIMCache renders its Job from the
    #: manifest ConfigMap it wrote: that ConfigMap's arrival must wake it).
    own_writes_wake: ClassVar[bool] = True

    def __init__(self, rt: Runtime, children: ChildSync) -> None:
        self.rt = rt
        self.children = children
        #: key -> (uid, resourceVersion, the CR as the models read it, its check): a CR is
        #: parsed once per version, not once per reconcile (children's events wake it often)
        self._parsed: dict[ObjectKey, tuple[str, str, dict[str, Any], Checked[CRT]]] = {}

    async def reconcile(self, key: ObjectKey) -> Result | None:
        obj = self.rt.store(self.kind).get(key)
        if obj is None:
            self._forget(key)  # nothing is kept about an owner that is gone
            return None
        # Upstream's finalizer is released at once, not only at deletion: after a switch of
        # operators nothing would remove it, and a CR must never wait on an absent operator.
        await release_legacy_finalizer(self.rt, self.kind, obj)
        if meta(obj).get("deletionTimestamp"):
            self._forget(key)
            return None
        obj, cr = self._parse(key, obj)
        result = await self.handle(key, obj, cr)
        return _sooner(result, self.children.recheck_after(obj))

    def _forget(self, key: ObjectKey) -> None:
        self.children.forget(key)
        self._parsed.pop(key, None)

    def _parse(self, key: ObjectKey, obj: Obj) -> tuple[dict[str, Any], Checked[CRT]]:
        """The CR as the models read it (a Go client's zero values for unset fields read as
        unset) and its validation, computed once per resourceVersion."""
        md = meta(obj)
        version = (str(md.get("uid")), str(md.get("resourceVersion")))
        memo = self._parsed.get(key)
        if memo is not None and memo[:2] == version:
            return memo[2], memo[3]
        read = as_models_read(obj)
        cr = validate.checked(read, self.model_type)
        self._parsed[key] = (*version, read, cr)
        return read, cr

    async def handle(self, key: ObjectKey, obj: dict[str, Any], cr: Checked[CRT]) -> Result | None:
        raise NotImplementedError

    async def write_status(self, obj: Obj, status: Mapping[str, Any]) -> bool:
        """Patch the status subresource when the computed status differs, and announce a state
        transition as an Event (`nimop.watch.status`); True when written. Every kind's status
        gets its `SpecValid` condition here (nimop.controllers.ratchet). The written object is
        remembered in the kind's store as this controller's write (read-your-writes)."""
        rt = self.rt
        status = ratchet.with_spec_valid(obj, status, rt.now())
        patcher = StatusWriter(rt.client, rt.events, managed=MANAGED_STATUS,
                               store=rt.store(self.kind), writer=self.children.writer)  # fmt: skip
        return await patcher.write(rt.resource(self.kind), obj, status)


def names_only(render: Callable[[], Rendered], errors: Sequence[Problem]) -> Rendered:
    """The validation errors, with only the child names of the render (its objects are not
    used: nothing is applied for a CR that failed validation, but status still reads the live
    children by these names). A spec too broken to render at all names nothing."""
    try:
        names = render().named()
    except Exception:
        names = Rendered()
    return dataclasses.replace(names, problems=tuple(errors))


def _sooner(result: Result | None, recheck: float | None) -> Result | None:
    """``result``, brought forward to ``recheck`` seconds when that is sooner (a child name
    held by a stranger sends no event when it is freed, so the owner looks again)."""
    if recheck is None:
        return result
    if result is not None and result.requeue_after and result.requeue_after < recheck:
        return result
    return Result(requeue_after=recheck)


def key_text(obj: Mapping[str, Any]) -> str:
    """`namespace/name`: how store indexes name an object another object refers to."""
    return str(key_of(obj))


def primary_controller(
    rt: Runtime,
    name: str,
    reconciler: type[PrimaryReconciler[Any]],
    children: Sequence[Kind],
    *,
    workers: int,
    child_filters: Mapping[Kind, Predicate] | None = None,
) -> Controller:
    """The controller of one kind: its reconciler over a ChildSync of the child kinds this
    cluster serves, woken by the kind's spec or deletion changes and by any owned child (an
    event of a kind in ``child_filters`` only when its predicate holds)."""
    served = [k for k in children if rt.served(k)]
    # A kind the RBAC table grants nimop no delete of its own on is never pruned (PVCs hold
    # data; immutable settings make the others unprunable): the table decides both.
    kept = [rt.resource(k) for k in served if not permissions.sent(k.group, k.plural, "delete")]
    # Kinds cached whole show a stranger in the store: the sync never reads one.
    whole = [rt.resource(k) for k in served if k.cached_whole]
    # Writes are remembered under the controller's name (so their echoes wake nobody) only
    # when the reconciler says they may; read-your-writes holds either way.
    writer = "" if reconciler.own_writes_wake else name
    sync = ChildSync(rt.client, [(rt.resource(k), rt.store(k)) for k in served], kept=kept,
                     whole=whole, writer=writer)  # fmt: skip
    ctrl = Controller(name, reconciler(rt, sync), workers=workers)
    ctrl.for_(rt.informers[reconciler.kind], spec_or_deletion_changed)
    filters = child_filters or {}
    for child in served:
        only = (filters[child],) if child in filters else ()
        ctrl.owns(rt.informers[child], reconciler.kind.group, reconciler.kind.kind, *only)
    return ctrl


#: Problem reasons the children sync itself reports (the apiserver refused a child / a child
#: name is held by a stranger).
CHILD_PROBLEMS = frozenset({"ChildRejected", "ChildConflict"})


async def apply_or_reject(work: Awaitable[object], rendered: Rendered) -> Rendered:
    """Run the children sync; when the apiserver rejects a child as invalid (input that passed
    admission of the CR but not of its child, e.g. a malformed env name), the render gets a
    `ChildRejected` problem naming what the apiserver said — retrying the same spec cannot
    succeed, so the CR reports Failed and waits for a spec change instead of hot-looping.
    A child name held by an object this CR does not control becomes `ChildConflict` (Failed,
    naming the object, its owner and the fix); the children sync re-checks it on a backoff.
    A denial by another project's admission webhook (KServe's validator refusing an
    InferenceService) is the same kind of verdict on the spec and reads the same way; any other
    403 (RBAC) is not, and propagates."""
    try:
        await work
    except ChildConflictError as exc:
        problem = Problem("ChildConflict", str(exc), failed=True)
        return dataclasses.replace(rendered, problems=(*rendered.problems, problem))
    except InvalidError as exc:
        return _rejected(rendered, f"the apiserver rejected a child: {exc.message}")
    except ForbiddenError as exc:
        if not exc.message.startswith(WEBHOOK_DENIAL):
            raise
        return _rejected(rendered, f"a child was refused at admission: {exc.message}")
    return rendered


#: How the apiserver words a validating or mutating webhook's refusal.
WEBHOOK_DENIAL = "admission webhook "


def _rejected(rendered: Rendered, message: str) -> Rendered:
    problem = Problem("ChildRejected", message, failed=True)
    return dataclasses.replace(rendered, problems=(*rendered.problems, problem))


#: Top-level status keys the controllers report: one no longer reported is removed.
MANAGED_STATUS = frozenset(
    {
        "state",
        "conditions",
        "availableReplicas",
        "model",
        "draResourceStatuses",
        "computeDomainStatus",
        "pvc",
        "profiles",
        "type",
        "states",
    }
)


async def release_legacy_finalizer(rt: Runtime, kind: Kind, obj: Obj) -> None:
    name = LEGACY_FINALIZER.format(kind=kind.kind.lower())
    finalizers = list(meta(obj).get("finalizers") or ())
    if name not in finalizers:
        return
    md = meta(obj)
    remaining = [f for f in finalizers if f != name]
    patch = {"metadata": {"finalizers": remaining, "resourceVersion": md.get("resourceVersion")}}
    try:
        await rt.client.patch(rt.resource(kind), md.get("namespace"), md["name"], patch)
    except NotFoundError:
        return
    log.info("released upstream finalizer", finalizer=name)


def split_owned(objects: Iterable[Obj]) -> tuple[list[Obj], list[Obj]]:
    """(owned children, shared objects): shared ones carry no ownerReferences."""
    owned: list[Obj] = []
    shared: list[Obj] = []
    for obj in objects:
        (owned if meta(obj).get("ownerReferences") else shared).append(obj)
    return owned, shared


async def ensure_shared(rt: Runtime, kinds: Sequence[Kind], objects: Iterable[Obj]) -> None:
    """Create shared objects (one per namespace, owned by no CR) when absent; never update
    them, as upstream (§2.2 a-c)."""
    by_type = {(k.api_version, k.kind): k for k in kinds}
    for obj in objects:
        kind = by_type[(obj["apiVersion"], obj["kind"])]
        md = meta(obj)
        if rt.get(kind, md.get("namespace", ""), md["name"]) is not None:
            continue
        with contextlib.suppress(AlreadyExistsError):
            await rt.client.create(rt.resource(kind), dict(obj))
