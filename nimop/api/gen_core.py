"""Generate ``nimop/api/core/`` — the Kubernetes types our CRDs embed — from the OpenAPI schema.

Run ``python -m nimop.api.gen_core`` (``--check`` to only compare). The schema is the one
published with the pinned Kubernetes release (:data:`K8S_VERSION`), found in the Go module
cache through ``go mod download -json k8s.io/kubernetes@<version>`` so the version is exact and
nothing is fetched by hand. Why generate: hand-written copies of Affinity or Probe drift from
Kubernetes and lose the descriptions that ``kubectl explain`` shows.

Output rules, chosen so the CRDs match what controller-gen produces upstream:
- one module per API group/version, classes in dependency order, descriptions kept;
- ``enum`` values are not enforced (controller-gen does not emit them for core types; the
  apiserver validates the rendered Pod anyway) — they stay in the descriptions;
- scalar defaults are kept except on required fields; object/array defaults are dropped;
- ``x-kubernetes-*`` list/map markers are kept; Quantity, IntOrString, Time, RawExtension map
  to the shared types in :mod:`nimop.api.base`.
"""

from __future__ import annotations

import argparse
import json
import keyword
import re
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from nimop.generated import outdated, write_or_check

K8S_VERSION = "v1.36.3"
OUT_DIR = Path(__file__).parent / "core"

#: The definitions our models embed; everything they reference is generated too.
ROOTS = [
    "io.k8s.api.core.v1.Affinity",
    "io.k8s.api.core.v1.ConfigMapKeySelector",
    "io.k8s.api.core.v1.Container",
    "io.k8s.api.core.v1.ContainerPort",
    "io.k8s.api.core.v1.EnvVar",
    "io.k8s.api.core.v1.LocalObjectReference",
    "io.k8s.api.core.v1.PodAffinity",
    "io.k8s.api.core.v1.PodSecurityContext",
    "io.k8s.api.core.v1.Probe",
    "io.k8s.api.core.v1.ResourceRequirements",
    "io.k8s.api.core.v1.SecurityContext",
    "io.k8s.api.core.v1.Toleration",
    "io.k8s.api.core.v1.Volume",
    "io.k8s.api.core.v1.VolumeMount",
    "io.k8s.api.networking.v1.IngressSpec",
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerBehavior",
    "io.k8s.api.autoscaling.v2.HorizontalPodAutoscalerSpec",
    "io.k8s.api.autoscaling.v2.MetricSpec",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Condition",
    "io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta",
]

#: Definitions mapped to a shared scalar type instead of a class.
SCALARS = {
    "io.k8s.apimachinery.pkg.api.resource.Quantity": "Quantity",
    "io.k8s.apimachinery.pkg.util.intstr.IntOrString": "IntOrString",
    "io.k8s.apimachinery.pkg.apis.meta.v1.Time": "Time",
    "io.k8s.apimachinery.pkg.apis.meta.v1.MicroTime": "Time",
    "io.k8s.apimachinery.pkg.runtime.RawExtension": "PreservedObject",
    "io.k8s.apimachinery.pkg.apis.meta.v1.FieldsV1": "PreservedObject",
}

#: Validation that apimachinery declares with kubebuilder markers on metav1.Condition
#: (types.go) and that controller-gen therefore emits upstream, absent from the OpenAPI dump.
OVERRIDES: dict[str, dict[str, dict[str, Any]]] = {
    "io.k8s.apimachinery.pkg.apis.meta.v1.Condition": {
        "type": {
            "maxLength": 316,
            "pattern": r"^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?"
            r"(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$",
        },
        "status": {"enum": ["True", "False", "Unknown"]},
        "observedGeneration": {"minimum": 0},
        "reason": {
            "maxLength": 1024,
            "minLength": 1,
            "pattern": r"^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$",
        },
        "message": {"maxLength": 32768},
    },
}

KEEP_KEYWORDS = (
    "enum",
    "format",
    "minimum",
    "maximum",
    "minLength",
    "maxLength",
    "pattern",
    "minItems",
    "maxItems",
    "x-kubernetes-list-type",
    "x-kubernetes-list-map-keys",
    "x-kubernetes-map-type",
)
RESERVED = set(keyword.kwlist) | {"schema", "json", "dict", "copy", "validate", "construct"}
HEADER = f'''"""Kubernetes {{module}} types, generated from the OpenAPI schema of Kubernetes
{K8S_VERSION}.

Do not edit: run ``python -m nimop.api.gen_core``.
"""

# ruff: noqa
from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field

from nimop.api.base import (
    Int32,
    Int64,
    IntOrString,
    K8sModel,
    PreservedObject,
    Quantity,
    Schema,
    Time,
)
'''


def module_dir(version: str = K8S_VERSION) -> Path:
    """The module-cache directory of k8s.io/kubernetes (downloaded into the cache if needed)."""
    out = subprocess.run(
        ["go", "mod", "download", "-json", f"k8s.io/kubernetes@{version}"],
        check=True,
        capture_output=True,
        text=True,
        cwd="/",
    )
    return Path(json.loads(out.stdout)["Dir"])


def load_definitions(spec_dir: Path) -> dict[str, Any]:
    """All component schemas of the OpenAPI v3 documents, by definition name."""
    defs: dict[str, Any] = {}
    for path in sorted((spec_dir / "api" / "openapi-spec" / "v3").glob("*.json")):
        defs.update(json.loads(path.read_text()).get("components", {}).get("schemas", {}))
    return defs


def ref_name(schema: dict[str, Any]) -> str | None:
    """The definition a property points at (``$ref`` or the ``allOf: [$ref]`` wrapper)."""
    if "$ref" in schema:
        return str(schema["$ref"]).rsplit("/", 1)[-1]
    all_of = schema.get("allOf")
    if all_of and len(all_of) == 1 and "$ref" in all_of[0]:
        return str(all_of[0]["$ref"]).rsplit("/", 1)[-1]
    return None


def refs_of(schema: dict[str, Any]) -> Iterator[str]:
    """Every definition a schema references, directly or in items/additionalProperties."""
    name = ref_name(schema)
    if name:
        yield name
    for key in ("items", "additionalProperties"):
        sub = schema.get(key)
        if isinstance(sub, dict):
            yield from refs_of(sub)
    for sub in schema.get("properties", {}).values():
        yield from refs_of(sub)


def closure(defs: dict[str, Any], roots: list[str]) -> list[str]:
    """Definitions reachable from the roots, dependencies first (post-order DFS)."""
    order: list[str] = []
    seen: set[str] = set()

    def visit(name: str) -> None:
        if name in seen or name in SCALARS:
            return
        seen.add(name)
        for dep in sorted(set(refs_of(defs[name]))):
            visit(dep)
        order.append(name)

    for root in roots:
        visit(root)
    return order


def module_of(name: str) -> str:
    """Python module for a definition: ``io.k8s.api.core.v1.X`` → ``core_v1``."""
    prefix = name.rsplit(".", 2)
    group, version = prefix[0].rsplit(".", 1)[-1], prefix[1]
    if name.startswith("io.k8s.apimachinery.pkg.apis.meta."):
        group = "meta"
    return f"{group}_{version}"


def class_of(name: str) -> str:
    return name.rsplit(".", 1)[-1]


def snake(name: str) -> str:
    """camelCase → snake_case, keeping acronyms together (``hostIP`` → ``host_ip``)."""
    s = re.sub(r"([A-Z]+)([A-Z][a-z])", r"\1_\2", name)
    s = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", s).lower()
    return s + "_" if s in RESERVED or s.startswith("model_") else s


class Emitter:
    """Turns one definition at a time into Python source for its module."""

    def __init__(self, defs: dict[str, Any], module: str) -> None:
        self.defs = defs
        self.module = module
        self.imports: set[str] = set()

    def type_of(self, schema: dict[str, Any]) -> str:
        name = ref_name(schema)
        if name:
            if name in SCALARS:
                return SCALARS[name]
            mod = module_of(name)
            if mod == self.module:
                return class_of(name)
            self.imports.add(mod)
            return f"{mod}.{class_of(name)}"
        kind = schema.get("type")
        if kind == "array":
            return f"list[{self.type_of(schema['items'])}]"
        if kind == "object" and isinstance(schema.get("additionalProperties"), dict):
            return f"dict[str, {self.type_of(schema['additionalProperties'])}]"
        if kind == "object":
            return "PreservedObject"
        if kind == "integer":
            return {"int32": "Int32", "int64": "Int64"}.get(schema.get("format", ""), "int")
        if schema.get("format") == "int-or-string":
            return "IntOrString"
        return {"string": "str", "boolean": "bool", "number": "float"}.get(str(kind), "Any")

    def field(self, cls: str, prop: str, schema: dict[str, Any], required: bool) -> str:
        extra = {k: schema[k] for k in KEEP_KEYWORDS if k in schema and k != "enum"}
        extra.update(OVERRIDES.get(cls, {}).get(prop, {}))
        typ = self.type_of(schema)
        if typ in ("Int32", "Int64"):
            extra.pop("format", None)
        if extra:
            typ = f"Annotated[{typ}, Schema({extra!r})]"
        default = schema.get("default")
        args = [f"alias={prop!r}"]
        if schema.get("description"):
            args.append(f"description={schema['description']!r}")
        if required:
            head = f"{typ}"
            args.insert(0, "...")
        elif isinstance(default, str | int | float | bool) and not isinstance(default, dict):
            head = typ
            args.insert(0, repr(default))
        else:
            head = f"{typ} | None"
            args.insert(0, "None")
        return f"    {snake(prop)}: {head} = Field({', '.join(args)})"

    def klass(self, name: str) -> str:
        schema = self.defs[name]
        required = set(schema.get("required", []))
        lines = [f"class {class_of(name)}(K8sModel):"]
        doc = schema.get("description", class_of(name)).replace("\\", "\\\\")
        lines.append(f'    """{doc.replace(chr(34) * 3, chr(39) * 3)}"""')
        extra = {k: schema[k] for k in ("x-kubernetes-map-type",) if k in schema}
        if extra:
            lines.append(f"\n    model_config = ConfigDict(json_schema_extra={extra!r})")
        props = schema.get("properties", {})
        if props:
            lines.append("")
        for prop in sorted(props):
            lines.append(self.field(name, prop, props[prop], prop in required))
        return "\n".join(lines)


def render(defs: dict[str, Any]) -> dict[str, str]:
    """File name → source for every generated module, plus the package ``__init__``."""
    by_module: dict[str, list[str]] = {}
    for name in closure(defs, ROOTS):
        by_module.setdefault(module_of(name), []).append(name)
    files: dict[str, str] = {}
    for module, names in sorted(by_module.items()):
        emitter = Emitter(defs, module)
        body = "\n\n\n".join(emitter.klass(n) for n in names)
        imports = "".join(f"from nimop.api.core import {m}\n" for m in sorted(emitter.imports))
        files[f"{module}.py"] = HEADER.format(module=module) + imports + "\n\n" + body + "\n"
    modules = ", ".join(sorted(by_module))
    files["__init__.py"] = (
        f'"""Kubernetes types embedded by the nimop API, generated for Kubernetes {K8S_VERSION}.'
        f'\n\nDo not edit: run ``python -m nimop.api.gen_core``.\n"""\n\n'
        f"from nimop.api.core import {modules}\n\n"
        f"__all__ = {sorted(by_module)!r}\n"
    )
    return files


def stale_files(out_dir: Path, files: dict[str, str]) -> list[str]:
    """Names of generated files that are missing, different, or no longer generated."""
    return sorted(p.name for p in outdated(_paths(out_dir, files), out_dir.glob("*.py")))


def _paths(out_dir: Path, files: dict[str, str]) -> dict[Path, str]:
    return {out_dir / name: text for name, text in files.items()}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m nimop.api.gen_core", description=__doc__)
    parser.add_argument("--check", action="store_true", help="fail if nimop/api/core is stale")
    args = parser.parse_args(argv)
    files = render(load_definitions(module_dir()))
    return write_or_check(
        _paths(OUT_DIR, files), OUT_DIR.glob("*.py"), check=args.check,
        hint="python -m nimop.api.gen_core",
    )  # fmt: skip


if __name__ == "__main__":
    raise SystemExit(main())
