"""Checks CEL cannot express, as a pure function the controllers call.

The CRD's CEL rules reject most bad input at admission. What remains here needs more than one
field path at once in a way CEL cannot bound, concerns fields the apiserver keeps but nimop
ignores, or was an upstream webhook *warning* (CEL has no warnings). Controllers report
errors as a `Failed` condition and warnings as events; `nimop render` prints both.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

from pydantic import BaseModel

from nimop.api.common import NO_PROXY_TOKEN, ProxySpec
from nimop.api.nimbuild import NIMBuild
from nimop.api.nimcache import NIMCache
from nimop.api.nimpipeline import NIMPipeline
from nimop.api.nimservice import NIMService, NIMServiceSpec
from nimop.api.problem import Problem
from nimop.api.resource import CustomResource


def check(obj: CustomResource) -> list[Problem]:
    """Problems of one parsed object that admission does not catch (empty when fine)."""
    checker = _CHECKERS.get(type(obj))
    return list(checker(obj)) if checker else []


def unknown_fields(model: BaseModel, path: str = "") -> list[str]:
    """Paths of fields the models do not know (kept, not dropped): typos in offline YAML, or
    fields of a newer CRD than this operator."""
    out = [f"{path}.{key}".lstrip(".") for key in sorted(model.model_extra or {})]
    for name, info in type(model).model_fields.items():
        out += _unknown_in(getattr(model, name), f"{path}.{info.alias or name}")
    return out


def _unknown_in(value: object, path: str) -> list[str]:
    if isinstance(value, BaseModel):
        return unknown_fields(value, path)
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in _unknown_in(v, f"{path}[{i}]")]
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in _unknown_in(v, f"{path}[{k}]")]
    return []


def _proxy(proxy: ProxySpec | None, at: str) -> Iterator[Problem]:
    """noProxy tokens, as the upstream webhook checked them. Not CEL: splitting and matching
    a 2 KiB string per token exceeds the apiserver's CEL cost budget."""
    if proxy is None or not proxy.no_proxy:
        return
    bad = [t.strip() for t in proxy.no_proxy.split(",") if t.strip()]
    bad = [t for t in bad if not re.match(NO_PROXY_TOKEN, t)]
    if bad:
        yield Problem.finding(
            f"{at}.proxy.noProxy",
            "InvalidNoProxy",
            f"{at}.proxy.noProxy has invalid entries {', '.join(bad)}: use host names, "
            ".domains, IP addresses (with optional :port) or CIDRs, e.g. localhost,.svc,10.0.0.0/8",
        )


def _service_spec(spec: NIMServiceSpec, at: str) -> Iterator[Problem]:
    yield from _proxy(spec.proxy, at)
    if spec.auth_secret is None:
        yield Problem.finding(
            f"{at}.authSecret",
            "AuthSecretMissing",
            f"{at}.authSecret is not set: the NIM can only serve models already in its "
            "storage (air-gapped); set it to a Secret with NGC_API_KEY to download",
            "warning",
        )
    expose = spec.expose
    if expose and expose.ingress and expose.ingress.enabled:
        yield Problem.finding(
            f"{at}.expose.ingress",
            "DeprecatedField",
            f"{at}.expose.ingress is deprecated: use {at}.expose.router.ingress",
            "warning",
        )
    router = expose.router if expose else None
    service = expose.service if expose else None
    if router and (router.ingress or router.gateway) and service and service.type == "LoadBalancer":
        yield Problem.finding(
            f"{at}.expose.service.type",
            "LoadBalancerWithRouter",
            f"{at}.expose.service.type LoadBalancer exposes the service twice with a router: "
            "use ClusterIP",
            "warning",
        )
    if spec.pod_affinity is not None:
        yield Problem.finding(
            f"{at}.podAffinity",
            "DeprecatedField",
            f"{at}.podAffinity is ignored: use {at}.affinity.podAffinity",
            "warning",
        )
    multi = spec.multi_node
    if multi and (multi.parallelism.pipeline or 1) < 2:
        yield Problem.finding(
            f"{at}.multiNode.parallelism.pipeline",
            "SingleNodeGroup",
            f"{at}.multiNode.parallelism.pipeline is 1: the group has one node; remove "
            f"{at}.multiNode to run a plain Deployment, or set pipeline to 2 or more",
            "warning",
        )


def _nimservice(obj: NIMService) -> Iterator[Problem]:
    yield from _service_spec(obj.spec, "spec")


def _nimcache(obj: NIMCache) -> Iterator[Problem]:
    spec = obj.spec
    yield from _proxy(spec.proxy, "spec")
    if spec.cert_config is not None:
        yield Problem.finding(
            "spec.certConfig",
            "UnsupportedField",
            "spec.certConfig is no longer supported: put the CA certificates in a ConfigMap "
            "and set spec.proxy.certConfigMap",
        )
    if spec.storage.host_path is not None:
        yield Problem.finding(
            "spec.storage.hostPath",
            "DeprecatedField",
            "spec.storage.hostPath is ignored by the caching job: the cache lives in "
            "spec.storage.pvc",
            "warning",
        )


def _nimpipeline(obj: NIMPipeline) -> Iterator[Problem]:
    services = obj.spec.services or []
    names = {s.name for s in services if s.name}
    for i, svc in enumerate(services):
        at = f"spec.services[{i}]"
        if not svc.name:
            yield Problem.finding(f"{at}.name", "NameMissing",
                                  f"{at}.name is required: name the service")
        if svc.spec is None:
            yield Problem.finding(f"{at}.spec", "SpecMissing",
                                  f"{at}.spec is required: set the image")
        else:
            yield from _service_spec(svc.spec, f"{at}.spec")
        if svc.enabled is None:
            yield Problem.finding(
                f"{at}.enabled",
                "ServiceDisabled",
                f"{at}.enabled is unset, which means disabled: set enabled: true to deploy it",
                "warning",
            )
        for j, dep in enumerate(svc.dependencies or []):
            if dep.name not in names:
                yield Problem.finding(
                    f"{at}.dependencies[{j}].name",
                    "UnknownDependency",
                    f"{at}.dependencies[{j}].name {dep.name!r} is not a service of this "
                    f"pipeline; known: {', '.join(sorted(names)) or 'none'}",
                )


def _nimbuild(obj: NIMBuild) -> Iterator[Problem]:
    return iter(())


_CHECKERS: dict[type[Any], Callable[[Any], Iterator[Problem]]] = {
    NIMService: _nimservice,
    NIMCache: _nimcache,
    NIMPipeline: _nimpipeline,
    NIMBuild: _nimbuild,
}
