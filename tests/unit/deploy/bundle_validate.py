"""The checks of `operator-sdk bundle validate`'s default suite, in Python.

The real validators run too (test_bundle_operator_framework.py, operator-framework/api built
by tests/tools); this port stays for what that binary does not run — the bundle-format checks
of `metadata/annotations.yaml` and the size limit, which live in operator-registry — and for
its one-breakage-per-check tests, which need no Go toolchain.

The default suite is operator-framework/api's `DefaultBundleValidators`: the CSV, CRD and Bundle
validators (operator-framework/api `pkg/validation`), run after the bundle-format checks of
`metadata/annotations.yaml`. Each check here names the upstream rule it mirrors. Errors fail
`operator-sdk bundle validate`; warnings are printed by it. The CRD checks cover what a bundle
author gets wrong (structure, versions, conversion); the full apiextensions validation is the
apiserver's, which the e2e tier exercises by applying the same CRDs.
"""

from __future__ import annotations

import gzip
import io
import json
import re
import tarfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

MAX_BUNDLE_BYTES = 1 << 20  # compressed; operator-framework/api bundle size limit
DNS1123_SUBDOMAIN = re.compile(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$")
SEMVER = re.compile(r"^v?(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)"
                    r"(-[0-9A-Za-z.-]+)?(\+[0-9A-Za-z.-]+)?$")
INSTALL_MODES = {"OwnNamespace", "SingleNamespace", "MultiNamespace", "AllNamespaces"}
ANNOTATION_KEYS = ("mediatype.v1", "manifests.v1", "metadata.v1", "package.v1", "channels.v1")
INT_OR_STRING = ({"type": "integer"}, {"type": "string"})
JUNCTOR_FORBIDDEN = ("type", "additionalProperties", "default", "nullable", "description",
                     "x-kubernetes-preserve-unknown-fields", "x-kubernetes-int-or-string")


@dataclass
class Report:
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def error(self, msg: str) -> None:
        self.errors.append(msg)

    def warn(self, msg: str) -> None:
        self.warnings.append(msg)


@dataclass
class Bundle:
    root: Path
    annotations: dict[str, Any]
    csv: dict[str, Any] | None
    crds: list[dict[str, Any]]
    others: list[dict[str, Any]]

    @classmethod
    def load(cls, root: Path, report: Report) -> Bundle:
        ann_path = root / "metadata" / "annotations.yaml"
        annotations: dict[str, Any] = {}
        if ann_path.is_file():
            loaded = yaml.load(ann_path.read_text(), Loader=yaml.CSafeLoader) or {}
            annotations = loaded.get("annotations") or {}
        else:
            report.error("metadata/annotations.yaml is missing")
        csv, crds, others = None, [], []
        for path in sorted((root / "manifests").glob("*")):
            for doc in yaml.load_all(path.read_text(), Loader=yaml.CSafeLoader):
                if not doc:
                    continue
                if doc.get("kind") == "ClusterServiceVersion":
                    if csv is not None:
                        report.error(f"more than one ClusterServiceVersion ({path.name})")
                    csv = doc
                elif doc.get("kind") == "CustomResourceDefinition":
                    crds.append(doc)
                else:
                    others.append(doc)
        if csv is None:
            report.error("manifests/ has no ClusterServiceVersion")
        return cls(root, annotations, csv, crds, others)


def validate(root: Path) -> Report:
    report = Report()
    bundle = Bundle.load(root, report)
    check_annotations(bundle, report)
    if bundle.csv is not None:
        check_csv(bundle.csv, bundle.crds, report)
    for crd in bundle.crds:
        check_crd(crd, report)
    check_bundle(bundle, report)
    return report


# -- bundle format (metadata/annotations.yaml) -------------------------------------------------

def check_annotations(bundle: Bundle, report: Report) -> None:
    ann = bundle.annotations
    prefix = "operators.operatorframework.io.bundle."
    for key in ANNOTATION_KEYS:
        if not ann.get(prefix + key):
            report.error(f"annotations.yaml: {prefix}{key} is missing")
    if ann.get(prefix + "mediatype.v1") not in (None, "registry+v1", "plain+v0", "helm"):
        report.error("annotations.yaml: unknown bundle mediatype")
    for key, directory in (("manifests.v1", "manifests"), ("metadata.v1", "metadata")):
        if ann.get(prefix + key) not in (None, f"{directory}/"):
            report.error(f"annotations.yaml: {prefix}{key} must be {directory}/")
    channels = [c.strip() for c in str(ann.get(prefix + "channels.v1") or "").split(",") if c]
    default = ann.get(prefix + "channel.default.v1")
    if default and default not in channels:
        report.error(f"annotations.yaml: default channel {default!r} not in {channels}")


# -- CSV validator ------------------------------------------------------------------------------

def check_csv(csv: dict[str, Any], crds: list[dict[str, Any]], report: Report) -> None:
    if csv.get("apiVersion") != "operators.coreos.com/v1alpha1":
        report.error("CSV apiVersion must be operators.coreos.com/v1alpha1")
    meta, spec = csv.get("metadata") or {}, csv.get("spec") or {}
    name = str(meta.get("name") or "")
    if not name or not DNS1123_SUBDOMAIN.match(name) or len(name) > 253:
        report.error(f"CSV metadata.name {name!r} is not a valid DNS-1123 subdomain")
    replaces = spec.get("replaces")
    if replaces is not None and not DNS1123_SUBDOMAIN.match(str(replaces)):
        report.error(f"CSV spec.replaces {replaces!r} is not a valid name")
    if not SEMVER.match(str(spec.get("version") or "")):
        report.error(f"CSV spec.version {spec.get('version')!r} is not semver")
    _check_install_modes(spec, crds, report)
    min_kube = spec.get("minKubeVersion")
    if not min_kube:
        report.warn("CSV spec.minKubeVersion is not set")
    elif not SEMVER.match(str(min_kube)):
        report.error(f"CSV spec.minKubeVersion {min_kube!r} is not parseable")
    annotations = meta.get("annotations")
    if not annotations:
        report.warn("CSV metadata.annotations is empty")
    _check_alm_examples(annotations or {}, spec, report)
    if not ((spec.get("install") or {}).get("spec") or {}).get("deployments"):
        report.error("CSV install strategy has no deployments")


def _check_install_modes(spec: dict[str, Any], crds: list[dict[str, Any]],
                         report: Report) -> None:
    modes = spec.get("installModes")
    if not modes:
        report.error("CSV spec.installModes is missing")
        return
    types = [m.get("type") for m in modes]
    for t in types:
        if t not in INSTALL_MODES:
            report.error(f"CSV installMode {t!r} is unknown")
    if len(set(types)) != len(types):
        report.error(f"CSV installModes has duplicates: {types}")
    supported = {m.get("type") for m in modes if m.get("supported")}
    if not supported:
        report.error("CSV supports no installMode")
    webhook = [c["metadata"]["name"] for c in crds
               if ((c.get("spec") or {}).get("conversion") or {}).get("strategy") == "Webhook"]
    if webhook and supported != {"AllNamespaces"}:
        report.error(f"CRDs {webhook} use a conversion webhook: only AllNamespaces is allowed")


def _check_alm_examples(annotations: dict[str, Any], spec: dict[str, Any],
                        report: Report) -> None:
    owned = (spec.get("customresourcedefinitions") or {}).get("owned") or []
    owned_keys = {(o["name"].split(".", 1)[1], o["version"], o["kind"]) for o in owned}
    raw = annotations.get("alm-examples")
    if raw is None:
        report.warn("CSV has no alm-examples annotation")
        return
    try:
        examples = json.loads(raw)
    except json.JSONDecodeError as err:
        report.error(f"alm-examples is not valid JSON: {err}")
        return
    if not isinstance(examples, list):
        report.error("alm-examples must be a JSON array")
        return
    seen = set()
    for ex in examples:
        group, _, version = str(ex.get("apiVersion", "")).rpartition("/")
        key = (group, version, ex.get("kind"))
        if key not in owned_keys:
            report.error(f"alm-examples: {key} is not an owned API")
        seen.add(key)
    for key in sorted(owned_keys - seen):
        report.warn(f"owned API {key} has no alm-example")


# -- CRD validator ------------------------------------------------------------------------------

def check_crd(crd: dict[str, Any], report: Report) -> None:
    name = (crd.get("metadata") or {}).get("name", "?")
    if crd.get("apiVersion") != "apiextensions.k8s.io/v1":
        report.error(f"CRD {name}: apiVersion must be apiextensions.k8s.io/v1")
    spec = crd.get("spec") or {}
    names = spec.get("names") or {}
    if name != f"{names.get('plural')}.{spec.get('group')}":
        report.error(f"CRD {name}: name must be <plural>.<group>")
    if not names.get("kind") or not names.get("listKind"):
        report.error(f"CRD {name}: names.kind and names.listKind are required")
    if spec.get("scope") not in ("Namespaced", "Cluster"):
        report.error(f"CRD {name}: scope must be Namespaced or Cluster")
    versions = [v.get("name") for v in spec.get("versions") or []]
    if not versions:
        report.error(f"CRD {name}: no versions")
    if len(set(versions)) != len(versions):
        report.error(f"CRD {name}: duplicate versions {versions}")
    if sum(1 for v in spec.get("versions") or [] if v.get("storage")) != 1:
        report.error(f"CRD {name}: exactly one version must be the storage version")
    conversion = spec.get("conversion") or {}
    if conversion.get("strategy") == "Webhook":
        review = (conversion.get("webhook") or {}).get("conversionReviewVersions") or []
        if not review or not set(review) <= {"v1", "v1beta1"}:
            report.error(f"CRD {name}: conversionReviewVersions must list v1 and/or v1beta1")
    for version in spec.get("versions") or []:
        schema = (version.get("schema") or {}).get("openAPIV3Schema")
        if schema is None:
            report.error(f"CRD {name} {version.get('name')}: no openAPIV3Schema")
            continue
        for problem in structural(schema, "", root=True):
            report.error(f"CRD {name} {version.get('name')}: {problem}")


def structural(node: dict[str, Any], path: str, *, root: bool = False) -> list[str]:
    """Structural-schema rules (apiextensions): a type everywhere (but int-or-string and
    preserve-unknown-fields nodes), properties xor additionalProperties, no type or defaults
    inside allOf/anyOf/oneOf/not, root metadata limited to name/generateName."""
    out = []
    where = path or "<root>"
    exempt = node.get("x-kubernetes-int-or-string") or node.get(
        "x-kubernetes-preserve-unknown-fields")
    if not node.get("type") and not exempt:
        out.append(f"{where}: type is required")
    if node.get("properties") and node.get("additionalProperties") not in (None, False):
        out.append(f"{where}: properties and additionalProperties are mutually exclusive")
    if node.get("type") == "array" and "items" not in node:
        out.append(f"{where}: arrays need items")
    for junctor in ("allOf", "anyOf", "oneOf", "not"):
        subs = node.get(junctor)
        for sub in (subs if isinstance(subs, list) else [subs] if subs else []):
            if node.get("x-kubernetes-int-or-string") and sub in INT_OR_STRING:
                continue  # the one allowed use of type in a junctor
            out += [f"{where}.{junctor}: {k} is not allowed in a logical junctor"
                    for k in JUNCTOR_FORBIDDEN if k in sub]
    for rule in node.get("x-kubernetes-validations") or []:
        if not str(rule.get("rule") or "").strip():
            out.append(f"{where}: x-kubernetes-validations rule is empty")
    props = node.get("properties") or {}
    if root and "metadata" in props:
        meta = props["metadata"]
        if set(meta) - {"type", "properties"} or set(meta.get("properties") or {}) - {
                "name", "generateName"}:
            out.append("metadata: only type and name/generateName restrictions are allowed")
    for key, sub in props.items():
        out += structural(sub, f"{path}.{key}")
    if isinstance(node.get("additionalProperties"), dict):
        out += structural(node["additionalProperties"], f"{path}[*]")
    if isinstance(node.get("items"), dict):
        out += structural(node["items"], f"{path}[]")
    return out


# -- Bundle validator ---------------------------------------------------------------------------

def check_bundle(bundle: Bundle, report: Report) -> None:
    names = [c["metadata"]["name"] for c in bundle.crds]
    for dup in sorted({n for n in names if names.count(n) > 1}):
        report.error(f"duplicate CRD {dup} in the bundle")
    spec = (bundle.csv or {}).get("spec") or {}
    crd_spec = spec.get("customresourcedefinitions") or {}
    declared = {(o["name"], o["version"], o["kind"]) for o in
                (crd_spec.get("owned") or []) + (crd_spec.get("required") or [])}
    present = {(c["metadata"]["name"], v["name"], c["spec"]["names"]["kind"])
               for c in bundle.crds for v in c["spec"].get("versions") or []}
    for owned in crd_spec.get("owned") or []:
        key = (owned["name"], owned["version"], owned["kind"])
        if key not in present:
            report.error(f"owned CRD {key} is not in the bundle")
    for key in sorted(present):
        if not any(d[0] == key[0] for d in declared):
            report.error(f"CRD {key[0]} is in the bundle but not owned or required by the CSV")
    install = ((spec.get("install") or {}).get("spec")) or {}
    accounts = {p.get("serviceAccountName") for p in
                (install.get("permissions") or []) + (install.get("clusterPermissions") or [])}
    accounts |= {((d.get("spec") or {}).get("template") or {}).get("spec", {}).get(
        "serviceAccountName") for d in install.get("deployments") or []}
    for obj in bundle.others:
        if obj.get("kind") == "ServiceAccount" and obj["metadata"]["name"] in accounts:
            report.error(f"ServiceAccount {obj['metadata']['name']} clashes with the CSV's")
    size = compressed_size(bundle.root)
    if size > MAX_BUNDLE_BYTES:
        report.error(f"bundle is {size} bytes compressed, over the 1 MiB limit")
    elif size > MAX_BUNDLE_BYTES * 0.85:
        report.warn(f"bundle is {size} bytes compressed, over 85% of the 1 MiB limit")


def compressed_size(root: Path) -> int:
    """gzip'd tar of manifests/ and metadata/, as the validator measures it."""
    buf = io.BytesIO()
    with gzip.GzipFile(fileobj=buf, mode="wb", mtime=0) as gz, \
            tarfile.open(fileobj=gz, mode="w") as tar:
        for sub in ("manifests", "metadata"):
            if (root / sub).is_dir():
                tar.add(root / sub, arcname=sub)
    return len(buf.getvalue())
