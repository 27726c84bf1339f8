"""`nimop run` flags (controller-runtime's names), the environment, `--help`, `--version` and the
misspelt-variable check."""

from __future__ import annotations

import argparse
from typing import Any

import pytest

from nimop.cli import build_parser, main
from nimop.watch.flags import SettingsError, check_environment, settings_from_args
from nimop.watch.settings import WatchSettings


def run_args(*argv: str) -> argparse.Namespace:
    return build_parser().parse_args(["run", *argv])


def settings(*argv: str) -> WatchSettings:
    return settings_from_args(run_args(*argv), {})


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    import os

    for name in [k for k in os.environ if k.startswith("NIMOP_")]:
        monkeypatch.delenv(name)


def test_controller_runtime_flags_set_the_settings() -> None:
    s = settings(
        "--kubeconfig", "/k", "--leader-elect", "--leader-election-id=a0715c6e.nvidia.com",
        "--leader-election-namespace", "ops", "--metrics-bind-address=:8443",
        "--health-probe-bind-address", ":8081", "--namespaces", "team-a,team-b",
        "--zap-log-level=debug", "--zap-encoder", "json", "--max-concurrent-reconciles", "3",
        "--kube-api-qps", "50", "--kube-api-burst", "100", "--sync-period", "10m",
        "--leader-elect-lease-duration", "1m", "--leader-elect-renew-deadline", "45s",
        "--leader-elect-retry-period", "1.5s", "--graceful-shutdown-timeout", "1m30s",
    )  # fmt: skip
    assert str(s.kubeconfig) == "/k" and s.leader_election
    assert (s.lease_name, s.lease_namespace) == ("a0715c6e.nvidia.com", "ops")
    assert (s.metrics_bind_address, s.health_bind_address) == (":8443", ":8081")
    assert s.namespaces == ["team-a", "team-b"]
    assert (s.log_level, s.log_format, s.workers, s.qps, s.burst) == ("debug", "json", 3, 50, 100)
    assert (s.resync_period, s.lease_duration, s.renew_deadline) == (600, 60, 45)
    assert (s.retry_period, s.shutdown_timeout) == (1.5, 90)


def test_flags_win_over_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("NIMOP_WORKERS", "3")
    monkeypatch.setenv("NIMOP_LEADER_ELECTION", "true")
    monkeypatch.setenv("NIMOP_LOG_LEVEL", "error")
    assert settings().workers == 3 and settings().leader_election  # environment still accepted
    s = settings("--workers", "5", "--leader-elect=false", "--log-level", "info")
    assert (s.workers, s.leader_election, s.log_level) == (5, False, "info")


def test_go_style_booleans_and_zap_devel() -> None:
    assert settings("--leader-elect").leader_election is True
    assert settings("--leader-elect=true").leader_election is True
    assert settings("--watch-crds=false").watch_crds is False
    s = settings("--zap-devel")
    assert (s.log_format, s.log_level) == ("console", "debug")
    assert settings("--zap-devel", "--zap-log-level=error").log_level == "error"
    assert settings("--zap-log-level", "warn").log_level == "warning"
    with pytest.raises(SystemExit):
        run_args("--leader-elect=maybe")


def test_metrics_bind_address_zero_means_off() -> None:
    s = settings("--metrics-bind-address", "0", "--health-probe-bind-address=127.0.0.1:0")
    assert not s.enabled(s.metrics_bind_address)
    assert s.enabled(s.health_bind_address) and s.split_address(s.health_bind_address)[1] == 0


def test_help_lists_every_setting_with_flag_variable_and_default(capsys: Any) -> None:
    with pytest.raises(SystemExit):
        main(["run", "--help"])
    text = " ".join(capsys.readouterr().out.split())
    for name in WatchSettings.model_fields:
        flags = WatchSettings.flags(name)
        assert flags, f"setting {name} has no flag"
        assert all(f in text for f in flags)
        assert f"env {WatchSettings.env_name(name)}" in text
    assert "(default: false; env NIMOP_LEADER_ELECTION)" in text
    assert "(default: 127.0.0.1:8080; env NIMOP_METRICS_BIND_ADDRESS)" in text


def test_version_flag_and_command(capsys: Any) -> None:
    from nimop import __version__

    with pytest.raises(SystemExit) as exit_:
        main(["--version"])
    assert exit_.value.code == 0 and capsys.readouterr().out == f"nimop {__version__}\n"
    assert main(["version"]) == 0 and capsys.readouterr().out == f"nimop {__version__}\n"


def test_an_unknown_variable_names_it_and_the_nearest_setting() -> None:
    with pytest.raises(SettingsError) as err:
        check_environment({"NIMOP_NAMESPACE": "team-a", "NIMOP_WORKERS": "2", "HOME": "/"})
    assert "unknown environment variable NIMOP_NAMESPACE (did you mean NIMOP_NAMESPACES?)" in str(
        err.value
    )
    with pytest.raises(SettingsError, match="NIMOP_ZZZ; "):
        check_environment({"NIMOP_ZZZ": "1"})
    check_environment({"NIMOP_NAMESPACES": "a", "OTHER_NAMESPACE": "x"})  # nothing to say


def test_nimop_run_refuses_a_misspelt_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("NIMOP_NAMESPACE", "team-a")
    assert main(["run"]) == 2
    err = capsys.readouterr().err
    assert "NIMOP_NAMESPACE (did you mean NIMOP_NAMESPACES?)" in err
    assert len(err.strip().splitlines()) <= 2


def test_a_bad_value_names_the_flag_and_the_variable(
    monkeypatch: pytest.MonkeyPatch, capsys: Any
) -> None:
    monkeypatch.setenv("NIMOP_WORKERS", "lots")
    assert main(["run", "--metrics-bind-address", "8080x"]) == 2
    err = capsys.readouterr().err
    assert "--max-concurrent-reconciles / NIMOP_WORKERS: Input should be a valid integer" in err
    assert "--metrics-bind-address / NIMOP_METRICS_BIND_ADDRESS: '8080x' is not host:port" in err
    with pytest.raises(SettingsError, match=r"--leader-elect-lease-duration.*not a duration"):
        settings("--leader-elect-lease-duration", "soon")
