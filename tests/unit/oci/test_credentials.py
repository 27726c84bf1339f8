"""Pull-secret credentials are matched to the image's registry as the kubelet matches them."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest

from nimop.oci import credential_for, parse_pull_secret, parse_reference


def secret(auths: dict[str, Any], kind: str = "kubernetes.io/dockerconfigjson") -> dict[str, Any]:
    if kind == "kubernetes.io/dockercfg":
        key, payload = ".dockercfg", auths
    else:
        key, payload = ".dockerconfigjson", {"auths": auths}
    data = base64.b64encode(json.dumps(payload).encode()).decode()
    return {"type": kind, "data": {key: data}}


def basic(user: str, password: str) -> str:
    return base64.b64encode(f"{user}:{password}".encode()).decode()


def test_the_entry_of_the_image_registry_is_used_never_another() -> None:
    entries = parse_pull_secret(secret({
        "nvcr.io": {"username": "$oauthtoken", "password": "nvapi-1"},
        "quay.io": {"auth": basic("q", "qq")},
    }))  # fmt: skip
    found = credential_for(parse_reference("nvcr.io/nim/meta/llama:1"), entries)
    assert found is not None and (found.username, found.password) == ("$oauthtoken", "nvapi-1")
    assert credential_for(parse_reference("ghcr.io/x/y:1"), entries) is None
    assert "nvapi-1" not in repr(found)


def test_auth_field_scheme_docker_hub_aliases_and_legacy_dockercfg() -> None:
    entries = parse_pull_secret(secret({"https://index.docker.io/v1/": {"auth": basic("d", "h")}},
                                       "kubernetes.io/dockercfg"))  # fmt: skip
    found = credential_for(parse_reference("library/ubuntu"), entries)
    assert found is not None and (found.username, found.password) == ("d", "h")


def test_the_most_specific_matching_entry_wins_and_globs_match_per_label() -> None:
    entries = parse_pull_secret(secret({
        "*.example.com": {"username": "wild", "password": "1"},
        "reg.example.com/team": {"username": "team", "password": "2"},
    }))  # fmt: skip
    team = credential_for(parse_reference("reg.example.com/team/app:1"), entries)
    other = credential_for(parse_reference("reg.example.com/other/app:1"), entries)
    assert team is not None and team.username == "team"
    assert other is not None and other.username == "wild"
    assert credential_for(parse_reference("a.b.example.com/x:1"), entries) is None


@pytest.mark.parametrize(
    ("obj", "message"),
    [
        ({"type": "Opaque", "data": {"token": "eA=="}}, "no .dockerconfigjson"),
        ({"type": "kubernetes.io/dockerconfigjson", "data": {".dockerconfigjson": "!!"}},
         "not base64-encoded JSON"),
        (secret({"nvcr.io": {"auth": base64.b64encode(b"nocolon").decode()}}),
         "not `username:password`"),
    ],
)  # fmt: skip
def test_a_broken_pull_secret_says_what_is_wrong(obj: dict[str, Any], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_pull_secret(obj)
