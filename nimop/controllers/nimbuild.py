"""The NIMBuild controller: build a TensorRT-LLM engine into a NIMCache, once (§2.7).

Flow: wait for the NIMCache to be Ready → pick the buildable input profile → run the engine
build pod until Ready → record that in status, then drop the pod → run the local-manifest probe
pod and read its log once → record the built profile in the NIMBuild's `outputProfile` and
append it to the NIMCache's `status.profiles` → drop the probe pod.

Every stage change is written to status *before* the pod of the previous stage is deleted, so
a restart never loses a finished build. It wakes on its own spec changes (creation, deletion),
on its pods, and on the NIMCache it names — a store index on `spec.nimCache.name` (upstream
queries an index it never registered, so a NIMCache change never reaches its builds, §9 bug 2).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Mapping
from typing import Any

import structlog
import yaml

from nimop.api import kinds
from nimop.api.nimbuild import NIMBuild
from nimop.controllers import nimbuild_status
from nimop.controllers.base import (
    PrimaryReconciler,
    apply_or_reject,
    key_text,
    primary_controller,
)
from nimop.controllers.conditions import is_true
from nimop.controllers.facts import cluster_facts
from nimop.controllers.manifest_probe import pod_log
from nimop.controllers.nimbuild_status import Observed
from nimop.controllers.runtime import Runtime
from nimop.controllers.validate import Checked
from nimop.render import NIMCacheFacts, Problem, Rendered
from nimop.render.nimbuild import (
    MANIFEST_CONTAINER,
    build_completed,
    built_profile,
    model_name,
    render_nimbuild,
    select_input_profile,
)
from nimop.render.result import Child
from nimop.watch.controller import Controller, Result
from nimop.watch.errors import KubeError
from nimop.watch.objects import Obj, ObjectKey, get, meta
from nimop.watch.sources import enqueue_from_index

log = structlog.get_logger("nimop.controllers.nimbuild")

INDEX_NIMCACHE = "nimbuild-nimcache"
#: How soon to read a running probe pod's log again when it printed nothing yet.
PROBE_RETRY_SECONDS = 5.0



def nimcache_of(obj: Obj) -> list[str]:
    """Index: `namespace/cache` of the NIMCache a NIMBuild builds from."""
    name = get(obj, "spec.nimCache.name")
    return [f"{meta(obj).get('namespace')}/{name}"] if name else []


@dataclasses.dataclass(frozen=True)
class ManifestRead:
    """The probe's outcome: the built profile, a reason it cannot be found, or try again."""

    profile: dict[str, Any] | None = None
    problem: Problem | None = None
    retry: bool = False


class NIMBuildReconciler(PrimaryReconciler[NIMBuild]):
    kind = kinds.NIMBUILD
    model_type = NIMBuild

    async def handle(self, key: ObjectKey, build: Obj, cr: Checked[NIMBuild]) -> Result | None:
        if cr.errors or cr.model is None:
            await self._report(build, Rendered(problems=tuple(cr.errors)), Observed())
            return None
        cache = self._cache(build)
        rendered = self._render(build)
        seen = Observed(
            build_pod=self._pod(build, rendered.workload),
            input_profile=self._input_profile(build, cache),
        )
        if self._build_pod_finished(build, seen.build_pod):
            # Record the outcome before the pod leaves the desired set (and is deleted).
            build = await self._report(build, rendered, seen)
            rendered = self._render(build)
        requeue: Result | None = None
        if build_completed(build.get("status")) and rendered.ok:
            build, rendered, seen, requeue = await self._read_manifest(build, rendered, seen)
        sync = self.children.sync(build, rendered.objects, prune=rendered.ok)
        rendered = await apply_or_reject(sync, rendered)
        await self._report(build, rendered, seen)
        return requeue

    def _render(self, build: Obj) -> Rendered:
        facts = cluster_facts(
            self.rt,
            str(meta(build)["namespace"]),
            nimcache=str(get(build, "spec.nimCache.name") or ""),
        )
        # parsed again after this reconcile's own status writes (they change the stage)
        return render_nimbuild(NIMBuild.model_validate(build), facts)

    def _cache(self, build: Obj) -> Obj | None:
        name = str(get(build, "spec.nimCache.name") or "")
        return self.rt.get(kinds.NIMCACHE, str(meta(build)["namespace"]), name)

    def _pod(self, build: Obj, child: Child | None) -> dict[str, Any] | None:
        """The live pod the render named (`rendered.workload` or `.probe`), if ours."""
        if child is None:
            return None
        md = meta(build)
        pod = self.rt.get(kinds.POD, str(md["namespace"]), child.name)
        owners = (meta(pod).get("ownerReferences") or ()) if pod else ()
        return pod if any(o.get("uid") == md.get("uid") for o in owners) else None

    @staticmethod
    def _input_profile(build: Obj, cache: Obj | None) -> dict[str, Any] | None:
        old = get(build, "status.inputProfile")
        if old or cache is None:
            return dict(old) if old else None
        facts = NIMCacheFacts.from_object(cache)
        if not facts.ready:
            return None
        profile, _ = select_input_profile(facts, get(build, "spec.nimCache.profile"))
        if profile is None:
            return None
        return {
            "name": profile.name,
            "model": profile.model,
            "release": profile.release,
            "config": dict(profile.config),
        }

    @staticmethod
    def _build_pod_finished(build: Obj, pod: Obj | None) -> bool:
        if pod is None or build_completed(build.get("status")) is not None:
            return False
        return (pod.get("status") or {}).get("phase") == "Failed" or is_true(pod, "Ready")

    async def _read_manifest(
        self, build: Obj, rendered: Rendered, seen: Observed
    ) -> tuple[Obj, Rendered, Observed, Result | None]:
        """Stage 4: read the probe's log; on success update the NIMCache, then the NIMBuild."""
        pod = self._pod(build, rendered.probe)
        if pod is None or (pod.get("status") or {}).get("phase") != "Running":
            return build, rendered, seen, None
        found = await self._probe_log(build, pod)
        if found.retry:
            return build, rendered, seen, Result(requeue_after=PROBE_RETRY_SECONDS)
        if found.problem is not None:
            rendered = dataclasses.replace(rendered, problems=(*rendered.problems, found.problem))
            return build, rendered, seen, None
        assert found.profile is not None
        await self._add_to_cache(build, found.profile)
        seen = dataclasses.replace(seen, output_profile=found.profile)
        build = await self._report(build, rendered, seen)
        return build, self._render(build), seen, None

    async def _probe_log(self, build: Obj, pod: Obj) -> ManifestRead:
        text = await pod_log(self.rt, pod, MANIFEST_CONTAINER)
        if text is None:
            return ManifestRead(retry=True)
        spec = NIMBuild.model_validate(build).spec
        return parse_local_manifest(
            text, model_name(spec, str(meta(build)["name"])),
            str(get(build, "status.inputProfile.name") or ""),
        )

    async def _add_to_cache(self, build: Obj, profile: Mapping[str, Any]) -> None:
        """Append the built profile to the NIMCache's `status.profiles`, unless it is there.

        A merge patch replaces the whole list, so it carries the resourceVersion it was
        computed from: a concurrent status write makes it a conflict (retried with backoff)
        instead of silently dropping a profile."""
        cache = self._cache(build)
        if cache is None:
            raise KubeError(f"NIMCache {get(build, 'spec.nimCache.name')} disappeared")
        profiles = list(get(cache, "status.profiles") or [])
        if any(p.get("name") == profile["name"] for p in profiles):
            return
        md = meta(cache)
        patch = {
            "metadata": {"resourceVersion": md.get("resourceVersion")},
            "status": {"profiles": [*profiles, dict(profile)]},
        }
        await self.rt.client.patch(
            self.rt.resource(kinds.NIMCACHE),
            md.get("namespace"),
            md["name"],
            patch,
            subresource="status",
        )
        log.info(
            "built profile added to the NIMCache", nimcache=md["name"], profile=profile["name"]
        )

    async def _report(self, build: Obj, rendered: Rendered, seen: Observed) -> Obj:
        """Write the status when it changed; returns the build as it now is (our own status
        write does not wake us: status-only updates are filtered)."""
        status = nimbuild_status.compute(build, rendered, seen, now=self.rt.now())
        await self.write_status(build, status)
        return {**build, "status": status}


def parse_local_manifest(text: str, model: str, input_profile: str) -> ManifestRead:
    """The built profile in the probe's output, or why there is none."""
    try:
        parsed = yaml.safe_load(text)
    except yaml.YAMLError:
        parsed = None
    if not isinstance(parsed, Mapping):
        first = text.strip().splitlines()[0][:200]
        return ManifestRead(
            problem=Problem(
                "BuiltProfileNotFound", f"the local manifest could not be read: {first}", True
            )
        )
    profile = built_profile(parsed, model, input_profile)
    if profile is None:
        return ManifestRead(
            problem=Problem(
                "BuiltProfileNotFound",
                f"the local manifest holds no profile with tag model_name "
                f"{model}; the build did not produce an engine for it",
                True,
            )
        )
    return ManifestRead(profile=profile)


def build(rt: Runtime, *, workers: int = 2) -> Controller:
    builds = rt.informers[kinds.NIMBUILD]
    builds.add_index(INDEX_NIMCACHE, nimcache_of)
    ctrl = primary_controller(
        rt, "nimbuild", NIMBuildReconciler, kinds.NIMBUILD_CHILDREN, workers=workers
    )
    if rt.served(kinds.NIMCACHE):
        mapper = enqueue_from_index(builds.store, INDEX_NIMCACHE, key_text)
        ctrl.watches(rt.informers[kinds.NIMCACHE], mapper)
    return ctrl
