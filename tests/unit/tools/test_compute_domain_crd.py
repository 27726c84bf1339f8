"""The ComputeDomain CRD fixture the local control plane serves is what its script derives."""

from __future__ import annotations

import yaml

from tests.cluster import compute_domain_crd


def test_the_fixture_is_what_the_script_writes() -> None:
    assert compute_domain_crd.FIXTURE.read_text() == compute_domain_crd.render(), (
        "stale fixture: run `python -m tests.cluster.compute_domain_crd`"
    )


def test_the_spec_is_immutable_as_the_driver_declares_it() -> None:
    crd = yaml.safe_load(compute_domain_crd.FIXTURE.read_text())
    version = crd["spec"]["versions"][0]
    spec = version["schema"]["openAPIV3Schema"]["properties"]["spec"]
    assert spec["x-kubernetes-validations"] == [
        {"message": "A computeDomain.spec is immutable", "rule": "self == oldSelf"}
    ]
    assert (version["name"], crd["spec"]["group"]) == ("v1beta1", "resource.nvidia.com")
    assert version["subresources"] == {"status": {}}
