"""Image references as container runtimes read them (`nvcr.io/nim/meta/llama:1.3`, `ubuntu`,
`localhost:5000/x@sha256:…`): registry, repository and tag or digest, with Docker Hub's
defaults (`docker.io`, `library/`, `latest`)."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass

DOCKER_HUB = "docker.io"
#: Docker Hub's registry API host (the `docker.io` name serves no API).
DOCKER_HUB_API = "registry-1.docker.io"
_COMPONENT = re.compile(r"^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$")
_TAG = re.compile(r"^[\w][\w.-]{0,127}$")
_DIGEST = re.compile(r"^[a-z0-9]+(?:[.+_-][a-z0-9]+)*:[0-9a-fA-F]{32,}$")


class ReferenceError(ValueError):
    """The string is not an image reference; the message says which part is wrong."""


@dataclass(frozen=True)
class ImageReference:
    registry: str
    repository: str
    tag: str = "latest"
    digest: str = ""

    @property
    def reference(self) -> str:
        """What the manifest endpoint is asked for: the digest when pinned, else the tag."""
        return self.digest or self.tag

    @property
    def api_host(self) -> str:
        return DOCKER_HUB_API if self.registry == DOCKER_HUB else self.registry

    @property
    def plain_http(self) -> bool:
        """Registries on loopback are spoken to without TLS, as container tools do by default."""
        host = (
            self.registry.rsplit(":", 1)[0]
            if not self.registry.startswith("[")
            else (self.registry[1:].split("]", 1)[0])
        )
        if host == "localhost":
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    @property
    def base_url(self) -> str:
        return f"{'http' if self.plain_http else 'https'}://{self.api_host}"

    def __str__(self) -> str:
        text = f"{self.registry}/{self.repository}"
        return f"{text}@{self.digest}" if self.digest else f"{text}:{self.tag}"


def _split_registry(name: str) -> tuple[str, str]:
    first, sep, rest = name.partition("/")
    if sep and ("." in first or ":" in first or first == "localhost" or first != first.lower()):
        return first, rest
    return DOCKER_HUB, name


def parse_reference(text: str) -> ImageReference:
    """Parse `[registry/]repository[:tag][@digest]`; raises ReferenceError."""
    raw = text.strip()
    if not raw:
        raise ReferenceError("the image reference is empty")
    name, _, digest = raw.partition("@")
    if digest and not _DIGEST.match(digest):
        raise ReferenceError(f"{text!r}: {digest!r} is not a digest (algorithm:hex)")
    tag = ""
    slash = name.rfind("/")
    colon = name.rfind(":")
    if colon > slash:
        name, tag = name[:colon], name[colon + 1 :]
        if not _TAG.match(tag):
            raise ReferenceError(f"{text!r}: {tag!r} is not a valid tag")
    registry, repository = _split_registry(name)
    if registry == DOCKER_HUB and "/" not in repository:
        repository = f"library/{repository}"
    if not repository or not all(_COMPONENT.match(c) for c in repository.split("/")):
        raise ReferenceError(
            f"{text!r}: {repository!r} is not a repository name (lowercase letters, digits, "
            "separators)"
        )
    return ImageReference(registry, repository, tag or ("" if digest else "latest"), digest)
