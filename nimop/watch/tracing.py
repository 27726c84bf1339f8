"""OpenTelemetry trace export, configured by the standard ``OTEL_*`` variables.

Spans (one per reconcile, child writes as its events) cost nothing until an exporter is
configured. :func:`configure_tracing` installs the SDK and an OTLP/HTTP exporter when the
environment asks for one, as the OpenTelemetry SDK specification defines it:

- ``OTEL_TRACES_EXPORTER``: ``otlp`` (default once an OTLP endpoint is set), ``console``, or
  ``none``; ``OTEL_SDK_DISABLED=true`` turns everything off.
- ``OTEL_EXPORTER_OTLP_ENDPOINT`` / ``OTEL_EXPORTER_OTLP_TRACES_ENDPOINT``, ``..._HEADERS``,
  ``..._TIMEOUT``, ``..._COMPRESSION``, ``..._CERTIFICATE`` are read by the exporter itself;
  ``OTEL_EXPORTER_OTLP_PROTOCOL`` must be ``http/protobuf`` (the exporter nimop ships).
- ``OTEL_SERVICE_NAME`` (default ``nimop``), ``OTEL_RESOURCE_ATTRIBUTES``,
  ``OTEL_TRACES_SAMPLER``/``..._ARG`` and ``OTEL_BSP_*`` are the SDK's.

Without any of these nothing is installed and the API's no-op tracer stays in place.
"""

from __future__ import annotations

import os
from collections.abc import Mapping
from typing import Any

__all__ = ["TracingError", "configure_tracing", "tracing_requested"]

_ENDPOINTS = ("OTEL_EXPORTER_OTLP_ENDPOINT", "OTEL_EXPORTER_OTLP_TRACES_ENDPOINT")
_PROTOCOLS = ("OTEL_EXPORTER_OTLP_TRACES_PROTOCOL", "OTEL_EXPORTER_OTLP_PROTOCOL")


class TracingError(ValueError):
    """The ``OTEL_*`` variables ask for something nimop cannot do; the message says what."""


def _exporter_name(env: Mapping[str, str]) -> str:
    if env.get("OTEL_SDK_DISABLED", "").strip().lower() == "true":
        return "none"
    names = [n.strip() for n in env.get("OTEL_TRACES_EXPORTER", "").split(",") if n.strip()]
    if names:
        if len(names) > 1 or names[0] not in ("otlp", "console", "none"):
            raise TracingError(f"OTEL_TRACES_EXPORTER={env['OTEL_TRACES_EXPORTER']!r}: nimop "
                               "exports with one of otlp, console or none")  # fmt: skip
        return names[0]
    return "otlp" if any(env.get(k) for k in _ENDPOINTS) else "none"


def tracing_requested(env: Mapping[str, str] | None = None) -> bool:
    return _exporter_name(os.environ if env is None else env) != "none"


def _exporter(name: str, env: Mapping[str, str]) -> Any:
    if name == "console":
        from opentelemetry.sdk.trace.export import ConsoleSpanExporter

        return ConsoleSpanExporter()
    protocol = next((env[k] for k in _PROTOCOLS if env.get(k)), "http/protobuf").strip()
    if protocol != "http/protobuf":
        raise TracingError(f"OTLP protocol {protocol!r}: nimop ships the http/protobuf "
                           "exporter; set OTEL_EXPORTER_OTLP_PROTOCOL=http/protobuf and the "
                           "collector's OTLP/HTTP endpoint (port 4318)")  # fmt: skip
    from opentelemetry.exporter.otlp.proto.http.trace_exporter import OTLPSpanExporter

    return OTLPSpanExporter()


def configure_tracing(version: str, env: Mapping[str, str] | None = None) -> Any:
    """Install the SDK and exporter the environment asks for; returns the provider (call
    ``shutdown()`` on it to flush) or None when tracing is off."""
    env = os.environ if env is None else env
    name = _exporter_name(env)
    if name == "none":
        return None
    from opentelemetry import trace
    from opentelemetry.sdk.resources import Resource
    from opentelemetry.sdk.trace import TracerProvider
    from opentelemetry.sdk.trace.export import BatchSpanProcessor

    named = env.get("OTEL_SERVICE_NAME") or "service.name=" in env.get(
        "OTEL_RESOURCE_ATTRIBUTES", ""
    )
    attributes = {"service.version": version} | ({} if named else {"service.name": "nimop"})
    resource = Resource.create(attributes)  # merges OTEL_RESOURCE_ATTRIBUTES and _SERVICE_NAME
    provider = TracerProvider(resource=resource)
    provider.add_span_processor(BatchSpanProcessor(_exporter(name, env)))
    trace.set_tracer_provider(provider)
    return provider
