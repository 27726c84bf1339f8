"""Image references are read as container runtimes read them."""

from __future__ import annotations

import pytest

from nimop.oci import ReferenceError, parse_reference


@pytest.mark.parametrize(
    ("text", "registry", "repository", "reference", "plain_http"),
    [
        ("nvcr.io/nim/meta/llama-3.1-8b-instruct:1.3.3", "nvcr.io",
         "nim/meta/llama-3.1-8b-instruct", "1.3.3", False),
        ("ubuntu", "docker.io", "library/ubuntu", "latest", False),
        ("bitnami/redis:7", "docker.io", "bitnami/redis", "7", False),
        ("localhost:5000/nim/x", "localhost:5000", "nim/x", "latest", True),
        ("127.0.0.1:41000/nim/native:1", "127.0.0.1:41000", "nim/native", "1", True),
        ("registry.example.com:8443/a/b@sha256:" + "a" * 64, "registry.example.com:8443",
         "a/b", "sha256:" + "a" * 64, False),
    ],
)  # fmt: skip
def test_reference_parts(
    text: str, registry: str, repository: str, reference: str, plain_http: bool
) -> None:
    ref = parse_reference(text)
    assert (ref.registry, ref.repository, ref.reference) == (registry, repository, reference)
    assert ref.plain_http is plain_http


def test_docker_hub_is_asked_at_its_api_host() -> None:
    assert parse_reference("ubuntu").base_url == "https://registry-1.docker.io"


@pytest.mark.parametrize("text", ["", "nvcr.io/Nim/Upper:1", "nvcr.io/nim/x:bad tag",
                                  "nvcr.io/nim/x@sha256:zz"])  # fmt: skip
def test_malformed_references_are_refused_with_the_reason(text: str) -> None:
    with pytest.raises(ReferenceError):
        parse_reference(text)
