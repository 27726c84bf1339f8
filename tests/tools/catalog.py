"""The pinned tools the tests use, by name (`python -m tests.tools build NAME`)."""

from __future__ import annotations

from pathlib import Path

from tests.tools import GoTool

HELM_VERSION = "v3.22.0"

HELM = GoTool(
    "helm", "helm.sh/helm/v3", HELM_VERSION, package="helm.sh/helm/v3/cmd/helm",
    ldflags=f"-s -w -X helm.sh/helm/v3/internal/version.version={HELM_VERSION}",
)  # fmt: skip

#: operator-sdk is refused by the module proxy (403 for every version asked: v1.42.0, v1.41.1,
#: v1.39.2), so its `bundle validate` is reproduced by a small main over the validation library
#: it calls (github.com/operator-framework/api), default validators plus the optional suite.
BUNDLE_VALIDATE = GoTool(
    "bundlevalidate", "github.com/operator-framework/api", "v0.36.0",
    source=Path(__file__).with_name("bundlevalidate"),
)  # fmt: skip

TOOLS = {tool.name: tool for tool in (HELM, BUNDLE_VALIDATE)}
