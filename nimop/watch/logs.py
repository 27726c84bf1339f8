"""structlog configuration: JSON in a cluster, coloured console when attached to a terminal.

Context (``controller``, ``namespace``, ``name``, ``reconcile_id``) is bound per reconcile via
contextvars, so every line from inside a reconcile carries it without passing loggers around.
"""

from __future__ import annotations

import logging
import os
import sys
from typing import Literal

import structlog
from opentelemetry import trace

__all__ = ["add_trace_context", "configure_logging"]


def add_trace_context(
    _: object, __: str, event: structlog.typing.EventDict
) -> structlog.typing.EventDict:
    """``trace_id``/``span_id`` of the current span (a reconcile's), so a log line leads to its
    trace; nothing when no span is recording (no exporter configured)."""
    context = trace.get_current_span().get_span_context()
    if context.is_valid:
        event["trace_id"] = format(context.trace_id, "032x")
        event["span_id"] = format(context.span_id, "016x")
    return event


def configure_logging(
    fmt: Literal["auto", "json", "console"] = "auto", level: str = "info"
) -> None:
    if fmt == "auto":
        in_cluster = "KUBERNETES_SERVICE_HOST" in os.environ
        fmt = "json" if in_cluster or not sys.stderr.isatty() else "console"
    # Tracebacks never carry frame locals: a failed request's locals can hold a Secret's body
    # (the generated SSH key) or a token, and logs travel further than the cluster does.
    console = structlog.dev.ConsoleRenderer(exception_formatter=structlog.dev.plain_traceback)
    renderer: structlog.typing.Processor = (
        structlog.processors.JSONRenderer() if fmt == "json" else console
    )
    processors: list[structlog.typing.Processor] = [
        structlog.contextvars.merge_contextvars,
        add_trace_context,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
        structlog.processors.StackInfoRenderer(),
    ]
    if fmt == "json":
        processors.append(
            structlog.processors.ExceptionRenderer(
                structlog.tracebacks.ExceptionDictTransformer(show_locals=False)
            )
        )
    processors.append(renderer)
    structlog.configure(
        processors=processors,
        wrapper_class=structlog.make_filtering_bound_logger(
            logging.getLevelNamesMapping()[level.upper()]
        ),
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        cache_logger_on_first_use=True,
    )
