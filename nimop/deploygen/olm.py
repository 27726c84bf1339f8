"""`deploy/olm`: an OLM registry+v1 bundle (operator-framework's registry+v1 bundle format).

The CSV's install strategy is built from the same objects as the kustomize base: the Deployment
spec from `objects.deployment_spec`, the rules from `nimop.permissions`. Namespaced rules go in
`permissions`, which OLM copies into every target namespace (or promotes to a ClusterRole under
AllNamespaces); cluster-scoped reads go in `clusterPermissions`.
"""

from __future__ import annotations

import base64
import json
import re
from pathlib import Path
from typing import Any

import yaml

from nimop import __version__
from nimop.api import kinds
from nimop.deploygen import objects as o
from nimop.deploygen.render import crd_files, crds, dump
from nimop.permissions import rules, select

PACKAGE = "nimop"
REPOSITORY = "https://github.com/nimop/nimop"
SUPPORT = "nimop maintainers"
#: When this version's CSV was first published; `--created-at` overrides it for a rebuild.
CREATED_AT = "2026-11-30T00:00:00Z"
#: OpenShift's `features.operators.openshift.io/*` annotations, honest values: the operator
#: reads no cluster-wide proxy or TLS profile, ships no FIPS build and needs no cloud token.
FEATURES = {"fips-compliant": "false", "proxy-aware": "false", "tls-profiles": "false",
            "token-auth-aws": "false", "token-auth-azure": "false", "token-auth-gcp": "false",
            "cnf": "false", "cni": "false", "csi": "false"}
CHANNEL = "stable"
CSV_NAME = f"{PACKAGE}.v{__version__}"
#: The supported floor (docs/compatibility.md "Supported Kubernetes"), proven by
#: tests/e2e/test_old_apiserver.py; tests/unit/test_floor.py keeps the docs saying the same.
MIN_KUBE_VERSION = "1.32.0"
#: Examples shown in the console, in order of preference: the first document of each kind wins.
ALM_EXAMPLE_FILES = ("standalone-basic.yaml", "pipeline-rag.yaml", "nimbuild.yaml",
                     "nemo-entitystore.yaml", "nemo-datastore.yaml", "nemo-guardrail.yaml",
                     "nemo-evaluator.yaml", "nemo-customizer.yaml")
_ICON = ('<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64"><rect width="64" '
         'height="64" rx="12" fill="#76b900"/><text x="32" y="41" font-size="22" '
         'text-anchor="middle" fill="#fff" font-family="sans-serif">nim</text></svg>')
DESCRIPTION = """\
nimop deploys and runs NVIDIA NIM inference microservices. It serves the NIM Operator 3.x API
(`apps.nvidia.com/v1alpha1`), so existing NIMCache, NIMService and NIMPipeline YAML works
unchanged.

* **NIMCache** downloads model weights from NGC, Hugging Face or a NeMo data store into a PVC once.
* **NIMService** runs a NIM: a Deployment, a LeaderWorkerSet for multi-node models, or a KServe
  InferenceService; with DRA GPUs, autoscaling, Ingress or Gateway API routes and metrics.
* **NIMPipeline** manages a set of NIMServices together.

Optional APIs (LeaderWorkerSet, KServe, Gateway API, Prometheus Operator) are discovered at run
time; a resource that needs a missing one reports a condition instead of failing the operator.
"""

_WORD = re.compile(r"[A-Z]?[a-z0-9]+|[A-Z]+(?![a-z])")
SPEC_X = {"replicas": "urn:alm:descriptor:com.tectonic.ui:podCount",
          "resources": "urn:alm:descriptor:com.tectonic.ui:resourceRequirements",
          "tolerations": "urn:alm:descriptor:io.kubernetes:Tolerations"}
STATUS_X = {"conditions": "urn:alm:descriptor:io.kubernetes.conditions",
            "state": "urn:alm:descriptor:io.kubernetes.phase"}


def display(name: str) -> str:
    words = _WORD.findall(name)
    return " ".join(w if w.isupper() else w.capitalize() for w in words) or name


def _summary(schema: dict[str, Any]) -> str:
    text = str(schema.get("description") or "").strip()
    return " ".join(text.split("\n\n")[0].split())


def descriptors(schema: dict[str, Any], special: dict[str, str]) -> list[dict[str, Any]]:
    """One descriptor per top-level field of a spec/status schema, named and described from it."""
    out = []
    for name, sub in sorted((schema.get("properties") or {}).items()):
        entry: dict[str, Any] = {"path": name, "displayName": display(name),
                                 "description": _summary(sub) or display(name)}
        if name in special:
            entry["x-descriptors"] = [special[name]]
        elif sub.get("type") == "boolean":
            entry["x-descriptors"] = ["urn:alm:descriptor:com.tectonic.ui:booleanSwitch"]
        out.append(entry)
    return out


def owned(crd: dict[str, Any]) -> dict[str, Any]:
    names = crd["spec"]["names"]
    version = crd["spec"]["versions"][0]
    props = version["schema"]["openAPIV3Schema"]["properties"]
    children = sorted(kinds.keys(kinds.CHILDREN[names["kind"]]), key=lambda k: (k[1], k[0]))
    return {
        "name": crd["metadata"]["name"],
        "version": version["name"],
        "kind": names["kind"],
        "displayName": names["kind"],
        "description": _summary(version["schema"]["openAPIV3Schema"]),
        "resources": [{"kind": kind, "name": "", "version": api.rsplit("/", 1)[-1]}
                      for api, kind in children],
        "specDescriptors": descriptors(props.get("spec") or {}, SPEC_X),
        "statusDescriptors": descriptors(props.get("status") or {}, STATUS_X),
    }


def alm_examples(examples: Path, kind_names: list[str]) -> list[dict[str, Any]]:
    found: dict[str, dict[str, Any]] = {}
    for name in ALM_EXAMPLE_FILES:
        for doc in yaml.safe_load_all((examples / name).read_text()):
            if doc and doc.get("kind") in kind_names:
                found.setdefault(doc["kind"], doc)
    return [found[k] for k in kind_names if k in found]


def by_digest(image: str) -> bool:
    return "@sha256:" in image


def features(image: str) -> dict[str, str]:
    """`disconnected` is true only when the image is pinned by digest: a mirror for a
    disconnected cluster (ImageContentSourcePolicy / ImageDigestMirrorSet) maps digests only."""
    prefix = "features.operators.openshift.io"
    values = {"disconnected": str(by_digest(image)).lower(), **FEATURES}
    return {f"{prefix}/{k}": v for k, v in values.items()}


def csv(examples: Path, image: str = o.IMAGE, created_at: str = CREATED_AT) -> dict[str, Any]:
    owned_crds = [owned(c) for c in crds()]
    kind_names = [c["kind"] for c in owned_crds]
    watch = {"valueFrom": {"fieldRef": {
        "fieldPath": "metadata.annotations['olm.targetNamespaces']"}}}
    annotations = {
        "alm-examples": json.dumps(alm_examples(examples, kind_names), indent=2),
        "capabilities": "Basic Install",
        "categories": "AI/Machine Learning",
        "containerImage": image,
        "createdAt": created_at,
        "description": "Deploys NVIDIA NIM inference microservices (NIM Operator 3.x API).",
        "repository": REPOSITORY,
        "support": SUPPORT,
        "operatorframework.io/suggested-namespace": o.NAMESPACE,
        **features(image),
    }
    deployment = o.deployment_spec(o.DEFAULT.with_(image=image, watch=watch))
    install = {
        "clusterPermissions": [{"serviceAccountName": o.NAME, "rules": rules(select("cluster"))}],
        "permissions": [{"serviceAccountName": o.NAME,
                         "rules": rules(select("namespaced") + select("operator"))}],
        "deployments": [{"name": o.NAME, "label": dict(o.LABELS),
                         "spec": deployment}],
    }
    return {
        "apiVersion": "operators.coreos.com/v1alpha1",
        "kind": "ClusterServiceVersion",
        "metadata": {"name": CSV_NAME, "annotations": annotations, "labels": {
            "operatorframework.io/arch.amd64": "supported",
            "operatorframework.io/arch.arm64": "supported",
            "operatorframework.io/os.linux": "supported"}},
        "spec": {
            "displayName": "nimop",
            "description": DESCRIPTION,
            "version": __version__,
            "minKubeVersion": MIN_KUBE_VERSION,
            "maturity": "alpha",
            "provider": {"name": "nimop"},
            "maintainers": [{"name": "nimop maintainers", "email": "maintainers@nimop.dev"}],
            "links": [{"name": "Documentation",
                       "url": "https://github.com/nimop/nimop/tree/main/docs"}],
            "icon": [{"base64data": base64.b64encode(_ICON.encode()).decode(),
                      "mediatype": "image/svg+xml"}],
            "keywords": ["nim", "nvidia", "inference", "llm", "gpu", "ai"],
            "installModes": [{"type": t, "supported": True} for t in (
                "OwnNamespace", "SingleNamespace", "MultiNamespace", "AllNamespaces")],
            "install": {"strategy": "deployment", "spec": install},
            "customresourcedefinitions": {"owned": owned_crds},
            "relatedImages": [{"name": "nimop", "image": image}],
        },
    }


def bundle_annotations() -> dict[str, Any]:
    prefix = "operators.operatorframework.io"
    return {"annotations": {
        f"{prefix}.bundle.mediatype.v1": "registry+v1",
        f"{prefix}.bundle.manifests.v1": "manifests/",
        f"{prefix}.bundle.metadata.v1": "metadata/",
        f"{prefix}.bundle.package.v1": PACKAGE,
        f"{prefix}.bundle.channels.v1": CHANNEL,
        f"{prefix}.bundle.channel.default.v1": CHANNEL,
        "operatorframework.io/suggested-namespace": o.NAMESPACE,
    }}


def bundle_dockerfile() -> str:
    labels = "".join(f"LABEL {k}={v}\n" for k, v in bundle_annotations()["annotations"].items())
    return ("# Generated by `python -m nimop.deploygen` (make deploy). Do not edit.\n"
            "FROM scratch\n" + labels +
            "COPY manifests /manifests/\nCOPY metadata /metadata/\n")


def metrics_service() -> dict[str, Any]:
    """OLM creates a bundle's Service in the install namespace; without a namespace of its own
    it follows the operator wherever OLM puts it."""
    service = o.metrics_service()
    del service["metadata"]["namespace"]
    return service


def bundle_files(root: Path, examples: Path, image: str = o.IMAGE,
                 created_at: str = CREATED_AT) -> dict[Path, str]:
    manifests = root / "manifests"
    return {
        manifests / f"{PACKAGE}.clusterserviceversion.yaml": dump([csv(examples, image,
                                                                       created_at)]),
        manifests / f"{o.NAME}-metrics_v1_service.yaml": dump([metrics_service()]),
        **crd_files(manifests),
        root / "metadata" / "annotations.yaml": dump([bundle_annotations()]),
        root / "bundle.Dockerfile": bundle_dockerfile(),
    }
