"""NemoEvaluator: the NeMo Evaluator microservice, which runs evaluation jobs (as Argo
Workflows) against models (upstream `nemo_evaluator_types.go`, §1.6)."""

from __future__ import annotations

from typing import Literal

from pydantic import Field

from nimop.api.base import K8sModel
from nimop.api.cel import rules
from nimop.api.nemo_common import (
    LOG_LEVELS,
    NEMO_SPEC_RULES,
    ArgoWorkflows,
    DatabaseConfig,
    NemoSpec,
    NemoStatus,
    OTelSpec,
    ServiceEndpoint,
)
from nimop.api.resource import CustomResource


class EvaluationImages(K8sModel):
    """The images of the evaluation jobs, one per evaluation type."""

    bigcode_eval_harness: str | None = Field(None, alias="bigcodeEvalHarness")
    """BigCode evaluation harness."""
    lm_eval_harness: str | None = Field(None, alias="lmEvalHarness")
    """LM evaluation harness."""
    similarity_metrics: str | None = Field(None, alias="similarityMetrics")
    """Similarity metrics."""
    llm_as_judge: str | None = Field(None, alias="llmAsJudge")
    """LLM-as-a-judge."""
    mt_bench: str | None = Field(None, alias="mtBench")
    """MT-Bench."""
    retriever: str | None = None
    """Retriever evaluation."""
    rag: str | None = None
    """RAG evaluation."""
    bfcl: str | None = None
    """Berkeley function-calling leaderboard."""
    agentic_eval: str | None = Field(None, alias="agenticEval")
    """Agentic evaluation."""


class NemoEvaluatorSpec(NemoSpec):
    """Desired state of a NemoEvaluator."""

    database_config: DatabaseConfig = Field(alias="databaseConfig")
    """The PostgreSQL database of the evaluator."""
    argo_workflows: ArgoWorkflows = Field(alias="argoWorkflows")
    """The Argo Workflows server evaluation jobs run on."""
    vector_db: ServiceEndpoint = Field(alias="vectorDB")
    """The vector database (Milvus) for retriever and RAG evaluations."""
    datastore: ServiceEndpoint
    """The NeMo Data Store, e.g. `http://nemodatastore-sample.nemo.svc:8000/v1/hf`."""
    entitystore: ServiceEndpoint
    """The NeMo Entity Store, e.g. `http://nemoentitystore-sample.nemo.svc:8000`."""
    otel: OTelSpec | None = None
    """OpenTelemetry."""
    eval_log_level: LOG_LEVELS = Field("INFO", alias="evalLogLevel")
    """Log level of evaluation jobs: INFO or DEBUG."""
    log_handlers: Literal["console", "file"] = Field("console", alias="logHandlers")
    """Where logs go: console or file."""
    console_log_level: LOG_LEVELS = Field("INFO", alias="consoleLogLevel")
    """Console log level: INFO or DEBUG."""
    enable_validation: bool | None = Field(None, alias="enableValidation")
    """Validate evaluation jobs before running them (default true)."""
    evaluation_images: EvaluationImages = Field(alias="evaluationImages")
    """Images of the evaluation jobs."""

    model_config = rules(*NEMO_SPEC_RULES)


class NemoEvaluator(CustomResource):
    """NemoEvaluator runs the NeMo Evaluator microservice: a Deployment with its database
    migration, a Service, and optionally an Ingress or routes, HPA and ServiceMonitor."""

    kind: Literal["NemoEvaluator"] = "NemoEvaluator"
    spec: NemoEvaluatorSpec
    """Desired state of the evaluator."""
    status: NemoStatus | None = None
    """Observed state, written by the operator."""
