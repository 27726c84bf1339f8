"""`nimop migrate --check`: what NVIDIA's NIM Operator left in a cluster that stops nimop.

Read-only. It lists every blocker with the command that clears it (docs/migration.md walks
through the switch). What it looks for, and why each matters:

* upstream's Validating/MutatingWebhookConfiguration for ``apps.nvidia.com`` — with
  ``failurePolicy: Fail`` and its operator scaled down there are no endpoints, so *every* write
  to a NIM CR is refused (nimop's status writes included);
* upstream's operator still running — two controllers would fight over the same children;
* CRDs owned by a Helm release — a later ``helm upgrade`` of upstream's chart overwrites
  nimop's CRDs, and ``helm uninstall`` deletes them with every CR;
* upstream's finalizers on CRs — harmless to nimop (it releases them when it reconciles the
  CR), listed so nothing is a surprise, with the command that releases them at once;
* children labelled ``app.kubernetes.io/managed-by: k8s-nim-operator`` — nimop adopts those
  whose controller ownerReference is a CR it serves (same UID); any other is left alone and
  listed;
* CRs of kinds nimop does not serve (yet) — they keep their children but nothing reconciles
  them.

The checks are a pure function of a snapshot of objects (:func:`blockers`), so they are unit
tested without a cluster; :func:`snapshot` reads that snapshot with list calls only.
"""

from __future__ import annotations

import asyncio
import sys
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from nimop.api import GROUP, KINDS

UPSTREAM_MANAGER = "k8s-nim-operator"
MANAGED_BY = "app.kubernetes.io/managed-by"
HELM_RELEASE = "meta.helm.sh/release-name"
#: Upstream's finalizer names: finalizer.<lower-case kind>.apps.nvidia.com.
FINALIZER = "finalizer.{kind}.apps.nvidia.com"

Severity = Literal["blocker", "notice"]
Obj = Mapping[str, Any]


@dataclass(frozen=True)
class Finding:
    """One thing left behind: what it is, why it matters and the command that clears it."""

    severity: Severity
    what: str
    why: str
    fix: str

    def render(self) -> str:
        return f"[{self.severity}] {self.what}\n    why: {self.why}\n    fix: {self.fix}"


@dataclass
class Snapshot:
    """The objects the checks read (lists, as the apiserver returns them)."""

    webhooks: list[Obj] = field(default_factory=list)  # both kinds, each with its `kind`
    crds: list[Obj] = field(default_factory=list)
    deployments: list[Obj] = field(default_factory=list)
    crs: list[Obj] = field(default_factory=list)  # every apps.nvidia.com object, with `kind`
    children: list[Obj] = field(default_factory=list)  # labelled managed-by k8s-nim-operator


def _md(obj: Obj) -> Mapping[str, Any]:
    md: Mapping[str, Any] = obj.get("metadata") or {}
    return md


def _ref(obj: Obj) -> str:
    md = _md(obj)
    ns = md.get("namespace")
    return f"{obj.get('kind')} {ns + '/' if ns else ''}{md.get('name')}"


def _ns_flag(obj: Obj) -> str:
    ns = _md(obj).get("namespace")
    return f" -n {ns}" if ns else ""


def _webhooks(items: Iterable[Obj]) -> list[Finding]:
    out = []
    for cfg in items:
        hooks = [h for h in cfg.get("webhooks") or () if _targets_group(h)]
        if not hooks:
            continue
        failing = any(h.get("failurePolicy", "Fail") == "Fail" for h in hooks)
        effect = (
            "failurePolicy Fail refuses every write to a NIM CR"
            if failing
            else "each write waits for the webhook's timeout"
        )
        name = _md(cfg).get("name")
        out.append(
            Finding(
                "blocker" if failing else "notice",
                f"{cfg.get('kind')} {name} intercepts {GROUP} writes",
                f"with upstream's operator scaled down its webhook has no endpoints; {effect}",
                f"kubectl delete {str(cfg.get('kind')).lower()} {name}",
            )
        )
    return out


def _targets_group(hook: Obj) -> bool:
    return any(
        GROUP in (rule.get("apiGroups") or ()) or "*" in (rule.get("apiGroups") or ())
        for rule in hook.get("rules") or ()
    )


def _upstream_running(deployments: Iterable[Obj]) -> list[Finding]:
    out = []
    for dep in deployments:
        template = ((dep.get("spec") or {}).get("template") or {}).get("spec") or {}
        images = [str(c.get("image", "")) for c in template.get("containers") or ()]
        if not any(UPSTREAM_MANAGER in image for image in images):
            continue
        if int((dep.get("spec") or {}).get("replicas", 1)) == 0:
            continue
        name = _md(dep).get("name")
        out.append(
            Finding(
                "blocker",
                f"upstream's operator Deployment {_md(dep).get('namespace')}/{name} is running",
                "two operators would reconcile the same CRs and fight over their children",
                f"kubectl scale deployment {name}{_ns_flag(dep)} --replicas=0",
            )
        )
    return out


def _helm_crds(crds: Iterable[Obj]) -> list[Finding]:
    out = []
    for crd in crds:
        md = _md(crd)
        if (crd.get("spec") or {}).get("group") != GROUP:
            continue
        labels = md.get("labels") or {}
        annotations = md.get("annotations") or {}
        if labels.get(MANAGED_BY) != "Helm" and HELM_RELEASE not in annotations:
            continue
        name = md.get("name")
        out.append(
            Finding(
                "blocker",
                f"CRD {name} belongs to Helm release {annotations.get(HELM_RELEASE, '?')}",
                "`helm upgrade` of upstream's chart overwrites nimop's CRD; `helm uninstall` "
                "deletes it and every CR of the kind",
                f"kubectl label crd {name} {MANAGED_BY}- && kubectl annotate crd {name} "
                f"{HELM_RELEASE}- meta.helm.sh/release-namespace-",
            )
        )
    return out


def _finalizers(crs: Iterable[Obj]) -> list[Finding]:
    out = []
    for cr in crs:
        name = FINALIZER.format(kind=str(cr.get("kind")).lower())
        finalizers = list(_md(cr).get("finalizers") or ())
        if name not in finalizers:
            continue
        at = finalizers.index(name)
        out.append(
            Finding(
                "notice",
                f"{_ref(cr)} carries upstream's finalizer {name}",
                "nimop releases it when it reconciles the CR; until then a delete waits for it",
                f"kubectl patch {str(cr.get('kind')).lower()} {_md(cr).get('name')}"
                f"{_ns_flag(cr)} --type=json "
                f'-p \'[{{"op":"remove","path":"/metadata/finalizers/{at}"}}]\'',
            )
        )
    return out


def _unserved(crs: Iterable[Obj]) -> list[Finding]:
    counts: dict[str, int] = {}
    for cr in crs:
        kind = str(cr.get("kind"))
        if kind not in KINDS:
            counts[kind] = counts.get(kind, 0) + 1
    return [
        Finding(
            "blocker",
            f"{n} {kind} object(s) of a kind this nimop does not serve",
            "nothing would reconcile them (their children keep running unmanaged)",
            f"keep upstream's operator for {kind} until nimop serves it, or "
            f"`kubectl get {kind.lower()} -A -o yaml > {kind.lower()}.yaml` and delete them",
        )
        for kind, n in sorted(counts.items())
    ]


def _children(children: Iterable[Obj], crs: Iterable[Obj]) -> list[Finding]:
    served = {str(_md(cr).get("uid")) for cr in crs if str(cr.get("kind")) in KINDS}
    adopted: list[str] = []
    foreign: list[Finding] = []
    for child in children:
        owner = next(
            (r for r in _md(child).get("ownerReferences") or () if r.get("controller")), None
        )
        if owner is not None and str(owner.get("uid")) in served:
            adopted.append(_ref(child))
            continue
        foreign.append(
            Finding(
                "notice",
                f"{_ref(child)} is labelled managed-by {UPSTREAM_MANAGER} but no CR nimop "
                "serves controls it",
                "nimop never adopts an object another owner (or no owner) controls; it stays "
                "as it is",
                f"kubectl delete {str(child.get('kind')).lower()} {_md(child).get('name')}"
                f"{_ns_flag(child)}  # if nothing uses it",
            )
        )
    out = []
    if adopted:
        out.append(
            Finding(
                "notice",
                f"{len(adopted)} child object(s) of upstream's operator will be adopted: "
                + ", ".join(sorted(adopted)[:5])
                + (" …" if len(adopted) > 5 else ""),
                "their controller ownerReference is a CR nimop serves (same UID); nimop "
                "updates them in place and rolls a Deployment only where its pod template "
                "changes",
                "nothing to do",
            )
        )
    return out + foreign


def blockers(snap: Snapshot) -> list[Finding]:
    """Every finding, blockers first (pure: no I/O)."""
    found = (
        _webhooks(snap.webhooks)
        + _upstream_running(snap.deployments)
        + _helm_crds(snap.crds)
        + _unserved(snap.crs)
        + _finalizers(snap.crs)
        + _children(snap.children, snap.crs)
    )
    return sorted(found, key=lambda f: f.severity != "blocker")


# -- reading the cluster (list calls only) -------------------------------------------------

CHILD_KINDS: Sequence[tuple[str, str, str, str]] = (
    ("apps", "v1", "Deployment", "deployments"),
    ("apps", "v1", "StatefulSet", "statefulsets"),
    ("", "v1", "Service", "services"),
    ("", "v1", "ServiceAccount", "serviceaccounts"),
    ("", "v1", "ConfigMap", "configmaps"),
    ("", "v1", "Secret", "secrets"),
    ("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims"),
    ("rbac.authorization.k8s.io", "v1", "Role", "roles"),
    ("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings"),
    ("networking.k8s.io", "v1", "Ingress", "ingresses"),
    ("autoscaling", "v2", "HorizontalPodAutoscaler", "horizontalpodautoscalers"),
    ("batch", "v1", "Job", "jobs"),
    ("leaderworkerset.x-k8s.io", "v1", "LeaderWorkerSet", "leaderworkersets"),
    ("monitoring.coreos.com", "v1", "ServiceMonitor", "servicemonitors"),
    ("serving.kserve.io", "v1beta1", "InferenceService", "inferenceservices"),
    ("gateway.networking.k8s.io", "v1", "HTTPRoute", "httproutes"),
    ("gateway.networking.k8s.io", "v1", "GRPCRoute", "grpcroutes"),
)


async def snapshot(kubeconfig: str | None = None, context: str | None = None) -> Snapshot:
    """List what the checks need. Kinds the cluster does not serve are skipped."""
    from nimop.watch.client import KubeClient
    from nimop.watch.config import load_client_config
    from nimop.watch.errors import NotFoundError
    from nimop.watch.objects import ResourceRef

    async with KubeClient(await load_client_config(kubeconfig, context=context)) as client:

        async def items(ref: ResourceRef, selector: str | None = None) -> list[Obj]:
            try:
                found, _ = await client.list(ref, label_selector=selector)
            except NotFoundError:
                return []
            return [{**o, "kind": ref.kind, "apiVersion": ref.api_version} for o in found]

        reg = "admissionregistration.k8s.io"
        snap = Snapshot()
        for kind, plural in (
            ("ValidatingWebhookConfiguration", "validatingwebhookconfigurations"),
            ("MutatingWebhookConfiguration", "mutatingwebhookconfigurations"),
        ):
            snap.webhooks += await items(ResourceRef(reg, "v1", kind, plural, namespaced=False))
        crd_ref = ResourceRef(
            "apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions",
            namespaced=False,
        )  # fmt: skip
        snap.crds = await items(crd_ref)
        snap.deployments = await items(ResourceRef("apps", "v1", "Deployment", "deployments"))
        for crd in snap.crds:
            spec = crd.get("spec") or {}
            if spec.get("group") != GROUP:
                continue
            version = next((v["name"] for v in spec.get("versions") or () if v.get("served")), "")
            names = spec.get("names") or {}
            ref = ResourceRef(GROUP, version, str(names.get("kind")), str(names.get("plural")))
            snap.crs += await items(ref)
        selector = f"{MANAGED_BY}={UPSTREAM_MANAGER}"
        for group, version, kind, plural in CHILD_KINDS:
            snap.children += await items(ResourceRef(group, version, kind, plural), selector)
        return snap


def run_check(kubeconfig: str | None = None, context: str | None = None) -> int:
    """Print the findings; exit status 1 when any blocker remains, else 0."""
    found = blockers(asyncio.run(snapshot(kubeconfig, context)))
    for finding in found:
        print(finding.render())
    count = sum(f.severity == "blocker" for f in found)
    print(f"{count} blocker(s), {len(found) - count} notice(s)", file=sys.stderr)
    return 1 if count else 0
