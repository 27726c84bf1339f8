"""The distribution client against an in-process registry: plain images, indexes (attestations
skipped), Basic and Bearer-token authentication from a pull secret's credential, redirects that
never carry credentials to another host, and bounded, verified answers."""

from __future__ import annotations

import json

import pytest

from nimop.oci import Credential, InspectionError, config_labels, parse_reference
from nimop.oci import distribution as dist
from tests.unit.oci.fake_registry import DOCKER_MANIFEST, TOKEN, FakeRegistry, digest, serving

LABEL = {"com.nvidia.nim.model_download_protocol": "native-v1"}


async def labels(reg: FakeRegistry, name: str, cred: Credential | None = None
                 ) -> list[dict[str, str]]:  # fmt: skip
    return await config_labels(parse_reference(f"{reg.host}/{name}"), cred, seconds=5)


async def test_a_plain_image_gives_its_config_labels() -> None:
    async with serving(FakeRegistry()) as reg:
        reg.image("nim/native", "1", LABEL)
        reg.image("nim/docker", "1", {"a": "b"}, media=DOCKER_MANIFEST)
        reg.image("nim/bare", "1", None)
        assert await labels(reg, "nim/native:1") == [LABEL]
        assert await labels(reg, "nim/docker:1") == [{"a": "b"}]
        assert await labels(reg, "nim/bare:1") == [{}]


async def test_an_index_gives_every_platform_image_and_skips_attestations_and_artifacts() -> None:
    async with serving(FakeRegistry()) as reg:
        amd = reg.image("nim/multi", "amd", LABEL)
        arm = reg.image("nim/multi", "arm", {"other": "x"})
        att = reg.image("nim/multi", "att", {"never": "read"})
        sig = reg.image("nim/multi", "sig", {"never": "read"})
        reg.index("nim/multi", "1", [
            {"mediaType": dist.OCI_MANIFEST, "digest": amd, "size": 1,
             "platform": {"os": "linux", "architecture": "amd64"},
             "artifactType": "application/vnd.docker.container.image.v1+json"},
            {"mediaType": dist.OCI_MANIFEST, "digest": sig, "size": 1,
             "artifactType": "application/vnd.dev.sigstore.bundle.v0.3+json"},
            {"mediaType": dist.OCI_MANIFEST, "digest": arm, "size": 1,
             "platform": {"os": "linux", "architecture": "arm64"}},
            {"mediaType": dist.OCI_MANIFEST, "digest": att, "size": 1,
             "platform": {"os": "unknown", "architecture": "unknown"},
             "annotations": {"vnd.docker.reference.type": "attestation-manifest"}},
        ])  # fmt: skip
        assert await labels(reg, "nim/multi:1") == [LABEL, {"other": "x"}]


async def test_bearer_token_handshake_with_the_pull_secret_credential() -> None:
    async with serving(FakeRegistry(auth="bearer")) as reg:
        reg.image("nim/private", "1", LABEL)
        assert await labels(reg, "nim/private:1", Credential("u", "p")) == [LABEL]
        token_requests = [p for p, _ in reg.seen if p.startswith("/token")]
        assert token_requests == ["/token?service=fake&scope=repository:nim/private:pull"]
        assert reg.seen[-1][1] == f"Bearer {TOKEN}", "the blob was read with the token"


async def test_basic_authentication_and_wrong_or_missing_credentials() -> None:
    async with serving(FakeRegistry(auth="basic")) as reg:
        reg.image("nim/private", "1", LABEL)
        assert await labels(reg, "nim/private:1", Credential("u", "p")) == [LABEL]
        with pytest.raises(InspectionError, match="refused the credentials"):
            await labels(reg, "nim/private:1", Credential("u", "wrong"))
        with pytest.raises(InspectionError, match="requires credentials"):
            await labels(reg, "nim/private:1")


async def test_a_refused_token_is_an_inspection_error() -> None:
    async with serving(FakeRegistry(auth="bearer")) as reg:
        reg.image("nim/private", "1", LABEL)
        with pytest.raises(InspectionError, match=r"token endpoint .* HTTP 401"):
            await labels(reg, "nim/private:1", Credential("u", "bad"))


async def test_a_redirected_blob_is_read_without_the_registry_credentials() -> None:
    async with serving(FakeRegistry(auth="bearer", redirect_blobs=True)) as reg:
        reg.image("nim/private", "1", LABEL)
        assert await labels(reg, "nim/private:1", Credential("u", "p")) == [LABEL]
        assert reg.seen[-1][0].startswith("/cdn/")
        # same host here, so the header is kept; another host never gets it (see _fetch)


async def test_missing_image_tampered_config_and_oversized_answers_fail() -> None:
    async with serving(FakeRegistry()) as reg:
        with pytest.raises(InspectionError, match="HTTP 404"):
            await labels(reg, "nim/absent:1")
        reg.image("nim/tampered", "1", LABEL)
        config_digest = next(iter(reg.blobs))
        reg.blobs[config_digest] = json.dumps({"config": {"Labels": {"x": "y"}}}).encode()
        with pytest.raises(InspectionError, match="does not match its digest"):
            await labels(reg, "nim/tampered:1")
        big = b"{" + b" " * (dist.MAX_MANIFEST_BYTES + 1) + b"}"
        reg.manifests["nim/big:1"] = (dist.OCI_MANIFEST, big)
        with pytest.raises(InspectionError, match=r"over|more than"):
            await labels(reg, "nim/big:1")
        assert digest(b"x").startswith("sha256:")


async def test_an_unreachable_registry_is_an_inspection_error() -> None:
    async with serving(FakeRegistry()) as reg:
        host = reg.host
    with pytest.raises(InspectionError, match="cannot be reached"):
        await config_labels(parse_reference(f"{host}/nim/x:1"), None, seconds=5)
