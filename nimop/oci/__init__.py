"""A small, read-only client of the OCI distribution API: what nimop needs to learn about an
image before any pod runs it (its config labels), without pulling layers.

Why not a library: the one Python OCI client on PyPI that is kept up (`oras`) is synchronous
(requests) and would block the operator's event loop or need a thread per inspection; nimop's
HTTP stack is aiohttp already. The distribution API needed here is three GETs (manifest, child
manifest, config blob) and the registry token handshake, so it is written here, bounded in
time and size, and tested against a real registry on loopback.
"""

from nimop.oci.credentials import Credential, credential_for, parse_pull_secret
from nimop.oci.distribution import InspectionError, config_labels
from nimop.oci.reference import ImageReference, ReferenceError, parse_reference

__all__ = [
    "Credential",
    "ImageReference",
    "InspectionError",
    "ReferenceError",
    "config_labels",
    "credential_for",
    "parse_pull_secret",
    "parse_reference",
]
