"""Multi-node NIMService as a LeaderWorkerSet `<name>-lws` (§4.2; LWS API from sigs.k8s.io/lws
`api/leaderworkerset/v1/leaderworkerset_types.go`), with the MPI (default) or Ray backend,
a Service for the leaders, and, as for a standalone NIMService, Ingress, routes, ServiceMonitor
(scraping the leaders through that Service) and the endpoint picker (its InferencePool selects
the leaders: only they serve).

Group size: the group must hold `pipeline * tensor` GPUs; each pod holds the GPUs it requests
(`nvidia.com/gpu`, else `tensor` as upstream assumes), so size = pp·tp / gpusPerPod — equal to
upstream's `size = pipeline` whenever a pod has `tensor` GPUs.
"""

from __future__ import annotations

from typing import Any

from nimop.api import kinds
from nimop.api.nimservice import MPIConfig, RayConfig
from nimop.render import dra, exposure
from nimop.render.compute_domain import render_compute_domain
from nimop.render.env import env_var, field_env, merge_env
from nimop.render.epp import render_epp
from nimop.render.facts import ClusterFacts
from nimop.render.mpi import LAUNCH_KEY, LAUNCH_PATH, SCRIPTS, START_KEY, START_PATH
from nimop.render.names import child_name, label_value
from nimop.render.objects import manifest, merge_maps, metadata, standard_labels
from nimop.render.owners import ServiceOwner
from nimop.render.prepare import PART_OF, Prepared, parts_for, prepare, probes, service_labels
from nimop.render.rbac import rbac
from nimop.render.result import Child, Collector, GeneratedSecret
from nimop.render.storage import gpu_count
from nimop.render.wire import wires
from nimop.render.workload import PodParts, main_container, pod_spec, required_scc

LWS_API = "leaderworkerset.x-k8s.io/v1"
LWS = "leaderworkerset.sigs.k8s.io"


def render_multinode(owner: ServiceOwner, facts: ClusterFacts, out: Collector) -> None:
    labels = service_labels(owner)
    lws_name = child_name(owner.name, "-lws")
    out.workload = Child(kinds.LWS, lws_name)
    out.add(*rbac(owner, labels, facts, scc=required_scc(owner.spec)))
    p = prepare(owner, facts, out)
    leader_sel = {"app": label_value(lws_name), "nim-llm-role": "leader"}
    exposure.add_service(owner, labels, p.ports, leader_sel, out)
    out.expose(exposure.ingress(owner, labels))
    out.expose(*exposure.routes(owner, labels, p.ports, facts, out))
    out.add(exposure.service_monitor(owner, labels, standard_labels(owner, PART_OF), p.ports,
                                     facts, out))
    render_epp(owner, labels, p.ports, facts, out, pods=leader_sel)
    if not facts.lws:
        out.problem("LeaderWorkerSetAPIMissing", "spec.multiNode needs the LeaderWorkerSet API "
                    "(leaderworkerset.x-k8s.io/v1); install LWS", failed=True)
        return
    multi = owner.spec.multi_node
    if multi is None:
        raise ValueError("render_multinode needs spec.multiNode")
    pp = multi.parallelism.pipeline or 1
    tp = multi.parallelism.tensor or 1
    parts = parts_for(p, out, tensor=tp)
    per_pod = gpu_count(parts.resources) or tp
    if (pp * tp) % per_pod:
        out.problem("InvalidParallelism", f"pipeline*tensor = {pp * tp} GPUs cannot be split "
                    f"into pods of {per_pod} GPUs (nvidia.com/gpu)", failed=True)
        return
    if p.storage.volume is None:
        return
    size = pp * tp // per_pod
    if multi.compute_domain is not None and not render_compute_domain(
            owner, multi.compute_domain, size, labels, dict(owner.spec.annotations or {}), facts,
            p.claims, out):
        return
    if multi.ray is None:
        out.add(*mpi_objects(owner, labels, size, per_pod))
        out.secrets.append(GeneratedSecret(child_name(owner.name, "-ssh-pk"), "private.key"))
    out.add(lws(p, parts, lws_name, size, per_pod, pp, tp, multi.ray))


def common_env(size: int, pp: int, tp: int) -> list[dict[str, Any]]:
    return [
        env_var("NIM_MPI_ALLOW_RUN_AS_ROOT", "0"), env_var("NIM_NUM_COMPUTE_NODES", str(size)),
        env_var("NIM_MULTI_NODE", "1"), env_var("NIM_TENSOR_PARALLEL_SIZE", str(tp)),
        env_var("NIM_PIPELINE_PARALLEL_SIZE", str(pp)),
        field_env("NIM_NODE_RANK", f"metadata.labels['{LWS}/worker-index']"),
    ]


def leader_env(owner: ServiceOwner, per_pod: int) -> list[dict[str, Any]]:
    """MPI leader env; `CLUSTER_START_TIMEOUT` is `mpi.mpiStartTimeout` (default in the model)."""
    multi = owner.spec.multi_node
    timeout = ((multi.mpi if multi else None) or MPIConfig()).mpi_start_timeout
    return [
        env_var("NIM_LEADER_ROLE", "1"), env_var("OMPI_MCA_orte_keep_fqdn_hostnames", "true"),
        env_var("OMPI_MCA_plm_rsh_args", "-o ConnectionAttempts=20"),
        env_var("GPUS_PER_NODE", str(per_pod)), env_var("CLUSTER_START_TIMEOUT", str(timeout)),
        field_env("CLUSTER_SIZE", f"metadata.annotations['{LWS}/size']"),
        field_env("GROUP_INDEX", f"metadata.labels['{LWS}/group-index']"),
    ]


def worker_env() -> list[dict[str, Any]]:
    return [
        env_var("NIM_LEADER_ROLE", "0"),
        field_env("LEADER_NAME", f"metadata.annotations['{LWS}/leader-name']"),
        field_env("NAMESPACE", "metadata.namespace"),
        field_env("LWS_NAME", f"metadata.labels['{LWS}/name']"),
    ]


def mpi_objects(owner: ServiceOwner, labels: dict[str, str], size: int,
                per_pod: int) -> list[dict[str, Any]]:
    """ConfigMaps `<name>-mpi-config` (one hostfile per group) and `<name>-mpi-start-script`
    (§4.2 MPI). Re-rendered on every change, so scaling updates the hostfiles (§9 bug 18)."""
    lws_name = child_name(owner.name, "-lws")
    groups = 1 if owner.spec.replicas is None else owner.spec.replicas
    hostfiles = {}
    for g in range(max(groups, 1)):
        lines = [f"localhost slots={per_pod}"] + [
            f"{lws_name}-{g}-{w}.{lws_name}.{owner.namespace}.svc slots={per_pod}"
            for w in range(1, size)]
        hostfiles[f"hostfile-{g}"] = "\n".join(lines) + "\n"
    return [
        manifest("v1", "ConfigMap", metadata(owner, child_name(owner.name, "-mpi-config"), labels),
                 data=hostfiles),
        manifest("v1", "ConfigMap",
                 metadata(owner, child_name(owner.name, "-mpi-start-script"), labels),
                 data=dict(SCRIPTS)),
    ]


def mpi_volumes(owner: ServiceOwner,
                leader: bool) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    script = child_name(owner.name, "-mpi-start-script")
    vols: list[dict[str, Any]] = [
        {"name": "ssh-dotfiles", "emptyDir": {}},
        {"name": "ssh-pk", "secret": {"secretName": child_name(owner.name, "-ssh-pk"),
                                      "defaultMode": 0o400}},
        {"name": "start-mpi-script", "configMap": {"name": script, "defaultMode": 0o555}},
    ]
    mounts: list[dict[str, Any]] = [
        {"name": "ssh-dotfiles", "mountPath": "/opt/nim/llm/.ssh"},
        {"name": "ssh-pk", "mountPath": "/opt/nim/llm/pk"},
        {"name": "start-mpi-script", "mountPath": START_PATH, "subPath": START_KEY},
        {"name": "start-mpi-script", "mountPath": LAUNCH_PATH, "subPath": LAUNCH_KEY},
    ]
    if leader:
        vols.append({"name": "mpi-config", "configMap": {
            "name": child_name(owner.name, "-mpi-config"), "defaultMode": 0o555}})
        mounts.append({"name": "mpi-config", "mountPath": "/etc/mpi"})
    else:
        vols.append({"name": "ssh-confs", "emptyDir": {}})
        mounts.append({"name": "ssh-confs", "mountPath": "/ssh-confs"})
    return vols, mounts


def role_template(p: Prepared, parts: PodParts, lws_name: str, leader: bool, env: list[Any],
                  ray_config: RayConfig | None) -> dict[str, Any]:
    owner = p.owner
    role = "leader" if leader else "worker"
    ports = p.ports.container_ports() if leader else []
    ray = ray_config is not None
    ray_port = (ray_config or RayConfig()).ray_port
    if ray:
        ports = [*ports, {"name": "ray", "containerPort": ray_port, "protocol": "TCP"}]
    vols, mounts = ([], []) if ray else mpi_volumes(owner, leader)
    role_parts = PodParts(parts.env, parts.volumes + vols, parts.mounts + mounts, parts.init,
                          parts.sidecars, parts.resources)
    if leader:
        prb = probes(owner)
    else:
        prb = {"startupProbe": {"exec": {"command": ["/bin/sh", "-c", "ray status"]},
                                "initialDelaySeconds": 30, "timeoutSeconds": 5,
                                "periodSeconds": 10, "failureThreshold": 3}} if ray else {}
    # As upstream: MPI containers set no command, the image's entrypoint starts the group (a
    # spec.command replaces it, e.g. nimop's launcher, `mpi.py`); Ray runs `nim-serve-ray`.
    args: list[str] | None = None
    if ray:
        tail = ["--head", "--port", str(ray_port)] if leader else [
            "--head-address", f"$(LWS_LEADER_ADDRESS):{ray_port}"]
        args = ["nim-serve-ray", *tail]
    ctr = main_container(owner, role_parts, f"nim-{role}", ports, prb, env, args=args,
                         user_command=not ray)
    pod = pod_spec(owner, [ctr], role_parts, p.claims.pod)
    dra.add_container_claims(pod["containers"], p.claims)
    labels = merge_maps(p.labels, {"app": label_value(lws_name), "nim-llm-role": role})
    meta: dict[str, Any] = {"labels": labels}
    if p.pod_annotations:
        meta["annotations"] = dict(p.pod_annotations)
    return {"metadata": meta, "spec": pod}


def lws(p: Prepared, parts: PodParts, name: str, size: int, per_pod: int, pp: int, tp: int,
        ray: RayConfig | None) -> dict[str, Any]:
    owner = p.owner
    common = merge_env(common_env(size, pp, tp), wires(owner.spec.env))
    base = merge_env(parts.env, common)
    leader = role_template(p, parts, name, True, merge_env(base, leader_env(owner, per_pod)), ray)
    worker = role_template(p, parts, name, False, merge_env(base, worker_env()), ray)
    spec: dict[str, Any] = {}
    if owner.spec.replicas is not None:
        spec["replicas"] = owner.spec.replicas
    spec |= {
        "leaderWorkerTemplate": {"size": size, "restartPolicy": "RecreateGroupOnPodRestart",
                                 "leaderTemplate": leader, "workerTemplate": worker},
        "startupPolicy": "LeaderCreated",
        "networkConfig": {"subdomainPolicy": "Shared"},
        "rolloutStrategy": {"type": "RollingUpdate",
                            "rollingUpdateConfiguration": {"maxSurge": 0, "maxUnavailable": 1}},
    }
    meta = metadata(owner, name, p.labels, owner.spec.annotations)
    return manifest(LWS_API, "LeaderWorkerSet", meta, spec=spec)

