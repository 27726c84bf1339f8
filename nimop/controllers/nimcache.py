"""The NIMCache controller: a PVC and one caching Job per cache, until the model is cached.

Flow (§2.2): shared namespace ServiceAccount → PVC → manifest probe (when profiles
must be selected) → caching Job → status from the Job. A Ready cache never runs again; a failed
one is not re-run until its spec changes (see nimcache_status); a spec change while a Job is
still running replaces the Job, since a Job's template is immutable (the Job is declared
`Immutable` to ChildSync, which deletes it; the deletion wakes the reconcile that creates the
new one).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import partial
from typing import Any

import structlog

from nimop.api import kinds
from nimop.api.nimcache import NIMCache
from nimop.controllers import manifest_probe, nimcache_status
from nimop.controllers.base import (
    PrimaryReconciler,
    apply_or_reject,
    ensure_shared,
    names_only,
    primary_controller,
    split_owned,
)
from nimop.controllers.conditions import is_true
from nimop.controllers.facts import cluster_facts
from nimop.controllers.image_protocol import ImageProtocols
from nimop.controllers.runtime import Runtime
from nimop.controllers.validate import Checked
from nimop.render import ClusterFacts, Rendered, render_nimcache, select_profiles
from nimop.render.profiles import manifest_profiles
from nimop.render.result import Child
from nimop.watch.controller import Controller, Result
from nimop.watch.objects import Obj, ObjectKey, meta
from nimop.watch.sync import ChildSync, Desired, Immutable, SyncResult

log = structlog.get_logger("nimop.controllers.nimcache")

#: How soon to read a running probe pod's log again when it was not readable (upstream: 30 s).
PROBE_RETRY_SECONDS = 5.0


class NIMCacheReconciler(PrimaryReconciler[NIMCache]):
    kind = kinds.NIMCACHE
    model_type = NIMCache

    def __init__(self, rt: Runtime, children: ChildSync) -> None:
        super().__init__(rt, children)
        self.protocols = ImageProtocols(rt, enabled=rt.image_inspection)

    async def handle(
        self, key: ObjectKey, cache: dict[str, Any], cr: Checked[NIMCache]
    ) -> Result | None:
        if cr.errors or cr.model is None:
            names = partial(render_nimcache, cr.model) if cr.model else Rendered
            await self._report(cache, names_only(names, cr.errors), None, None)
            return None
        stored = cache
        cache = await self._with_protocol(cache)
        model = cr.model if cache is stored else NIMCache.model_validate(cache)
        md = meta(cache)
        facts = cluster_facts(self.rt, str(md["namespace"]), manifest_of=str(md["name"]))
        rendered = render_nimcache(model, facts)
        job = self._live(cache, rendered.workload)
        desired = self._desired(cache, rendered, job)
        requeue: Result | None = None
        probe = rendered.find("Pod")
        if probe is not None and (live := self._live(cache, rendered.probe)) is not None:
            labels = probe["metadata"].get("labels") or {}
            assert rendered.manifest is not None, "a NIMCache render always names it"
            found = await manifest_probe.read(self.rt, cache, live, labels,
                                              rendered.manifest.name)
            if found.cache_type:
                # Our own status write will not wake us (status-only updates are filtered),
                # so carry on with the cache as it now is.
                res = self.rt.resource(kinds.NIMCACHE)
                patch = {"type": found.cache_type}
                await self.rt.client.patch_status(res, key.namespace, key.name, patch)
                cache = {**cache, "status": {**(cache.get("status") or {}), **patch}}
                stored = {**stored, "status": {**(stored.get("status") or {}), **patch}}
                rendered = render_nimcache(NIMCache.model_validate(cache), facts)
                desired = self._desired(cache, rendered, job)
            if found.configmap is not None:
                desired.append(found.configmap)
            if found.retry:
                requeue = Result(requeue_after=PROBE_RETRY_SECONDS)
        owned, shared = split_owned(desired)
        await ensure_shared(self.rt, kinds.NIMCACHE_CHILDREN, shared)
        # Once Ready nothing is pruned: the completed Job (and its logs) stays until its TTL, and
        # no write happens when the cache turns Ready.
        ready = (cache.get("status") or {}).get("state") == "Ready"
        synced: list[SyncResult] = []
        sync = self._sync(cache, owned, prune=rendered.ok and not ready, into=synced)
        rendered = await apply_or_reject(sync, rendered)
        if any(r.recreated for r in synced):
            log.info("replacing caching Job rendered from an older spec", nimcache=key.name)
            return None  # the deletion wakes the reconcile that creates the new Job and reports
        await self._report(cache, rendered, self._live(cache, rendered.workload), facts, stored)
        return requeue

    async def _with_protocol(self, cache: dict[str, Any]) -> dict[str, Any]:
        """The cache with `status.type` as the image's model-download protocol says (§2.2 e):
        `native` for a native-v1 NGC image, a stale `native` cleared otherwise. Only NGC
        caches without `modelEndpoint` that are not Ready yet are inspected (once per
        generation); the status write that records the type is the reconcile's one."""
        status = cache.get("status") or {}
        ngc = ((cache.get("spec") or {}).get("source") or {}).get("ngc") or {}
        if status.get("state") == "Ready" or not ngc or ngc.get("modelEndpoint"):
            return cache
        if status.get("type") == "model-free":
            return cache
        md = meta(cache)
        secret = str(ngc.get("pullSecret") or "")
        native = await self.protocols.native(
            str(md.get("uid", "")), int(md.get("generation", 0)), str(md["namespace"]),
            str(ngc.get("modelPuller") or ""), [secret] if secret else [],
        )  # fmt: skip
        if native == (status.get("type") == "native"):
            return cache
        new_status = {k: v for k, v in status.items() if k != "type"}
        if native:
            new_status["type"] = "native"
        return {**cache, "status": new_status}

    async def _sync(
        self, cache: Mapping[str, Any], owned: Sequence[Mapping[str, Any]], *, prune: bool,
        into: list[SyncResult],
    ) -> None:  # fmt: skip
        """Sync the children; the caching Job is immutable: a Job rendered from an older spec
        that has not completed is replaced (a completed one stays, with its logs)."""
        children: list[Desired] = [
            Immutable(o, keep=_completed) if o["kind"] == "Job" else o for o in owned
        ]
        into.append(await self.children.sync(cache, children, prune=prune))

    def _live(self, cache: Obj, child: Child | None) -> dict[str, Any] | None:
        """The live object of a child the render named (its Job, its probe Pod)."""
        if child is None:
            return None
        return self.rt.get(child.kind, str(meta(cache)["namespace"]), child.name)

    def _desired(
        self, cache: Obj, rendered: Rendered, job: Obj | None
    ) -> list[dict[str, Any]]:
        """Rendered objects, plus the stored manifest ConfigMap; a failed cache keeps its failed
        Job for inspection (until its TTL) but never gets a new one for the same spec."""
        objects = list(rendered.objects)
        if nimcache_status.failed_for_generation(cache) and job is None:
            objects = [o for o in objects if o["kind"] != "Job"]
        cm = (manifest_probe.live_configmap(self.rt, cache, rendered.manifest.name)
              if rendered.manifest else None)
        if cm is not None:
            objects.append(cm)
        return objects

    async def _report(
        self,
        cache: Obj,
        rendered: Rendered,
        job: Obj | None,
        facts: ClusterFacts | None,
        stored: Obj | None = None,
    ) -> None:
        """Status computed from `cache` (with the type this reconcile decided), written against
        `stored`, the object as the store holds it."""
        pvc = self._live(cache, rendered.storage)
        status = nimcache_status.compute(
            cache, rendered, pvc, job, profiles=_profiles(cache, facts), now=self.rt.now()
        )
        await self.write_status(stored or cache, status)


def _completed(job: Mapping[str, Any]) -> bool:
    return is_true(job, "Complete")


def _profiles(cache: Obj, facts: ClusterFacts | None) -> list[dict[str, Any]]:
    """`status.profiles` (§2.2 h): each selected profile found in the manifest — the manifest
    and GPU products the render used, not read again."""
    if facts is None:
        return []
    md = meta(cache)
    manifest = facts.model_manifest(str(md["namespace"]), str(md["name"]))
    if not manifest:
        return []
    ngc = NIMCache.model_validate(cache).spec.source.ngc
    selected = set(select_profiles(ngc.model if ngc else None, manifest, facts.gpu_products))
    _, profiles = manifest_profiles(manifest)
    out = []
    for pid, tags in profiles:
        if pid in selected or "all" in selected:
            raw = manifest.get(pid)
            entry: Mapping[str, Any] = raw if isinstance(raw, Mapping) else {}
            out.append(
                {
                    "name": pid,
                    "model": str(entry.get("model", "")),
                    "release": str(entry.get("release", "")),
                    "config": tags,
                }
            )
    return out


def build(rt: Runtime, *, workers: int = 2) -> Controller:
    return primary_controller(
        rt, "nimcache", NIMCacheReconciler, kinds.NIMCACHE_CHILDREN, workers=workers
    )
