"""Errors for people: the expected failures of a ``nimop`` command as one or two lines that name
the cause and the fix, instead of a traceback (``--debug`` shows the traceback).

Each translator takes an exception and returns the message, or None when it does not know the
exception; an unknown exception is a bug and keeps its traceback.
"""

from __future__ import annotations

import sys
from collections.abc import Callable

__all__ = ["USAGE", "UserError", "explain"]

#: Exit code of a usage error (argparse's): a bad flag, variable or input file.
USAGE = 2


class UserError(Exception):
    """A failure the user can fix; ``str()`` names the cause and the fix."""

    def __init__(self, message: str, code: int = 1) -> None:
        super().__init__(message)
        self.code = code


def _config(exc: BaseException) -> str | None:
    if type(exc).__name__ != "ConfigException":
        return None
    return (f"the kubeconfig cannot be used: {exc}. Fix: pass --kubeconfig PATH (or set "
            "NIMOP_KUBECONFIG / KUBECONFIG) to a valid kubeconfig")  # fmt: skip


def _missing_kubeconfig(exc: BaseException) -> str | None:
    if isinstance(exc, FileNotFoundError) and exc.strerror == "kubeconfig does not exist":
        return (f"kubeconfig {exc.filename} does not exist. Fix: pass --kubeconfig PATH (or set "
                "NIMOP_KUBECONFIG / KUBECONFIG), or run in a cluster with a ServiceAccount")
    return None


def _loaded(module: str, name: str) -> type | None:
    """A class of a module already imported (an exception of a module never imported cannot be
    raised, and importing the framework would slow `nimop render` down)."""
    found = getattr(sys.modules.get(module), name, None)
    return found if isinstance(found, type) else None


def _transport(exc: BaseException) -> str | None:
    transport = _loaded("nimop.watch.errors", "TransportError")
    if transport is None or not isinstance(exc, transport):
        return None
    cause = exc.__cause__
    os_error = getattr(cause, "os_error", None)
    host, port = getattr(cause, "host", None), getattr(cause, "port", None)
    where = f"{host}:{port}" if host else "the apiserver"
    why = (os_error.strerror if isinstance(os_error, OSError) and os_error.strerror else None) or (
        type(cause).__name__ if cause is not None else str(exc)
    )
    return (f"cannot reach the Kubernetes apiserver at {where} ({why}). Fix: check the cluster "
            "is up and the kubeconfig's server and context (`kubectl cluster-info`)")  # fmt: skip


def _api(exc: BaseException) -> str | None:
    terminal = _loaded("nimop.watch.errors", "TerminalApiError")
    if terminal is None or not isinstance(exc, terminal):
        return None
    status, message = getattr(exc, "status", 0), getattr(exc, "message", str(exc))
    if status == 401:
        return ("the apiserver rejected nimop's credentials (401 Unauthorized). Fix: refresh the "
                "kubeconfig's token or certificate")  # fmt: skip
    if status == 403:
        return (f"the apiserver refused a request (403 Forbidden: {message}). Fix: grant the "
                "RBAC in deploy/base (docs/security.md) to nimop's identity")  # fmt: skip
    return None


def _file(exc: BaseException) -> str | None:
    if isinstance(exc, (FileNotFoundError, IsADirectoryError, PermissionError)) and exc.filename:
        return f"cannot read {exc.filename}: {exc.strerror}. Fix: check the path"
    return None


def _yaml(exc: BaseException) -> str | None:
    try:
        import yaml
    except ImportError:  # pragma: no cover - a dependency
        return None
    if not isinstance(exc, yaml.YAMLError):
        return None
    mark = getattr(exc, "problem_mark", None)
    where = f"{mark.name}:{mark.line + 1}:{mark.column + 1}" if mark else "input"
    problem = getattr(exc, "problem", None) or str(exc)
    return f"{where}: not valid YAML ({problem}). Fix: correct the YAML at that line"


def _user(exc: BaseException) -> str | None:
    if isinstance(exc, UserError) or _is_setting_error(exc):
        return str(exc)
    return None


def _is_setting_error(exc: BaseException) -> bool:
    """A bad flag or variable: nimop's settings or the ``OTEL_*`` tracing variables."""
    kinds = [_loaded("nimop.watch.flags", "SettingsError"),
             _loaded("nimop.watch.tracing", "TracingError")]  # fmt: skip
    return any(k is not None and isinstance(exc, k) for k in kinds)


Translator = Callable[[BaseException], str | None]
#: (translator, exit code); USAGE for input the user gave (flags, variables, files).
TRANSLATORS: tuple[tuple[Translator, int], ...] = (
    (_user, 0), (_missing_kubeconfig, USAGE), (_config, USAGE), (_transport, 1), (_api, 1),
    (_yaml, USAGE), (_file, USAGE),
)  # fmt: skip


def explain(exc: BaseException) -> tuple[str, int] | None:
    """(message, exit code) for an expected failure, else None."""
    while isinstance(exc, BaseExceptionGroup) and len(exc.exceptions) == 1:
        exc = exc.exceptions[0]  # a task group's single failure
    for translate, code in TRANSLATORS:
        message = translate(exc)
        if message is not None:
            return message, code or _user_code(exc)
    return None


def _user_code(exc: BaseException) -> int:
    if isinstance(exc, UserError):
        return exc.code
    return USAGE  # a SettingsError: a flag or variable is wrong
