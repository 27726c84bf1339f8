"""The nimop API (`apps.nvidia.com/v1alpha1`): models of the custom resources, their
validation, and the generators of the published CRDs, JSON schemas and API reference.

Models read the camelCase JSON the apiserver stores and expose snake_case attributes;
`to_dict()` gives the wire form back. Embedded Kubernetes types live in `nimop.api.core`
(generated).
"""

from nimop.api.base import K8sModel
from nimop.api.nemo_customizer import NemoCustomizer
from nimop.api.nemo_datastore import NemoDatastore
from nimop.api.nemo_entitystore import NemoEntitystore
from nimop.api.nemo_evaluator import NemoEvaluator
from nimop.api.nemo_guardrail import NemoGuardrail
from nimop.api.nimbuild import NIMBuild, NIMBuildSpec, NIMBuildStatus
from nimop.api.nimcache import NIMCache, NIMCacheSpec, NIMCacheStatus
from nimop.api.nimpipeline import NIMPipeline, NIMPipelineSpec, NIMPipelineStatus
from nimop.api.nimservice import NIMService, NIMServiceSpec, NIMServiceStatus
from nimop.api.registry import KINDS, KindInfo, as_models_read, parse_object, register
from nimop.api.resource import API_VERSION, GROUP, VERSION, CustomResource

__all__ = [
    "API_VERSION",
    "GROUP",
    "KINDS",
    "VERSION",
    "CustomResource",
    "K8sModel",
    "KindInfo",
    "NIMBuild",
    "NIMBuildSpec",
    "NIMBuildStatus",
    "NIMCache",
    "NIMCacheSpec",
    "NIMCacheStatus",
    "NIMPipeline",
    "NIMPipelineSpec",
    "NIMPipelineStatus",
    "NIMService",
    "NIMServiceSpec",
    "NIMServiceStatus",
    "NemoCustomizer",
    "NemoDatastore",
    "NemoEntitystore",
    "NemoEvaluator",
    "NemoGuardrail",
    "as_models_read",
    "parse_object",
    "register",
]
