"""The envelope every custom resource shares: apiVersion, kind, metadata."""

from __future__ import annotations

from pydantic import Field

from nimop.api.base import K8sModel
from nimop.api.core import meta_v1

GROUP = "apps.nvidia.com"
VERSION = "v1alpha1"
API_VERSION = f"{GROUP}/{VERSION}"


class CustomResource(K8sModel):
    """Base of the nimop kinds; subclasses add typed `spec` and `status`."""

    api_version: str = Field(API_VERSION, alias="apiVersion")
    """API group and version: `apps.nvidia.com/v1alpha1`."""
    kind: str
    """Kind of the object."""
    metadata: meta_v1.ObjectMeta = Field(default_factory=meta_v1.ObjectMeta)
    """Standard object metadata."""

    @property
    def key(self) -> str:
        """`namespace/name`, the key controllers queue."""
        return f"{self.metadata.namespace or ''}/{self.metadata.name or ''}"
