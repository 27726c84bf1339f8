"""NIMBuild status as a pure function of the CR, its render result and what the controller saw.

States keep upstream's vocabulary (§1.5: `Pending`, `InProgress`, `Ready`, `Failed`)
and its `NIM_BUILD_*` condition types, plus the standard `Ready` condition. Waiting for the
NIMCache — absent or not Ready yet — is `Pending`, not `Failed` (upstream marks it Failed and
never looks again, §9 bugs 2, 3): the controller is woken when the cache changes.

A build is one-shot (its spec is immutable), so three outcomes are final and kept as they were
first written: `Ready` with `outputProfile`, a failed engine build pod, and a local manifest
without the built profile.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from nimop.controllers import conditions
from nimop.controllers.conditions import Cond
from nimop.render import Problem, Rendered
from nimop.render.nimbuild import (
    MANIFEST_COMPLETED,
    POD_COMPLETED,
    build_completed,
    manifest_completed,
)
from nimop.watch.objects import Obj

WAIT_FOR_CACHE = "NIM_BUILD_WAIT_FOR_NIM_CACHE_READY"
RECONCILE_FAILED = "NIM_BUILD_RECONCILE_FAILED"
MULTIPLE_PROFILES = "NIM_BUILD_MULTIPLE_BUILDABLE_PROFILES_FOUND"
SINGLE_PROFILE = "NIM_BUILD_SINGLE_BUILDABLE_PROFILE_FOUND"
NO_PROFILE = "NIM_BUILD_NO_BUILDABLE_PROFILE_FOUND"
POD_CREATED = "NIM_BUILD_ENGINE_BUILD_POD_CREATED"
POD_PENDING = "NIM_BUILD_ENGINE_BUILD_POD_PENDING"
CACHE_NOT_FOUND = "NIM_BUILD_NIM_CACHE_NOT_FOUND"
CACHE_FAILED = "NIM_BUILD_NIM_CACHE_FAILED"

#: The upstream condition a problem sets True; any other failure is a reconcile failure.
_PROBLEM_CONDITION = {
    "NIMCacheNotFound": CACHE_NOT_FOUND,
    "NIMCacheNotReady": WAIT_FOR_CACHE,
    "NIMCacheFailed": CACHE_FAILED,
    "NoBuildableProfile": NO_PROFILE,
    "MultipleBuildableProfiles": MULTIPLE_PROFILES,
}
#: Conditions that describe a problem which went away: set False once it did (when present).
_CLEARED = (
    CACHE_NOT_FOUND,
    WAIT_FOR_CACHE,
    CACHE_FAILED,
    NO_PROFILE,
    MULTIPLE_PROFILES,
    RECONCILE_FAILED,
)


@dataclass(frozen=True)
class Observed:
    """What the controller found: the live build pod, the chosen input profile and, after the
    local manifest was read, the built profile (all as NIMProfile-shaped dicts)."""

    build_pod: Obj | None = None
    input_profile: Obj | None = None
    output_profile: Obj | None = None


def compute(build: Obj, rendered: Rendered, seen: Observed, *, now: str) -> dict[str, Any]:
    old = build.get("status") or {}
    state, wanted = _state(old, rendered, seen)
    generation = int((build.get("metadata") or {}).get("generation", 0))
    status: dict[str, Any] = {
        "state": state,
        "conditions": conditions.merge(
            old.get("conditions"), wanted, generation=generation, now=now
        ),
    }
    input_profile = old.get("inputProfile") or seen.input_profile
    if input_profile:
        status["inputProfile"] = dict(input_profile)
    output_profile = old.get("outputProfile") or seen.output_profile
    if output_profile:
        status["outputProfile"] = dict(output_profile)
    return status


def _state(old: Obj, rendered: Rendered, seen: Observed) -> tuple[str, list[Cond]]:
    if old.get("outputProfile"):
        return "Ready", [_ready(old["outputProfile"])]
    if build_completed(old) is False or manifest_completed(old) is False:
        ready = conditions.find(old.get("conditions"), "Ready") or {}
        return "Failed", [
            Cond(
                "Ready",
                False,
                str(ready.get("reason") or "EngineBuildFailed"),
                str(ready.get("message") or ""),
            )
        ]
    failed = next((p for p in rendered.problems if p.failed), None)
    if failed is not None:
        return "Failed", [*_cleared(old, failed), *_problem(failed)]
    if rendered.problems:
        return "Pending", [*_cleared(old, rendered.problems[0]), *_problem(rendered.problems[0])]
    found = _cleared(old, None)
    if seen.input_profile:
        name = seen.input_profile.get("name")
        found.append(
            Cond(SINGLE_PROFILE, True, "BuildableProfileFound", f"building from profile {name}")
        )
    if build_completed(old):
        return _manifest_stage(seen, found)
    return _pod_stage(seen.build_pod, found)


def _problem(p: Problem) -> list[Cond]:
    if p.reason == "BuiltProfileNotFound":  # the manifest pod completed, without success
        return [
            Cond(MANIFEST_COMPLETED, False, p.reason, p.message),
            Cond("Ready", False, p.reason, p.message),
        ]
    out = [Cond(_PROBLEM_CONDITION.get(p.reason, RECONCILE_FAILED), True, p.reason, p.message)]
    return [*out, Cond("Ready", False, p.reason, p.message)]


def _cleared(old: Obj, current: Problem | None) -> list[Cond]:
    """False for each problem condition set earlier that no longer holds."""
    keep = _PROBLEM_CONDITION.get(current.reason, RECONCILE_FAILED) if current else None
    out = []
    for kind in _CLEARED:
        cond = conditions.find(old.get("conditions"), kind)
        if kind != keep and cond is not None and cond.get("status") == "True":
            out.append(Cond(kind, False, "Resolved", "no longer the case"))
    return out


def _pod_stage(pod: Obj | None, found: list[Cond]) -> tuple[str, list[Cond]]:
    if pod is None:
        msg = "waiting for the engine build pod to be created"
        return "Pending", [*found, Cond("Ready", False, "BuildPodPending", msg)]
    name = pod["metadata"]["name"]
    status = pod.get("status") or {}
    created = Cond(POD_CREATED, True, "PodCreated", f"engine build pod {name} created")
    if status.get("phase") == "Failed":
        why = f"engine build pod {name} failed: {_pod_detail(pod)}"
        return "Failed", [
            *found,
            created,
            Cond(POD_PENDING, False, "PodFailed", why),
            Cond(POD_COMPLETED, False, "PodFailed", why),
            Cond("Ready", False, "EngineBuildFailed", why),
        ]
    if conditions.is_true(pod, "Ready"):
        done = f"engine build pod {name} finished building the engine"
        return "InProgress", [
            *found,
            created,
            Cond(POD_PENDING, False, "PodReady", done),
            Cond(POD_COMPLETED, True, "PodReady", done),
            Cond("Ready", False, "LocalManifestPending", done),
        ]
    msg = f"engine build pod {name} is building the engine (phase {status.get('phase') or '-'})"
    return "InProgress", [
        *found,
        created,
        Cond(POD_PENDING, True, "PodRunning", msg),
        Cond("Ready", False, "PodRunning", msg),
    ]


def _pod_detail(pod: Obj) -> str:
    status = pod.get("status") or {}
    for ctr in status.get("containerStatuses") or ():
        term = (ctr.get("state") or {}).get("terminated")
        if term:
            return f"{term.get('reason', '')} (exit code {term.get('exitCode')})".strip()
    return str(status.get("reason") or status.get("message") or "phase Failed")


def _manifest_stage(seen: Observed, found: list[Cond]) -> tuple[str, list[Cond]]:
    if seen.output_profile:
        done = Cond(
            MANIFEST_COMPLETED,
            True,
            "ProfileBuilt",
            f"built profile {seen.output_profile.get('name')} found in the local manifest",
        )
        return "Ready", [*found, done, _ready(seen.output_profile)]
    msg = "reading the built profile from the cache's local manifest"
    return "InProgress", [*found, Cond("Ready", False, "LocalManifestPending", msg)]


def _ready(profile: Obj) -> Cond:
    return Cond(
        "Ready",
        True,
        "ProfileBuilt",
        f"the engine is built: profile {profile.get('name')} is in the NIMCache",
    )
