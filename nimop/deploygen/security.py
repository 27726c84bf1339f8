"""The generated parts of docs/security.md: the RBAC tables, between marker comments, so the
prose around them is written by hand and the tables never drift from `nimop.permissions`."""

from __future__ import annotations

from nimop.permissions import PERMISSIONS, markdown_table

BEGIN = "<!-- generated:rbac begin (python -m nimop.deploygen) -->"
END = "<!-- generated:rbac end -->"


def security_doc(text: str) -> str:
    """`text` with the block between the markers replaced by the current table."""
    start, end = text.find(BEGIN), text.find(END)
    if start < 0 or end < start:
        raise ValueError(f"docs/security.md needs the markers {BEGIN!r} and {END!r}")
    return text[: start + len(BEGIN)] + "\n\n" + markdown_table(PERMISSIONS) + "\n" + text[end:]
