"""How the API twin refuses a request: a ``metav1.Status`` with code, reason and message."""

from __future__ import annotations

from typing import Any

__all__ = ["ApiStatus"]


class ApiStatus(Exception):
    """Raised inside the twin; answered as the apiserver answers (a ``Status`` body)."""

    def __init__(self, code: int, reason: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.reason = reason
        self.message = message

    def body(self) -> dict[str, Any]:
        return {"kind": "Status", "apiVersion": "v1", "metadata": {}, "status": "Failure",
                "message": self.message, "reason": self.reason, "code": self.code}  # fmt: skip
