"""Names of children and label values: DNS-1123/1035 labels that never collide, and the short
hashes they use (§0 C13).
"""

from __future__ import annotations

import hashlib
import re

MAX_NAME = 63
_INVALID = re.compile(r"[^a-z0-9-]+")
_LABEL_INVALID = re.compile(r"[^A-Za-z0-9._-]+")


def short_hash(text: str, length: int = 12) -> str:
    """A stable lowercase-hex digest prefix (names and claim names, §4.3 `hash12`)."""
    return hashlib.sha256(text.encode()).hexdigest()[:length]


def dns_label(text: str, limit: int = MAX_NAME) -> str:
    """Coerce `text` into a DNS-1123 label of at most `limit` characters.

    Names that need changing (too long, dots or other characters) get a hash of the original
    appended, so two different inputs never collapse to the same name.
    """
    clean = _INVALID.sub("-", text.lower()).strip("-")
    if clean == text and 0 < len(clean) <= limit:
        return clean
    digest = short_hash(text, 8)
    head = clean[: limit - len(digest) - 1].strip("-")
    return f"{head}-{digest}" if head else f"x{digest}"


def child_name(base: str, suffix: str = "") -> str:
    """`<base><suffix>` as a DNS-1123 label, truncating `base` (never the suffix) when too long."""
    full = f"{base}{suffix}"
    if len(full) <= MAX_NAME and dns_label(full) == full:
        return full
    digest = short_hash(full, 8)
    room = MAX_NAME - len(suffix) - len(digest) - 1
    head = _INVALID.sub("-", base.lower()).strip("-")[:room].strip("-")
    return dns_label(f"{head}-{digest}{suffix}")


def service_name(base: str, suffix: str = "") -> str:
    """Like `child_name`, but a DNS-1035 label (Services must start with a letter)."""
    name = child_name(base, suffix)
    return name if name[0].isalpha() else child_name(f"n{base}", suffix)


def label_value(text: str) -> str:
    """A valid label value (≤ 63, alphanumeric ends), hashed when it had to change."""
    clean = _LABEL_INVALID.sub("-", text)
    clean = re.sub(r"^[^A-Za-z0-9]+|[^A-Za-z0-9]+$", "", clean)
    if clean == text and len(clean) <= MAX_NAME:
        return clean
    digest = short_hash(text, 8)
    head = re.sub(r"[^A-Za-z0-9]+$", "", clean[: MAX_NAME - len(digest) - 1])
    return f"{head}-{digest}" if head else digest
