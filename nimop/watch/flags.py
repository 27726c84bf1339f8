"""``nimop run`` flags, generated from :class:`WatchSettings`, and the misspelt-variable check.

One flag per setting, named as controller-runtime names it (the names live on the settings
fields), with its default and environment variable in ``--help``. Only flags given on the
command line are passed to the model, so the environment fills the rest and flags win.
Booleans take Go's forms: ``--leader-elect``, ``--leader-elect=true``, ``--leader-elect=false``.
"""

from __future__ import annotations

import argparse
import difflib
from collections.abc import Mapping
from typing import Any

from .settings import ENV_PREFIX, WatchSettings

__all__ = [
    "SettingsError",
    "add_setting_flags",
    "check_environment",
    "settings_environment",
    "settings_from_args",
]

_TRUE, _FALSE = {"1", "t", "true", "yes", "on"}, {"0", "f", "false", "no", "off"}


class SettingsError(ValueError):
    """A setting cannot be used as given; the message names it and the fix."""


def _bool(text: str) -> str:
    if text.strip().lower() in _TRUE | _FALSE:
        return text
    raise argparse.ArgumentTypeError(f"{text!r} is not a boolean (true or false)")


def _shown(field: str) -> str:
    default = WatchSettings.model_fields[field].get_default(call_default_factory=True)
    if isinstance(default, list):
        return ",".join(default) or "all"
    if isinstance(default, bool):
        return str(default).lower()
    return "unset" if default is None else str(default)


def add_setting_flags(parser: argparse.ArgumentParser) -> None:
    """One flag per setting (plus ``--zap-devel``), all defaulting to "not given"."""
    group = parser.add_argument_group("settings (flag, else environment variable, else default)")
    for field, info in WatchSettings.model_fields.items():
        names = WatchSettings.flags(field)
        if not names:
            continue
        helptext = (f"{info.description or ''} (default: {_shown(field)}; "
                    f"env {WatchSettings.env_name(field)})").replace("%", "%%")  # fmt: skip
        options: dict[str, Any] = {"dest": field, "default": argparse.SUPPRESS, "help": helptext}
        if info.annotation is bool:
            options |= {"nargs": "?", "const": "true", "type": _bool, "metavar": "BOOL"}
        else:
            options["metavar"] = field.upper()
        group.add_argument(*names, **options)
    group.add_argument("--zap-devel", dest="zap_devel", nargs="?", const="true", type=_bool,
                       default=argparse.SUPPRESS, metavar="BOOL",
                       help="zap development mode: console logs at debug level (unless "
                       "--log-format/--log-level say otherwise)")  # fmt: skip


def given_settings(args: argparse.Namespace) -> dict[str, Any]:
    """The settings named on the command line (zap development mode expanded)."""
    given = {f: getattr(args, f) for f in WatchSettings.model_fields if hasattr(args, f)}
    if str(getattr(args, "zap_devel", "false")).lower() in _TRUE:
        given.setdefault("log_format", "console")
        given.setdefault("log_level", "debug")
    return given


def settings_from_args(
    args: argparse.Namespace, environ: Mapping[str, str] | None = None
) -> WatchSettings:
    """Flags, else ``NIMOP_*`` variables, else defaults; :class:`SettingsError` when invalid."""
    from pydantic import ValidationError

    if environ is not None:
        check_environment(environ)
    try:
        return WatchSettings(**given_settings(args))
    except ValidationError as exc:
        raise SettingsError(_explain(exc)) from exc


def _explain(exc: Any) -> str:
    lines = []
    for err in exc.errors():
        field = str(err["loc"][0]) if err["loc"] else ""
        flags = WatchSettings.flags(field) if field in WatchSettings.model_fields else []
        where = " / ".join([*flags[:1], WatchSettings.env_name(field)]) if field else "settings"
        message = str(err["msg"]).removeprefix("Value error, ")
        lines.append(f"{where}: {message} (got {err.get('input')!r})")
    return "; ".join(lines)


def known_variables() -> list[str]:
    return [WatchSettings.env_name(f) for f in WatchSettings.model_fields]


def check_environment(environ: Mapping[str, str]) -> None:
    """Refuse ``NIMOP_*`` variables that are no setting: a typo must not go unnoticed
    (``NIMOP_NAMESPACE=team-a`` would otherwise watch every namespace)."""
    known = known_variables()
    unknown = sorted(k for k in environ if k.startswith(ENV_PREFIX) and k not in known)
    if not unknown:
        return
    problems = []
    for name in unknown:
        # compare what follows the prefix, which every name shares
        near = difflib.get_close_matches(
            name[len(ENV_PREFIX) :], [k[len(ENV_PREFIX) :] for k in known], n=1, cutoff=0.6
        )
        hint = f" (did you mean {ENV_PREFIX}{near[0]}?)" if near else ""
        problems.append(f"unknown environment variable {name}{hint}")
    raise SettingsError("; ".join(problems) + "; `nimop run --help` lists every setting")


def settings_environment(environ: Mapping[str, str]) -> dict[str, str]:
    """``environ`` without the ``NIMOP_*`` variables that are no setting — for tools that start
    ``nimop run`` from a shell carrying their own ``NIMOP_*`` variables (the test harness's
    ``NIMOP_CLUSTER_STATE``)."""
    known = set(known_variables())
    return {k: v for k, v in environ.items() if not k.startswith(ENV_PREFIX) or k in known}
