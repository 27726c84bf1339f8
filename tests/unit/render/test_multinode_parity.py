"""A multi-node NIMService has what a standalone one has (ServiceMonitor, endpoint picker), and
its containers start as upstream's do: the image's entrypoint, unless `spec.command` says
otherwise (§4.2, §4.7, §4.8)."""

from __future__ import annotations

import subprocess
from typing import Any

import pytest

from nimop.render import ClusterFacts, Rendered
from nimop.render.mpi import LAUNCH_KEY, LAUNCH_PATH, SCRIPTS, START_KEY, START_PATH
from tests.unit.render.helpers import NS, render, svc

PROFILE = {"name": "default", "plugins": [{"pluginRef": "queue-scorer"}]}
EPP = {"containerSpec": {"name": "epp", "image": {"repository": "epp", "tag": "v1"}},
       "config": {"kind": "EndpointPickerConfig", "plugins": [{"type": "queue-scorer"}],
                  "schedulingProfiles": [PROFILE]}}  # fmt: skip


def multi(**spec: Any) -> dict[str, Any]:
    return svc(multiNode={"parallelism": {"pipeline": 2, "tensor": 4}}, **spec)


def containers(r: Rendered) -> list[dict[str, Any]]:
    lws = r.find("LeaderWorkerSet")
    assert lws is not None, r.problems
    tmpl = lws["spec"]["leaderWorkerTemplate"]
    return [tmpl[t]["spec"]["containers"][0] for t in ("leaderTemplate", "workerTemplate")]


def test_mpi_containers_set_no_command_the_image_entrypoint_starts_the_group() -> None:
    for ctr in containers(render(multi())):
        assert "command" not in ctr and "args" not in ctr, ctr["name"]
        mounts = {m["mountPath"]: m.get("subPath") for m in ctr["volumeMounts"]}
        assert mounts[START_PATH] == START_KEY and mounts[LAUNCH_PATH] == LAUNCH_KEY


def test_spec_command_opts_both_roles_into_nimops_launcher() -> None:
    command = ["/bin/bash", LAUNCH_PATH]
    for ctr in containers(render(multi(command=command, args=["--x"]))):
        assert (ctr["command"], ctr["args"]) == (command, ["--x"])


def test_ray_runs_nim_serve_ray_whatever_the_command() -> None:
    r = render(svc(multiNode={"parallelism": {"pipeline": 2, "tensor": 4}, "ray": {}},
                   command=["ignored"]))  # fmt: skip
    leader, worker = containers(r)
    assert "command" not in leader and leader["args"][:2] == ["nim-serve-ray", "--head"]
    assert worker["args"][0] == "nim-serve-ray"


def test_the_start_script_config_map_carries_both_scripts() -> None:
    cm = render(multi()).find("ConfigMap", "llm-mpi-start-script")
    assert cm is not None and cm["data"] == SCRIPTS


@pytest.mark.parametrize("key", sorted(SCRIPTS))
def test_scripts_are_valid_bash(key: str) -> None:
    subprocess.run(["bash", "-n"], input=SCRIPTS[key], text=True, check=True)


def test_the_launcher_runs_the_start_script_on_every_rank() -> None:
    last = SCRIPTS[LAUNCH_KEY].rstrip().splitlines()[-1]
    assert last.strip().endswith(f"/bin/bash {START_PATH}")
    assert "nim_llm_sdk.entrypoints.openai.api_server" in SCRIPTS[START_KEY]


def test_service_monitor_scrapes_the_leaders_through_the_service() -> None:
    r = render(multi(metrics={"enabled": True, "serviceMonitor": {"interval": "30s"}}))
    sm, service = r.find("ServiceMonitor"), r.find("Service", "llm")
    assert sm is not None and service is not None
    assert sm["spec"]["namespaceSelector"] == {"matchNames": [NS]}
    selected = sm["spec"]["selector"]["matchLabels"]
    assert selected.items() <= service["metadata"]["labels"].items()
    assert sm["spec"]["endpoints"][0]["port"] == "api"
    reasons = [p.reason for p in render(multi(metrics={"enabled": True}),
                                        ClusterFacts.all_apis(service_monitor=False)).problems]
    assert reasons == ["ServiceMonitorAPIMissing"]


def test_endpoint_picker_pool_selects_the_leaders() -> None:
    r = render(multi(expose={"router": {"eppConfig": EPP}}))
    pool = r.find("InferencePool")
    assert pool is not None and r.find("Deployment", "llm-epp") is not None
    assert pool["spec"]["selector"]["matchLabels"] == {"app": "llm-lws", "nim-llm-role": "leader"}
    lws = r.find("LeaderWorkerSet")
    assert lws is not None
    leader = lws["spec"]["leaderWorkerTemplate"]["leaderTemplate"]
    assert pool["spec"]["selector"]["matchLabels"].items() <= leader["metadata"]["labels"].items()
    standalone = render(svc(expose={"router": {"eppConfig": EPP}})).find("InferencePool")
    assert standalone is not None
    assert standalone["spec"]["selector"]["matchLabels"] == {"app": "llm"}
