"""`nimop run` configures logging process-wide (to the stderr pytest captures for the test);
later tests must not log into that closed stream."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import structlog


@pytest.fixture(autouse=True)
def fresh_logging() -> Iterator[None]:
    yield
    structlog.reset_defaults()
