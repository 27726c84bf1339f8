"""`deploy/helm/nimop`: the Helm chart, built by the same functions as the kustomize base and the
OLM bundle (`objects`, `rbac`), with placeholders (`template`) where the chart has a value.

The chart installs into the release namespace (`helm install -n NS --create-namespace`), names
everything after the release (`nimop.fullname`), keeps the CRDs in `crds/` (installed by Helm on
first install, never changed by it afterwards: docs/getting-started.md has the upgrade path) and
picks its RBAC from `watchNamespaces`: empty = every namespace through a ClusterRole, a list = a
Role per listed namespace plus a ClusterRole for the cluster-scoped reads.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from nimop import __version__
from nimop.deploygen import objects as o
from nimop.deploygen import rbac
from nimop.deploygen.olm import MIN_KUBE_VERSION, REPOSITORY
from nimop.deploygen.render import HEADER, crd_files, dump
from nimop.deploygen.template import Placeholders
from nimop.deploygen.values import VALUES_YAML, values_schema

CHART = "nimop"
TOKEN_FILE = "/var/run/secrets/kubernetes.io/serviceaccount/token"
FULLNAME = 'include "nimop.fullname" $'


def chart_yaml() -> dict[str, Any]:
    return {
        "apiVersion": "v2", "name": CHART, "type": "application",
        "description": "nimop: deploys NVIDIA NIM inference microservices "
                       "(NIM Operator 3.x API, apps.nvidia.com/v1alpha1).",
        "version": __version__, "appVersion": __version__,
        "kubeVersion": f">={MIN_KUBE_VERSION}-0",
        "home": REPOSITORY, "sources": [REPOSITORY],
        "keywords": ["nim", "nvidia", "inference", "llm", "gpu", "operator"],
        "maintainers": [{"name": "nimop maintainers", "email": "maintainers@nimop.dev"}],
    }  # fmt: skip


def install(ph: Placeholders) -> o.Install:
    """The chart's `Install`: every knob a placeholder for its value."""
    args = o.settings_args(
        leader_election=ph.value("leaderElection.enabled"),
        metrics_port=ph.value("metrics.port"), metrics_secure=ph.value("metrics.secure"),
        health_port=ph.value("healthProbe.port"),
        log_level=ph.value("logLevel"), log_format=ph.value("logFormat"),
    )  # fmt: skip
    return o.Install(
        name=ph.expr(f"{{{{ {FULLNAME} }}}}"),
        namespace=ph.expr("{{ $.Release.Namespace }}"),
        labels=ph.yaml('include "nimop.labels" $'),
        selector=ph.yaml('include "nimop.selectorLabels" $'),
        pod_labels=ph.yaml('include "nimop.podLabels" $'),
        pod_annotations=ph.optional("podAnnotations"),
        image=ph.expr('{{ include "nimop.image" $ | quote }}'),
        pull_policy=ph.value("image.pullPolicy", quote=True),
        replicas=ph.value("replicaCount"),
        resources=ph.optional("resources"),
        args=[*args, ph.splice("extraArgs")],
        env=[*o.downward_env(), ph.splice("extraEnv")],
        watch={"value": ph.expr('{{ join "," $.Values.watchNamespaces | quote }}')},
        kserve_namespace=ph.value("kserveNamespace", quote=True),
        metrics_port=ph.value("metrics.port"),
        health_port=ph.value("healthProbe.port"),
        pod_extra={key: ph.optional(key) for key in (
            "imagePullSecrets", "priorityClassName", "nodeSelector", "tolerations", "affinity")},
    )


def _render(docs: list[o.Manifest], ph: Placeholders) -> str:
    return ph.fill(dump(docs).removeprefix(HEADER))


def rbac_template() -> str:
    ph = Placeholders()
    inst = install(ph)
    namespace = ph.expr("{{ . }}")
    return "".join([
        "{{- if .Values.watchNamespaces }}\n", _render(rbac.cluster_reads(inst), ph),
        "{{- range .Values.watchNamespaces }}\n---\n", _render(rbac.watched(namespace, inst), ph),
        "{{- end }}\n{{- else }}\n", _render(rbac.cluster_wide(inst), ph), "{{- end }}\n---\n",
        _render(rbac.leader(inst), ph),
        "{{- if .Values.metrics.secure }}\n---\n", _render(rbac.metrics_auth(inst), ph),
        "{{- end }}\n",
    ])  # fmt: skip


def _template(build: Any, condition: str = "", prelude: str = "") -> str:
    ph = Placeholders()
    body = prelude + _render([build(install(ph))], ph)
    return f"{{{{- if {condition} }}}}\n{body}{{{{- end }}}}\n" if condition else body


GUARD = """\
{{- if and (not .Values.leaderElection.enabled) (gt (int .Values.replicaCount) 1) }}
{{- fail "replicaCount > 1 needs leaderElection.enabled=true: replicas would reconcile at once" }}
{{- end }}
{{- with .Values.kserveNamespace }}
{{- if and $.Values.watchNamespaces (not (has . $.Values.watchNamespaces)) }}
{{- fail (printf "kserveNamespace %q must be one of watchNamespaces: nimop reads KServe's \
inferenceservice-config there (add it to watchNamespaces, or leave kserveNamespace empty)" .) }}
{{- end }}
{{- end }}
"""


def templates() -> dict[str, str]:
    return {
        "serviceaccount.yaml": _template(o.service_account),
        "rbac.yaml": rbac_template(),
        "deployment.yaml": _template(o.deployment, prelude=GUARD),
        "service.yaml": _template(o.metrics_service),
        "servicemonitor.yaml": _servicemonitor_template(),
    }


def _servicemonitor_template() -> str:
    ph = Placeholders()
    inst = install(ph)
    monitor = o.service_monitor(inst.with_(labels=ph.yaml('include "nimop.monitorLabels" $')))
    endpoint = monitor["spec"]["endpoints"][0]
    endpoint["interval"] = ph.value("metrics.serviceMonitor.interval", quote=True)
    # --metrics-secure serves HTTPS (self-signed unless a cert is mounted) to callers with a
    # token the apiserver accepts; Prometheus sends its own ServiceAccount token.
    secure = "$.Values.metrics.secure"
    endpoint["scheme"] = ph.expr(f'{{{{ ternary "https" "http" {secure} }}}}')
    endpoint["bearerTokenFile"] = ph.when(secure, TOKEN_FILE)
    endpoint["tlsConfig"] = ph.when(secure, {"insecureSkipVerify": True})
    body = _render([monitor], ph)
    return f"{{{{- if .Values.metrics.serviceMonitor.enabled }}}}\n{body}{{{{- end }}}}\n"


HELPERS = """\
{{/* Generated by `python -m nimop.deploygen` (make deploy). Do not edit. */}}

{{/* The release's name for every object; cluster-scoped ones too, so releases never collide. */}}
{{- define "nimop.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 52 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 52 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end -}}

{{/* Selector labels: fixed for the life of a release (a Deployment's selector is immutable). */}}
{{- define "nimop.selectorLabels" -}}
app.kubernetes.io/name: {{ default .Chart.Name .Values.nameOverride | quote }}
app.kubernetes.io/instance: {{ .Release.Name | quote }}
app.kubernetes.io/component: controller
{{- end -}}

{{- define "nimop.labels" -}}
{{ include "nimop.selectorLabels" . }}
app.kubernetes.io/part-of: nimop
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service | quote }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | quote }}
{{- end -}}

{{- define "nimop.podLabels" -}}
{{ include "nimop.labels" . }}
{{- with .Values.podLabels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{- define "nimop.monitorLabels" -}}
{{ include "nimop.labels" . }}
{{- with .Values.metrics.serviceMonitor.labels }}
{{ toYaml . }}
{{- end }}
{{- end -}}

{{/* repository@digest when a digest is set, else repository:tag (default: v<appVersion>). */}}
{{- define "nimop.image" -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" .Values.image.repository .Values.image.digest -}}
{{- else -}}
{{- $tag := .Values.image.tag | default (printf "v%s" .Chart.AppVersion) -}}
{{- printf "%s:%s" .Values.image.repository $tag -}}
{{- end -}}
{{- end -}}
"""

README = """\
# nimop Helm chart

Generated by `python -m nimop.deploygen` (make deploy) from the same description as the
kustomize base and the OLM bundle. Do not edit.

    helm install nimop deploy/helm/nimop -n nimop-system --create-namespace

Every value is in values.yaml, checked by values.schema.json and described in the repository's
docs/getting-started.md ("With Helm"). `helm upgrade` never changes CRDs: apply `crds/` first,

    kubectl apply --server-side --force-conflicts -f deploy/helm/nimop/crds/
    helm upgrade nimop deploy/helm/nimop -n nimop-system --reuse-values
"""

NOTES = """\
nimop {{ .Chart.AppVersion }} is installed in namespace {{ .Release.Namespace }}.
{{- with .Values.watchNamespaces }}
Watching: {{ join ", " . }}.
{{- else }}
Watching: all namespaces.
{{- end }}

  kubectl -n {{ .Release.Namespace }} rollout status deployment/{{ include "nimop.fullname" . }}
  kubectl get nimcaches,nimservices,nimpipelines -A

CRDs are not upgraded by `helm upgrade`; apply the chart's crds/ first (docs/getting-started.md).
"""


def chart_files(root: Path) -> dict[Path, str]:
    files = {root / "Chart.yaml": HEADER + yaml.safe_dump(chart_yaml(), sort_keys=False),
             root / "values.yaml": VALUES_YAML,
             root / "README.md": README,
             root / "values.schema.json": json.dumps(values_schema(), indent=2) + "\n",
             root / ".helmignore": "# Generated by `python -m nimop.deploygen`.\n*.orig\n*~\n",
             root / "templates" / "_helpers.tpl": HELPERS,
             root / "templates" / "NOTES.txt": NOTES,
             **crd_files(root / "crds")}
    for name, text in templates().items():
        files[root / "templates" / name] = HEADER + text
    return files
