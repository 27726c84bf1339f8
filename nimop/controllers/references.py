"""Objects a spec names by name that nimop does not watch: do they exist?

A NeMo service's pod needs the Secrets its spec names (database password, object-store key,
W&B key…) and an existing PVC (`create: false`); without them the kubelet never starts the
container, and the only trace is an event on a pod. nimop holds no `list`/`watch` on Secrets
(least privilege: RBAC cannot narrow those to the ones a spec names) and its PVC and Service
informers see only its own children, so each named object is looked up with one `get` by name
per reconcile. What is missing becomes a problem naming the field, the object and the fix, and
the CR is looked at again on a bounded backoff (5 s doubling to 1 min): these objects send no
event when they appear. Nothing read is kept — a Secret's content is only checked for the key
the spec names.

The check reports, it does not block: the children are applied as usual, since a pod waiting
for a Secret or a claim starts by itself once it exists.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from nimop.api import kinds
from nimop.api.kinds import Kind
from nimop.controllers.runtime import Runtime
from nimop.render import Problem
from nimop.watch.errors import ForbiddenError, NotFoundError
from nimop.watch.objects import Obj, ObjectKey, ResourceRef, key_of, meta

#: First recheck after a miss, and the cap of its doubling (seconds).
RECHECK = (5.0, 60.0)


@dataclass(frozen=True)
class Named:
    """One object a spec names: its kind, name, the spec field that names it and, for a
    Secret, the key the pod reads (empty: any content)."""

    kind: Kind
    name: str
    field: str
    key: str = ""
    namespace: str = ""  # empty: the CR's


@dataclass(frozen=True)
class Missing:
    named: Named
    namespace: str
    #: the object exists but lacks `named.key`
    key_only: bool = False


def _fix(m: Missing) -> str:
    n, ns = m.named, m.namespace
    if n.kind == kinds.SECRET and m.key_only:
        return (f"Secret {n.name} ({n.field}) has no key {n.key!r}: add it "
                f"(kubectl edit secret {n.name} -n {ns}) or name another key")
    if n.kind == kinds.SECRET:
        data = f" --from-literal={n.key}=…" if n.key else ""
        return (f"Secret {n.name} ({n.field}) not found: create it "
                f"(kubectl create secret generic {n.name} -n {ns}{data}) or fix the field")
    if n.kind == kinds.PVC:
        return (f"PersistentVolumeClaim {n.name} ({n.field}) not found: create it, or set "
                f"create: true to let nimop create it")
    return (f"{n.kind.kind} {n.name} in namespace {ns} ({n.field}) not found: create it or "
            "fix the field")


#: Reason per missing kind (a missing key is still the Secret's problem).
REASONS = {
    kinds.SECRET: "SecretNotFound",
    kinds.PVC: "PVCNotFound",
    kinds.USER_CONFIG_MAP: "ConfigMapNotFound",
    kinds.SERVICE: "ServiceNotFound",
}


def problems(missing: Sequence[Missing]) -> list[Problem]:
    """One problem per kind of missing object (Secrets first), listing each: stable text, so a
    recheck that finds the same writes nothing."""
    out = []
    for kind, reason in REASONS.items():
        found = sorted({_fix(m) for m in missing if m.named.kind == kind})
        if found:
            out.append(Problem(reason, "; ".join(found) + " (checked again periodically: "
                               f"nimop does not watch {kind.plural})"))
    return out


class References:
    """Existence checks by name, and when to check again, for one controller."""

    def __init__(self, rt: Runtime, owners: Kind) -> None:
        self.rt = rt
        self.owners = owners
        #: owner -> (uid, consecutive reconciles that found something missing)
        self._misses: dict[ObjectKey, tuple[str, int]] = {}

    async def missing(self, owner: Obj, wanted: Iterable[Named]) -> list[Missing]:
        """What of `wanted` does not exist (each object read once), and the owner's backoff
        state updated."""
        namespace = str(meta(owner).get("namespace") or "")
        out: list[Missing] = []
        seen: dict[tuple[str, str, str], Obj | None] = {}
        for named in wanted:
            where = named.namespace or namespace
            ident = (named.kind.plural, where, named.name)
            if ident not in seen:
                seen[ident] = await self._read(named.kind, where, named.name)
            live = seen[ident]
            if live is _UNKNOWN:
                continue
            if live is None:
                out.append(Missing(named, where))
            elif named.key and not _has_key(live, named.key):
                out.append(Missing(named, where, key_only=True))
        self._count(owner, bool(out))
        return out

    def recheck_after(self, owner: Mapping[str, object]) -> float | None:
        """Seconds until an owner whose last check found something missing is looked at
        again; None when nothing was missing."""
        entry = self._misses.get(key_of(owner))
        if entry is None or entry[0] != str(meta(owner).get("uid")):
            return None
        first, cap = RECHECK
        return float(min(cap, first * 2 ** (entry[1] - 1)))

    async def _read(self, kind: Kind, namespace: str, name: str) -> Obj | None:
        if self.rt.namespaces is not None and namespace not in self.rt.namespaces:
            return _UNKNOWN  # a namespace nimop does not watch: no request, no claim
        if kind.cached_whole and self.rt.served(kind):
            return self.rt.get(kind, namespace, name)  # fully cached: no request
        res = (self.rt.resource(kind) if self.rt.served(kind)
               else ResourceRef(kind.group, kind.version, kind.kind, kind.plural))
        try:
            return await self.rt.client.get(res, namespace, name)
        except NotFoundError:
            return None
        except ForbiddenError:
            return _UNKNOWN  # outside what nimop may read (a namespace it does not watch)

    def _count(self, owner: Obj, missed: bool) -> None:
        key, uid = key_of(owner), str(meta(owner).get("uid"))
        if not missed:
            self._misses.pop(key, None)
            return
        old = self._misses.get(key)
        self._misses[key] = (uid, old[1] + 1 if old and old[0] == uid else 1)
        # forget owners that are gone (their last reconcile cannot clear them)
        store = self.rt.store(self.owners)
        for k in [k for k in self._misses if store.get(k) is None and k != key]:
            del self._misses[k]


#: A read that could not tell (forbidden): say nothing rather than guess.
_UNKNOWN: Obj = {}


def _has_key(secret: Obj, key: str) -> bool:
    return key in (secret.get("data") or {}) or key in (secret.get("stringData") or {})
