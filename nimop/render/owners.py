"""The owner type of each renderer family: `Owner` over the kind's typed spec."""

from __future__ import annotations

from nimop.api.nimbuild import NIMBuildSpec
from nimop.api.nimcache import NIMCacheSpec
from nimop.api.nimpipeline import NIMPipelineSpec
from nimop.api.nimservice import NIMServiceSpec
from nimop.render.common import Owner

ServiceOwner = Owner[NIMServiceSpec]
CacheOwner = Owner[NIMCacheSpec]
PipelineOwner = Owner[NIMPipelineSpec]
BuildOwner = Owner[NIMBuildSpec]
