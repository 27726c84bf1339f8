"""`Problem`: why a custom resource cannot (yet) work as written — one class for every finding.

Renderers return problems as data instead of raising (upstream turns every rendering failure
into an error and a `Failed` condition, `internal/controller/platform/standalone/nimservice.go`
`updateStatus` on every error path); the checks CEL cannot express (`nimop.api.validation`)
return them too. The controllers map each onto a condition or an event:

- `failed`: state `Failed` — bad input, a missing API, a failed NIMCache;
- not `failed`: state `NotReady` — waiting for something expected to happen (a NIMCache
  becoming Ready);
- `warning`: accepted as written, reported as a Warning event (deprecated or ignored fields).

`reason` is a CamelCase condition reason (upstream's vocabulary where one exists —
`NIMCacheNotFound`, `NIMCacheNotReady`, `NIMCacheFailed`, `DRAResourcesUnsupported` — ours for
new cases: `LeaderWorkerSetAPIMissing`, `InferenceServiceAPIMissing`, …); `path` names the
field (`spec.expose.ingress`) when one field is at fault.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

Severity = Literal["error", "warning"]


@dataclass(frozen=True)
class Problem:
    """One finding about one CR (see the module docstring for what each flag means)."""

    reason: str
    message: str
    failed: bool = False
    path: str = ""
    warning: bool = False

    @property
    def severity(self) -> Severity:
        return "warning" if self.warning else "error"

    @classmethod
    def finding(cls, path: str, reason: str, message: str,
                severity: Severity = "error") -> Problem:
        """An admission-style finding about the field at `path`: an error fails the CR, a
        warning is only reported."""
        warning = severity == "warning"
        return cls(reason, message, failed=not warning, path=path, warning=warning)
