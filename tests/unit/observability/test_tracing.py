"""Trace export is configured by the standard OTEL_* variables; log lines carry trace context;
child writes are events on the current span. The exporter really sends: spans reach a loopback
OTLP receiver."""

from __future__ import annotations

from typing import Any

import pytest
from opentelemetry.sdk.trace import TracerProvider

from nimop.watch.logs import add_trace_context
from nimop.watch.tracing import TracingError, configure_tracing, tracing_requested
from tests.otlp_receiver import OtlpReceiver


@pytest.mark.parametrize(
    ("env", "wanted"),
    [
        ({}, False),
        ({"OTEL_EXPORTER_OTLP_ENDPOINT": "http://c:4318"}, True),
        ({"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT": "http://c:4318/v1/traces"}, True),
        ({"OTEL_TRACES_EXPORTER": "console"}, True),
        ({"OTEL_TRACES_EXPORTER": "none", "OTEL_EXPORTER_OTLP_ENDPOINT": "http://c"}, False),
        ({"OTEL_SDK_DISABLED": "true", "OTEL_TRACES_EXPORTER": "otlp"}, False),
    ],
)
def test_otel_variables_decide_whether_spans_are_exported(
    env: dict[str, str], wanted: bool
) -> None:
    assert tracing_requested(env) is wanted


def test_unsupported_exporters_and_protocols_are_errors() -> None:
    with pytest.raises(TracingError, match="otlp, console or none"):
        tracing_requested({"OTEL_TRACES_EXPORTER": "jaeger"})
    with pytest.raises(TracingError, match="http/protobuf"):
        configure_tracing(
            "1", {"OTEL_TRACES_EXPORTER": "otlp", "OTEL_EXPORTER_OTLP_PROTOCOL": "grpc"}
        )


def test_spans_with_write_events_reach_an_otlp_receiver(monkeypatch: pytest.MonkeyPatch) -> None:
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace.export import SimpleSpanProcessor

    with OtlpReceiver() as receiver:
        monkeypatch.setenv("OTEL_EXPORTER_OTLP_ENDPOINT", receiver.endpoint)
        provider = TracerProvider(resource=Resource.create({"service.name": "nimop"}))
        provider.add_span_processor(SimpleSpanProcessor(OTLPSpanExporter()))
        tracer = provider.get_tracer("test")
        with tracer.start_as_current_span("reconcile") as span:
            span.add_event("apply", {"k8s.resource": "apps/deployments"})
        provider.shutdown()
        [got] = receiver.spans()
    assert got["path"] == "/v1/traces" and got["name"] == "reconcile"
    assert got["resource"]["service.name"] == "nimop"
    assert got["events"] == [{"name": "apply", "attributes": {"k8s.resource": "apps/deployments"}}]


def test_log_lines_carry_the_current_trace_context() -> None:
    tracer = TracerProvider().get_tracer("test")
    assert add_trace_context(None, "info", {}) == {}  # no span: nothing added
    with tracer.start_as_current_span("reconcile") as span:
        event = add_trace_context(None, "info", {"event": "x"})
        ctx = span.get_span_context()
    assert event["trace_id"] == format(ctx.trace_id, "032x")
    assert event["span_id"] == format(ctx.span_id, "016x")


async def test_client_writes_are_events_on_the_current_span() -> None:
    from nimop.watch.objects import ResourceRef
    from nimop.watch.testing import ApiTwin

    twin = ApiTwin()
    cm = ResourceRef("", "v1", "ConfigMap", "configmaps")
    tracer = TracerProvider().get_tracer("test")
    async with twin.client() as client:
        with tracer.start_as_current_span("reconcile") as span:
            await client.create(cm, {"apiVersion": "v1", "kind": "ConfigMap",
                                     "metadata": {"name": "a", "namespace": "ns"}})  # fmt: skip
    events: Any = span.events  # type: ignore[attr-defined]
    assert [e.name for e in events] == ["create"]
    assert events[0].attributes["url.path"].endswith("/namespaces/ns/configmaps")
    assert events[0].attributes["http.response.status_code"] == 201
