"""Sync of children: make the live children of one owner match the desired manifests.

For each desired child:

* missing from the informer store -> server-side apply (creates it);
* present but drifted -> apply. Drift is (a) a field we set that differs from live (a subset
  check, see ``diff.py``: server defaults and other managers' fields do not count) or (b) a
  different manifest hash in an annotation, which is how we notice a field we *stopped* setting
  (SSA then removes it, since we owned it);
* otherwise nothing: at steady state sync sends **zero** requests.

A child declared :class:`Immutable` (a Job, whose pod template cannot change) is not applied
when the manifest we want changed: the live object is deleted (UID precondition) and the next
sync — woken by that deletion — creates it anew, unless ``keep(live)`` says the live one is
finished: then it stays as it is, with no write (a completed Job keeps its logs; one another
operator created is adopted as it is). A manual edit of such a child (same manifest hash) is
applied back as for any child.

Never adopt a stranger (``ownership.py``): a live object with the child's name that this owner
does not control gets no write; the sync ends with a ``ChildConflictError`` naming it, after
every other child was written. An owner in conflict is re-checked with ``recheck_after``. A
child missing from the store is created with a *create-only* apply (see ``create_only``): one
round trip when the name is free, and a refusal — not a takeover — when someone holds it; only
then is the holder read to tell an adoptable object from a stranger.

Children the owner controls (found through the store's owner-UID index) that are no longer
desired are deleted with a UID precondition. Once the owner has a ``deletionTimestamp`` nothing
is created or changed (garbage collection is under way). Reads come from informer stores only.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import anyio
import structlog

from .client import KubeClient
from .diff import diff_paths, manifest_hash
from .errors import ConflictError, NotFoundError
from .objects import Obj, ObjectKey, ResourceRef, key_of, meta
from .ownership import ChildConflict, ChildConflictError, owned_by
from .store import Store

__all__ = ["ChildSync", "Immutable", "SyncResult", "owner_reference"]

log = structlog.get_logger("nimop.watch.sync")

DEFAULT_HASH_ANNOTATION = "nimop.io/applied-hash"

#: Re-check of an owner in conflict: first after this many seconds, doubling up to the cap.
CONFLICT_RECHECK = (10.0, 300.0)

#: children whose last drift check found nothing, remembered at most (per ChildSync)
IN_LINE_MAX = 100_000

#: A resourceVersion no stored object has: etcd's revision starts at 1 and its first write is
#: revision 2. An apply carrying it is a precondition every existing object fails (409).
NO_OBJECT_HAS = "1"


def create_only(desired: Obj) -> Obj:
    """``desired`` as a server-side apply that creates the object or fails with 409 Conflict.

    The apiserver treats ``metadata.resourceVersion`` in an applied configuration as an
    optimistic-concurrency precondition; on an object that does not exist it creates it, owned
    by our field manager's Apply entry exactly as a plain apply would (resourceVersion is not a
    managed field). One request instead of GET-then-apply, and without the window between the
    two in which a stranger could be taken over."""
    return {**desired, "metadata": {**desired["metadata"], "resourceVersion": NO_OBJECT_HAS}}


@dataclass(frozen=True)
class Immutable:
    """A desired child that cannot be changed in place: recreate it when its manifest changes.

    ``keep(live)`` true leaves the live object as it is (e.g. a Job that completed)."""

    manifest: Mapping[str, Any]
    keep: Callable[[Mapping[str, Any]], bool] | None = None


Desired = Mapping[str, Any] | Immutable


@dataclass
class SyncResult:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    deleted: list[str] = field(default_factory=list)
    #: immutable children deleted to be created anew by the next sync
    recreated: list[str] = field(default_factory=list)
    unchanged: int = 0
    conflicts: list[ChildConflict] = field(default_factory=list)

    @property
    def writes(self) -> int:
        return len(self.created) + len(self.updated) + len(self.deleted) + len(self.recreated)


def owner_reference(owner: Mapping[str, Any]) -> dict[str, Any]:
    """A controller ownerReference to ``owner`` (``blockOwnerDeletion`` like c-r sets it)."""
    md = meta(owner)
    return {
        "apiVersion": owner["apiVersion"],
        "kind": owner["kind"],
        "name": md["name"],
        "uid": md["uid"],
        "controller": True,
        "blockOwnerDeletion": True,
    }


class ChildSync:
    """Reusable children sync for one controller: ``await sync.sync(owner, desired)``.

    ``kinds`` lists every child kind the controller manages with the informer store that caches
    it; those stores must carry the children (e.g. a label-selected informer). Children of the
    kinds in ``kept`` are never pruned (data a spec stops creating stays; garbage collection
    removes it with its owner). Kinds in ``whole`` are cached whole (an informer without label
    selector): their store shows every holder of a name, so a stranger is found there and a
    create refused with 409 only means the cache lags behind another client's create; that
    sync ends with a ``ConflictError`` (requeued with backoff, by when the cache shows the
    holder) instead of reading it, and nimop needs no ``get`` on the kind. Every apply's answer
    is remembered in its store as ``writer``'s (read-your-writes, ``store.py``).
    """

    def __init__(
        self,
        client: KubeClient,
        kinds: Sequence[tuple[ResourceRef, Store]],
        *,
        hash_annotation: str = DEFAULT_HASH_ANNOTATION,
        max_parallel: int = 8,
        kept: Iterable[ResourceRef] = (),
        whole: Iterable[ResourceRef] = (),
        writer: str = "",
    ) -> None:
        self._client = client
        self._kept = {(r.api_version, r.kind) for r in kept}
        self._whole = {(r.api_version, r.kind) for r in whole}
        self._kinds = {(r.api_version, r.kind): (r, s) for r, s in kinds}
        self._hash_annotation = hash_annotation
        self._max_parallel = max_parallel
        #: owner key -> (owner UID, consecutive syncs that ended in a conflict): drives
        #: ``recheck_after``; an entry goes when the owner's sync is clean or the owner goes.
        self._conflicted: dict[ObjectKey, tuple[str, int]] = {}
        #: the name every write is remembered under: its echo does not wake this controller
        self.writer = writer
        #: children found in line with what we want, as (live resourceVersion, desired hash)
        self._in_line: dict[tuple[str, str, ObjectKey], tuple[str, str]] = {}

    def prepare(self, owner: Mapping[str, Any], manifest: Mapping[str, Any]) -> Obj:
        """Desired child with namespace defaulted, owner reference and manifest hash added."""
        res = self._resource(manifest)
        md = dict(manifest.get("metadata") or {})
        owner_ns = meta(owner).get("namespace")
        if res.namespaced:
            md.setdefault("namespace", owner_ns)
        if not owner_ns or md.get("namespace") == owner_ns:
            refs = [
                r for r in md.get("ownerReferences") or () if r.get("uid") != meta(owner)["uid"]
            ]
            md["ownerReferences"] = [*refs, owner_reference(owner)]
        desired = {**manifest, "metadata": md}
        annotations = dict(md.get("annotations") or {})
        annotations[self._hash_annotation] = manifest_hash(desired)
        md["annotations"] = annotations
        return desired

    def drift(self, desired: Obj, live: Obj | None) -> list[str]:
        """Why ``live`` needs an apply (empty when it does not)."""
        if live is None:
            return ["<missing>"]
        return diff_paths(desired, live)

    async def sync(
        self,
        owner: Mapping[str, Any],
        manifests: Sequence[Desired],
        *,
        prune: bool = True,
    ) -> SyncResult:
        """Apply what drifted; with ``prune``, delete owned children not in ``manifests``.

        Pass ``prune=False`` when the desired set is known to be incomplete (the owner waits
        for something), so children that are running are not torn down meanwhile."""
        result = SyncResult()
        if meta(owner).get("deletionTimestamp"):
            self.forget(key_of(owner))
            return result  # never recreate what garbage collection is removing
        owner_uid = str(meta(owner)["uid"])
        wanted: set[tuple[str, str, ObjectKey]] = set()
        writes: list[tuple[ResourceRef, Obj, bool]] = []
        recreates: list[tuple[ResourceRef, Obj]] = []
        keeps: dict[tuple[str, ObjectKey], Callable[[Mapping[str, Any]], bool]] = {}
        for child in manifests:
            manifest = child.manifest if isinstance(child, Immutable) else child
            desired = self.prepare(owner, manifest)
            res, store = self._kinds[(desired["apiVersion"], desired["kind"])]
            key = key_of(desired)
            wanted.add((res.api_version, res.kind, key))
            # the child as cached, or as this sync's last write left it while the cache lags
            # (read-your-writes): a child in flight is neither missing nor drifted
            live = store.get(key)
            if live is not None and _guarded(desired, owner_uid) and not owned_by(live, owner_uid):
                result.conflicts.append(ChildConflict.of(res.kind, live))
                continue
            reasons = self._drift_of(res, desired, live)
            if not reasons:
                result.unchanged += 1
                continue
            if live is not None and isinstance(child, Immutable) and self._finished(
                child, desired, live
            ):
                result.unchanged += 1  # left as it is: its template cannot change anyway
                continue
            if live is not None and isinstance(child, Immutable) and self._outdated(
                child, desired, live
            ):
                log.info("immutable child outdated; recreating", kind=res.kind, child=str(key))
                recreates.append((res, live))
                continue
            if live is not None:
                log.info("child drifted", kind=res.kind, child=str(key), fields=reasons[:5])
            elif isinstance(child, Immutable) and child.keep is not None:
                keeps[(res.kind, key)] = child.keep
            writes.append((res, desired, live is None))
        deletes = self._orphans(owner_uid, wanted) if prune else []
        owner_key = key_of(owner)
        rechecking = self._conflicted.get(owner_key, ("", 0))[0] == owner_uid
        await self._write(owner_uid, writes, deletes, result, recreates, keeps, rechecking)
        if result.conflicts:
            uid, count = self._conflicted.get(owner_key, (owner_uid, 0))
            self._conflicted[owner_key] = (owner_uid, count + 1 if uid == owner_uid else 1)
            raise ChildConflictError(owner, result)
        self._conflicted.pop(owner_key, None)
        return result

    def _drift_of(self, res: ResourceRef, desired: Obj, live: Obj | None) -> list[str]:
        """``drift``, remembered per child for (live resourceVersion, desired hash): neither
        side changed since it was last found in line, so it still is (most reconciles are
        woken by one child's change and find its siblings as they were)."""
        if live is None:
            return self.drift(desired, live)
        key = (res.api_version, res.kind, key_of(live))
        seen = (str(meta(live).get("resourceVersion")),
                desired["metadata"]["annotations"][self._hash_annotation])  # fmt: skip
        if self._in_line.get(key) == seen:
            return []
        reasons = self.drift(desired, live)
        if reasons:
            self._in_line.pop(key, None)
        else:
            if len(self._in_line) >= IN_LINE_MAX:
                self._in_line.clear()  # owners gone long ago: start over, it is only a cache
            self._in_line[key] = seen
        return reasons

    def _remember(self, res: ResourceRef, written: Obj) -> None:
        self._kinds[(res.api_version, res.kind)][1].remember(written, self.writer)

    def forget(self, owner_key: ObjectKey) -> None:
        """The owner is gone (or going): drop what was kept about it, so a controller that
        sees many short-lived owners in conflict does not grow without bound."""
        self._conflicted.pop(owner_key, None)

    @property
    def in_conflict(self) -> frozenset[ObjectKey]:
        """Owners whose last sync ended in a conflict (and that are not gone)."""
        return frozenset(self._conflicted)

    def recheck_after(self, owner: Mapping[str, Any]) -> float | None:
        """Seconds until an owner whose last sync hit a conflict should be synced again (the
        stranger is outside the informer's label selector, so its removal sends no event):
        10 s, doubling to 5 min. None when the owner is not in conflict."""
        uid, count = self._conflicted.get(key_of(owner), ("", 0))
        if not count or uid != str(meta(owner).get("uid")):
            return None
        first, cap = CONFLICT_RECHECK
        return float(min(cap, first * 2 ** (count - 1)))

    def _finished(self, child: Immutable, desired: Obj, live: Obj) -> bool:
        """``keep(live)`` holds and ``live`` was applied from another manifest (an older spec,
        or another operator's: upstream's completed caching Job): nothing is written to it."""
        if child.keep is None or not child.keep(live):
            return False
        want = desired["metadata"]["annotations"][self._hash_annotation]
        return bool((meta(live).get("annotations") or {}).get(self._hash_annotation) != want)

    def _outdated(self, child: Immutable, desired: Obj, live: Obj) -> bool:
        """The manifest we want changed since ``live`` was applied, and live may go."""
        if child.keep is not None and child.keep(live):
            return False
        want = desired["metadata"]["annotations"][self._hash_annotation]
        applied = (meta(live).get("annotations") or {}).get(self._hash_annotation)
        return bool(applied != want)

    def _resource(self, manifest: Mapping[str, Any]) -> ResourceRef:
        try:
            return self._kinds[(manifest["apiVersion"], manifest["kind"])][0]
        except KeyError:
            raise ValueError(
                f"child kind {manifest.get('apiVersion')}/{manifest.get('kind')} is not "
                "registered with this ChildSync"
            ) from None

    def _orphans(
        self, owner_uid: str, wanted: set[tuple[str, str, ObjectKey]]
    ) -> list[tuple[ResourceRef, Obj]]:
        out = []
        for res, store in self._kinds.values():
            if (res.api_version, res.kind) in self._kept:
                continue
            for child in store.children_of(owner_uid):
                if (res.api_version, res.kind, key_of(child)) in wanted:
                    continue
                if not meta(child).get("deletionTimestamp"):
                    out.append((res, child))
        return out

    async def _create(
        self, owner_uid: str, res: ResourceRef, desired: Obj,
        keep: Callable[[Mapping[str, Any]], bool] | None = None, *, read_first: bool = False,
    ) -> ChildConflict | bool | None:  # fmt: skip
        """Create ``desired`` unless its name is taken; adopt it when this owner already controls
        it. A conflict (and nothing written) when a stranger holds the name; False when it is an
        immutable child that ``keep`` says is finished (another operator's completed Job): it
        is adopted as it is, only our labels applied so the cache sees it. The holder of a taken
        name is read with one GET; with ``read_first`` (an owner already in conflict: its
        stranger is most likely still there) that GET comes first and alone."""
        key = key_of(desired)
        whole = (res.api_version, res.kind) in self._whole
        if not read_first or whole:
            try:
                self._remember(res, await self._client.apply(res, create_only(desired)))
                return None
            except ConflictError:
                if whole:  # created by another client a moment ago: wait for the cache
                    raise
                # the name is taken: by whom decides adoption
        try:
            live = await self._client.get(res, key.namespace, key.name)
        except NotFoundError:  # gone meanwhile: the name is free
            self._remember(res, await self._client.apply(res, create_only(desired)))
            return None
        if not owned_by(live, owner_uid):
            return ChildConflict.of(res.kind, live)
        if keep is not None and keep(live):
            # Its template cannot change: only the labels that bring it into our cache.
            log.info("adopting a finished child as it is", kind=res.kind, child=str(key))
            labels = {"metadata": {"name": key.name, "namespace": key.namespace,
                                   "labels": dict(meta(desired).get("labels") or {})}}
            head = {"apiVersion": desired["apiVersion"], "kind": desired["kind"]}
            self._remember(res, await self._client.apply(res, {**head, **labels}))
            return False
        log.info("adopting a child this owner already controls", kind=res.kind, child=str(key))
        self._remember(res, await self._client.apply(res, desired))
        return None

    async def _write(
        self,
        owner_uid: str,
        writes: list[tuple[ResourceRef, Obj, bool]],
        deletes: list[tuple[ResourceRef, Obj]],
        result: SyncResult,
        recreates: list[tuple[ResourceRef, Obj]],
        keeps: Mapping[tuple[str, ObjectKey], Callable[[Mapping[str, Any]], bool]],
        rechecking: bool = False,
    ) -> None:
        limiter = anyio.CapacityLimiter(self._max_parallel)
        errors: list[Exception] = []

        async def apply(res: ResourceRef, desired: Obj, create: bool) -> None:
            async with limiter:
                try:
                    if create and _guarded(desired, owner_uid):
                        keep = keeps.get((res.kind, key_of(desired)))
                        conflict = await self._create(
                            owner_uid, res, desired, keep, read_first=rechecking
                        )
                        if conflict is False:
                            result.updated.append(f"{res.kind}/{key_of(desired)}")
                            return
                        if isinstance(conflict, ChildConflict):
                            result.conflicts.append(conflict)
                            return
                    else:
                        self._remember(res, await self._client.apply(res, desired))
                except Exception as exc:
                    errors.append(exc)
                    return
            (result.created if create else result.updated).append(f"{res.kind}/{key_of(desired)}")

        async def delete(res: ResourceRef, child: Obj, done: list[str]) -> None:
            key = key_of(child)
            async with limiter:
                try:
                    await self._client.delete(res, key.namespace, key.name, uid=meta(child)["uid"])
                except NotFoundError:
                    pass
                except Exception as exc:
                    errors.append(exc)
                    return
            done.append(f"{res.kind}/{key}")

        async with anyio.create_task_group() as tg:
            for res, desired, create in writes:
                tg.start_soon(apply, res, desired, create)
            for res, child in deletes:
                tg.start_soon(delete, res, child, result.deleted)
            for res, child in recreates:
                tg.start_soon(delete, res, child, result.recreated)
        if errors:
            raise errors[0]


def _guarded(desired: Obj, owner_uid: str) -> bool:
    """Is the no-adoption rule decidable for this child? Only when it carries our controller
    ownerReference (same namespace as the owner); children elsewhere are tracked by label."""
    return owned_by(desired, owner_uid)
