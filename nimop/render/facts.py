"""Cluster facts: everything a renderer needs to know that is not in the CR itself.

Renderers are pure, so whatever upstream looks up at reconcile time (discovery of optional APIs,
orchestrator detection from node labels (§0 C10/C11), the referenced NIMCache's status
(§2.4 step 9), the live InferenceService's deployment mode (§4.5)) arrives here as a value. The
controllers build it from informer stores; `nimop render --facts FILE` reads it from YAML.

Defaults describe a current vanilla cluster: Kubernetes ≥ 1.34 (DRA `resource.k8s.io/v1`
served), not OpenShift, and none of the optional third-party APIs installed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields
from typing import Any

#: KServe deployment-mode spellings (§4.5): current names and the legacy ones ODH still uses.
KSERVE_STANDARD_MODES = frozenset({"Standard", "RawDeployment"})
KSERVE_KNATIVE_MODES = frozenset({"Knative", "Serverless"})
KSERVE_MODES = KSERVE_STANDARD_MODES | KSERVE_KNATIVE_MODES | {"ModelMesh"}

#: DRA API versions we can render ResourceClaimTemplates for (k8s.io/api `resource/v1`,
#: `resource/v1beta2`).
DRA_VERSIONS = frozenset({"v1", "v1beta2"})


@dataclass(frozen=True)
class Unparsable:
    """A ConfigMap value that is not YAML, with the parser's message."""

    error: str


@dataclass(frozen=True)
class CachedProfile:
    """One entry of NIMCache `status.profiles` (§1.2): the profile id and its manifest tags."""

    name: str
    config: Mapping[str, str] = field(default_factory=dict)
    model: str = ""
    release: str = ""

    def tensor_parallelism(self) -> str | None:
        """The TP tag; upstream reads `tensorParallelism` then `tp` (§4.9, §7.2)."""
        return self.config.get("tensorParallelism") or self.config.get("tp")


@dataclass(frozen=True)
class NIMCacheFacts:
    """What a NIMService needs from the NIMCache it references (§2.4 step 9, §3.7, §4.11).

    `source` is the active source key (`ngc`, `hf` or `dataStore`); `model_endpoint` is the NGC
    `modelEndpoint` (its presence makes the cache "universal", §3.1).
    """

    name: str
    state: str = ""
    pvc: str = ""
    pvc_sub_path: str = ""
    source: str = "ngc"
    model_endpoint: str = ""
    hf_namespace: str = ""
    hf_model_name: str = ""
    cache_type: str = ""
    profiles: tuple[CachedProfile, ...] = ()
    #: NGC `authSecret` (the NGC_API_KEY a NIMBuild pod needs; empty for other sources)
    auth_secret: str = ""
    #: pod settings a NIMBuild's pod takes from its NIMCache (§2.7 step 4)
    runtime_class: str = ""
    user_id: int | None = None
    group_id: int | None = None

    @property
    def ready(self) -> bool:
        return self.state == "Ready"

    @property
    def failed(self) -> bool:
        return self.state == "Failed"

    @property
    def optimized(self) -> bool:
        """`IsOptimizedNIM` (§3.1): NGC source without `modelEndpoint`."""
        return self.source == "ngc" and not self.model_endpoint

    @property
    def universal(self) -> bool:
        """`IsUniversalNIM` (§3.1): NGC `modelEndpoint` or a Hugging Face source."""
        return bool(self.model_endpoint) or self.source == "hf"

    @property
    def hf_model(self) -> bool:
        """`IsHFModel` (§3.1): `hf` or `dataStore` source."""
        return self.source in ("hf", "dataStore")

    @property
    def native(self) -> bool:
        return self.cache_type == "native"

    def hf_uri(self) -> str:
        """`hf://<namespace>/<model>`; empty for dataset-only sources (fixes §9 bug 14)."""
        if not self.hf_model or not self.hf_model_name:
            return ""
        return f"hf://{self.hf_namespace}/{self.hf_model_name}"

    def profile(self, name: str) -> CachedProfile | None:
        return next((p for p in self.profiles if p.name == name), None)

    @classmethod
    def from_object(cls, obj: Mapping[str, Any]) -> NIMCacheFacts:
        """Build from a raw NIMCache object as an informer store holds it (camelCase dict)."""
        spec = obj.get("spec") or {}
        status = obj.get("status") or {}
        src = spec.get("source") or {}
        key = next((k for k in ("ngc", "hf", "dataStore") if src.get(k)), "ngc")
        body = src.get(key) or {}
        profiles = tuple(
            CachedProfile(
                name=str(p.get("name", "")),
                config={str(k): str(v) for k, v in (p.get("config") or {}).items()},
                model=str(p.get("model") or ""),
                release=str(p.get("release") or ""),
            )
            for p in status.get("profiles") or []
        )
        return cls(
            name=str((obj.get("metadata") or {}).get("name", "")),
            state=str(status.get("state") or ""),
            pvc=str(status.get("pvc") or ""),
            pvc_sub_path=str(((spec.get("storage") or {}).get("pvc") or {}).get("subPath") or ""),
            source=key,
            model_endpoint=str(body.get("modelEndpoint") or ""),
            hf_namespace=str(body.get("namespace") or ""),
            hf_model_name=str(body.get("modelName") or ""),
            cache_type=str(status.get("type") or ""),
            profiles=profiles,
            auth_secret=str(body.get("authSecret") or "") if key == "ngc" else "",
            runtime_class=str(spec.get("runtimeClassName") or ""),
            user_id=_int(spec.get("userID")),
            group_id=_int(spec.get("groupID")),
        )


@dataclass(frozen=True)
class ComputeDomainFacts:
    """An existing ComputeDomain (`resource.nvidia.com/v1beta1`, NVIDIA's DRA driver for GPUs):
    the ResourceClaimTemplate its channel names (which the driver creates) and its status, for
    a multi-node NIMService that uses it (§4.4)."""

    name: str
    claim_template: str = ""
    status: Mapping[str, Any] = field(default_factory=dict)

    @classmethod
    def from_object(cls, obj: Mapping[str, Any]) -> ComputeDomainFacts:
        spec = obj.get("spec") or {}
        template = ((spec.get("channel") or {}).get("resourceClaimTemplate") or {}).get("name")
        return cls(
            name=str((obj.get("metadata") or {}).get("name", "")),
            claim_template=str(template or ""),
            status=dict(obj.get("status") or {}),
        )


@dataclass(frozen=True)
class ClusterFacts:
    """The cluster as the renderers see it. Treat the mappings as read-only.

    - `lws`, `kserve`, `gateway_api`, `inference_pool`, `service_monitor`, `compute_domain`:
      whether that optional API is served (discovery, §0 C10).
    - `dra_version`: the served `resource.k8s.io` version we render (`v1`, `v1beta2`) or None.
    - `openshift`: SCC Roles and `openshift.io/required-scc` pod annotations only there (§6.7).
    - `nimcaches`: NIMCaches by `namespace/name` (only those a CR references are needed).
    - `inference_service_modes`: `status.deploymentMode` of existing InferenceServices by
      `namespace/name`, so a mode is never flipped (§4.5).
    - `kserve_default_mode`: `deploy.defaultDeploymentMode` of KServe's
      `inferenceservice-config`, when the controller found one.
    - `kserve_disallowed_annotations`: its `serviceAnnotationDisallowedList`.
    - `model_manifests`: parsed model manifests (ConfigMap `<cache>-manifest`, §3.4) by
      `namespace/name` of the NIMCache, for profile selection (§3.6).
    - `gpu_products`: distinct node label values `nvidia.com/gpu.product` (§3.6).
    - `compute_domains`: existing ComputeDomains by `namespace/name` (only those a CR names in
      `multiNode.computeDomain.name` are needed).
    - `native_images`: image references (`repository:tag` as the pod spec names them) known to
      be native (NIMCraft, OCI config label `com.nvidia.nim.model_download_protocol:
      native-v1`); every other image is legacy. The controller fills it by inspecting the
      image of a NIMService without a NIMCache; offline it comes from `--facts` only.
    - `image_inspection_errors`: why an image could not be inspected, by reference: a
      NIMService on it waits (`ImageInspectionFailed`) rather than guess its layout.
    - `config_maps`: the `data` of user ConfigMaps a CR reads (a NemoCustomizer's model and
      training settings, §2.8.1) by `namespace/name`, each key's YAML value parsed (an
      `Unparsable` when it is not YAML); absent means the ConfigMap does not exist.
    """

    lws: bool = False
    kserve: bool = False
    gateway_api: bool = False
    inference_pool: bool = False
    service_monitor: bool = False
    compute_domain: bool = False
    dra_version: str | None = "v1"
    openshift: bool = False
    nimcaches: Mapping[str, NIMCacheFacts] = field(default_factory=dict)
    inference_service_modes: Mapping[str, str] = field(default_factory=dict)
    kserve_default_mode: str | None = None
    kserve_disallowed_annotations: tuple[str, ...] = ()
    model_manifests: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    gpu_products: tuple[str, ...] = ()
    config_maps: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)
    compute_domains: Mapping[str, ComputeDomainFacts] = field(default_factory=dict)
    native_images: tuple[str, ...] = ()
    image_inspection_errors: Mapping[str, str] = field(default_factory=dict)

    def native_image(self, image: str) -> bool:
        return image in self.native_images

    def image_inspection_error(self, image: str) -> str | None:
        return self.image_inspection_errors.get(image)

    def compute_domain_of(self, namespace: str, name: str) -> ComputeDomainFacts | None:
        return self.compute_domains.get(f"{namespace}/{name}")

    def config_map(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self.config_maps.get(f"{namespace}/{name}")

    def nimcache(self, namespace: str, name: str) -> NIMCacheFacts | None:
        return self.nimcaches.get(f"{namespace}/{name}")

    def model_manifest(self, namespace: str, name: str) -> Mapping[str, Any] | None:
        return self.model_manifests.get(f"{namespace}/{name}")

    def inference_service_mode(self, namespace: str, name: str) -> str | None:
        return self.inference_service_modes.get(f"{namespace}/{name}")

    @classmethod
    def all_apis(cls, **overrides: Any) -> ClusterFacts:
        """A cluster serving every optional API (used for goldens and docs)."""
        base: dict[str, Any] = {
            "lws": True, "kserve": True, "gateway_api": True, "inference_pool": True,
            "service_monitor": True, "compute_domain": True,
        }
        base.update(overrides)
        return cls(**base)

    @classmethod
    def from_mapping(cls, data: Mapping[str, Any]) -> ClusterFacts:
        """Parse the `--facts` YAML: snake_case or camelCase keys; `nimcaches` and
        `computeDomains` are lists of objects (as `kubectl get -o yaml` prints them), keyed by
        their namespace/name."""
        known = {f.name for f in fields(cls)}
        kwargs: dict[str, Any] = {}
        for raw_key, value in data.items():
            key = _snake(raw_key)
            if key not in known:
                raise ValueError(f"unknown cluster fact {raw_key!r}; known: {sorted(known)}")
            kwargs[key] = value
        if "nimcaches" in kwargs:
            kwargs["nimcaches"] = _caches(kwargs["nimcaches"])
        if "compute_domains" in kwargs:
            kwargs["compute_domains"] = _domains(kwargs["compute_domains"])
        for key in ("kserve_disallowed_annotations", "gpu_products", "native_images"):
            if key in kwargs:
                kwargs[key] = tuple(kwargs[key] or ())
        for key in ("inference_service_modes", "image_inspection_errors"):
            if key in kwargs:
                kwargs[key] = {str(k): str(v) for k, v in (kwargs[key] or {}).items()}
        return cls(**kwargs)


def _caches(items: Any) -> dict[str, NIMCacheFacts]:
    out: dict[str, NIMCacheFacts] = {}
    for obj in items or []:
        meta = obj.get("metadata") or {}
        key = f"{meta.get('namespace') or 'default'}/{meta.get('name')}"
        out[key] = NIMCacheFacts.from_object(obj)
    return out


def _domains(items: Any) -> dict[str, ComputeDomainFacts]:
    out: dict[str, ComputeDomainFacts] = {}
    for obj in items or []:
        meta = obj.get("metadata") or {}
        out[f"{meta.get('namespace') or 'default'}/{meta.get('name')}"] = (
            ComputeDomainFacts.from_object(obj))
    return out


def _int(value: Any) -> int | None:
    return int(value) if isinstance(value, int) and not isinstance(value, bool) else None


def _snake(key: str) -> str:
    return "".join("_" + c.lower() if c.isupper() else c for c in key)
