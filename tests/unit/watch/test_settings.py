"""Settings from NIMOP_* variables, and the package's public surface."""

from __future__ import annotations

import pytest

import nimop.watch
from nimop.watch.settings import WatchSettings


def test_namespaces_accept_commas_or_json(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIMOP_NAMESPACES", "a, b")
    monkeypatch.setenv("NIMOP_WORKERS", "4")
    monkeypatch.setenv("NIMOP_LEADER_ELECTION", "true")
    s = WatchSettings()
    assert s.namespaces == ["a", "b"] and s.workers == 4 and s.leader_election
    monkeypatch.setenv("NIMOP_NAMESPACES", '["x"]')
    assert WatchSettings().namespaces == ["x"]
    monkeypatch.delenv("NIMOP_NAMESPACES")
    assert WatchSettings().namespaces == []  # all namespaces


def test_defaults_bind_loopback_and_split_addresses() -> None:
    s = WatchSettings()
    assert s.split_address(s.metrics_bind_address) == ("127.0.0.1", 8080)
    assert s.split_address(":0") == ("0.0.0.0", 0)
    assert (s.lease_duration, s.renew_deadline, s.retry_period) == (15.0, 10.0, 2.0)


def test_public_names_resolve() -> None:
    for name in nimop.watch.__all__:
        assert getattr(nimop.watch, name) is not None
