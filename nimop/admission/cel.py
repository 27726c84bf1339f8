"""Evaluate one ``x-kubernetes-validations`` rule with cel-python, as the apiserver would.

A rule that is false fails with its ``message`` (or ``messageExpression``, or the apiserver's
default "failed rule: <rule>"); a rule whose evaluation errors fails with the error, as the
apiserver reports a runtime error. Compiled programs are cached per rule text.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path
from typing import Any

import celpy
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.evaluation import CELEvalError

from .celk8s import FUNCTIONS
from .schema import _ABSENT

__all__ = ["run_rule"]


@cache
def _environment() -> celpy.Environment:
    _cached_parser()
    return celpy.Environment()


def _cached_parser() -> None:
    """Build cel-python's LALR parser with Lark's on-disk cache: analysing the CEL grammar is
    most of the time `nimop render` spends on CEL, and the result never changes (Lark keys the
    cache file in the temp directory by grammar, options and its own version)."""
    from celpy.celparser import CELParser
    from lark import Lark, Tree

    if CELParser.CEL_PARSER is not None:
        return
    grammar = (Path(celpy.__file__).parent / "cel.lark").read_text()
    try:  # cel-python's own options (celparser.CELParser.__init__), plus the cache
        CELParser.CEL_PARSER = Lark(
            grammar, parser="lalr", start="expr", debug=True, g_regex_flags=re.M,
            lexer_callbacks={"IDENT": CELParser.ambiguous_literals}, propagate_positions=True,
            maybe_placeholders=False, priority="invert", tree_class=Tree, cache=True,
        )  # fmt: skip
    except (OSError, TypeError, ValueError):
        CELParser.CEL_PARSER = None  # cel-python builds it uncached


@cache
def _program(expression: str) -> Any:
    env = _environment()
    return env.program(env.compile(expression), functions=FUNCTIONS)


def _evaluate(expression: str, value: Any, old: Any) -> Any:
    activation = {"self": json_to_cel(value)}
    if old is not _ABSENT:
        activation["oldSelf"] = json_to_cel(old)
    result = _program(expression).evaluate(activation)
    if isinstance(result, CELEvalError):
        raise result
    return result


def run_rule(rule: dict[str, Any], value: Any, old: Any) -> str | None:
    """None when the rule holds; else the message the apiserver would give."""
    try:
        held = _evaluate(str(rule["rule"]), value, old)
    except Exception as exc:  # an evaluation error rejects the object, as in the apiserver
        return f"rule {rule['rule']!r} could not be evaluated: {exc}"
    if isinstance(held, celtypes.BoolType) and bool(held):
        return None
    if rule.get("messageExpression"):
        try:
            return str(_evaluate(str(rule["messageExpression"]), value, old))
        except Exception:  # the apiserver falls back to message on a failing expression
            pass
    return str(rule.get("message") or f"failed rule: {rule['rule']}")
