"""A NIMCache with explicit `model.profiles` probes the manifest too, so `status.profiles`
lists the selected profiles with their tags — what NIMService GPU auto-sizing and NIMBuild
input selection read (upstream probes every non-native NGC cache; nimop used to skip the probe
and report no profiles)."""

from __future__ import annotations

from tests.e2e.crs import nimcache, nimservice
from tests.unit.controllers.harness import gpu_node, running
from tests.unit.controllers.test_reconcile_nimcache import COMPLETE, MANIFEST, probe_runs

H100_TP2 = "ad17776f4619854fccd50354f31132a558a1ca619930698fd184d6ccf5fe3620"
A100_TP1 = "e2f00b2cbfb168f907c8d6d4d40406f7261111fbab8b3417a485dcd19d10cc98"
SOURCE = {"ngc": {"modelPuller": "nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3",
                  "pullSecret": "ngc-secret", "authSecret": "ngc-api-secret",
                  "model": {"profiles": [H100_TP2, A100_TP1]}}}  # fmt: skip


async def test_explicit_profiles_are_reported_with_their_tags_and_size_the_service() -> None:
    async with running(objects=[gpu_node()]) as op:
        await op.put(nimcache("pinned", source=SOURCE))
        assert op.names("Pod") == ["pinned-pod"], "the manifest is probed for explicit profiles"
        await probe_runs(op, "pinned", MANIFEST.read_text())
        job = op.must("Job", "pinned-job")["spec"]["template"]["spec"]["containers"][0]
        assert job["args"] == ["--profiles", H100_TP2, A100_TP1], "cached as given"
        await op.set_status("PersistentVolumeClaim", "pinned-pvc", {"phase": "Bound"})
        await op.set_status("Job", "pinned-job", COMPLETE)
        status = op.status("NIMCache", "pinned")
        assert status["state"] == "Ready"
        profiles = {p["name"]: p["config"] for p in status["profiles"]}
        assert set(profiles) == {H100_TP2, A100_TP1}
        assert profiles[H100_TP2]["tp"] == "2" and profiles[A100_TP1]["gpu"] == "A100"

        storage = {"nimCache": {"name": "pinned", "profile": H100_TP2}}
        await op.put(nimservice("svc", storage=storage))
        ctr = op.must("Deployment", "svc")["spec"]["template"]["spec"]["containers"][0]
        assert ctr["resources"]["limits"]["nvidia.com/gpu"] == 2, "sized from the profile's tp"
