"""Logged tracebacks never carry frame locals (they can hold a Secret's body or a token)."""

from __future__ import annotations

import io

import pytest
import structlog

from nimop.watch.logs import configure_logging


@pytest.mark.parametrize("fmt", ["json", "console"])
def test_tracebacks_are_logged_without_frame_locals(fmt: str) -> None:
    buf = io.StringIO()
    configure_logging(fmt, "info")  # type: ignore[arg-type]
    structlog.configure(logger_factory=structlog.PrintLoggerFactory(buf))

    def fail() -> None:
        token = "CANARY-TOKEN-VALUE"
        raise RuntimeError(f"boom {len(token)}")

    try:
        fail()
    except RuntimeError:
        structlog.get_logger().exception("reconcile failed")
    structlog.reset_defaults()
    out = buf.getvalue()
    assert "boom 18" in out  # the traceback is there
    assert "CANARY-TOKEN-VALUE" not in out
