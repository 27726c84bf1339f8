"""Kubernetes' CEL libraries on top of cel-python: what CRD rules call beyond standard CEL.

The apiserver extends CEL with libraries (k8s.io/apiserver/pkg/cel/library); the ones nimop's
rules use, and their nearest neighbours, are here: quantities (``isQuantity``, ``quantity``,
``isGreaterThan``/``isLessThan``/``compareTo``, ``asInteger``, ``isInteger``, ``sign``), URLs
(``isURL``, ``url``, ``getScheme``/``getHost``/``getHostname``/``getPort``/``getEscapedPath``/
``getQuery``), semantic versions (``isSemver``) and a few string helpers (``lowerAscii``,
``upperAscii``, ``trim``, ``split``, ``join``). cel-python dispatches ``x.f(y)`` to ``f(x, y)``.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

from celpy import celtypes

from nimop import quantity

__all__ = ["FUNCTIONS"]

# semver.org 2.0.0, as blang/semver parses it (no leading "v", no leading zeros).
_SEMVER = re.compile(
    r"^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)(?:-((?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*)"
    r"(?:\.(?:0|[1-9]\d*|\d*[a-zA-Z-][0-9a-zA-Z-]*))*))?(?:\+([0-9a-zA-Z-]+(?:\.[0-9a-zA-Z-]+)*))?$"
)


class Quantity:
    """A resource.Quantity: its exact decimal value."""

    def __init__(self, text: str) -> None:
        value = quantity.exact_value(text)
        if value is None:
            raise ValueError(f"quantities must match the regular expression: {text!r}")
        self.value = value


class URL:
    """A parsed URL, as ``url()`` returns it (net/url.URL)."""

    def __init__(self, text: str) -> None:
        if not _is_url(text):
            raise ValueError(f"URL parse error during conversion from string: {text!r}")
        self.parts = urlsplit(text)


def _is_url(text: str) -> bool:
    """net/url.ParseRequestURI: an absolute URI or an absolute path."""
    if not text or any(c.isspace() for c in text):
        return False
    if text.startswith("/"):
        return True
    parts = urlsplit(text)
    return bool(parts.scheme) and re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*$", parts.scheme) is not None


def _quantity_of(value: Any) -> Quantity:
    return value if isinstance(value, Quantity) else Quantity(str(value))


def _compare(a: Any, b: Any) -> int:
    if isinstance(a, Quantity) or isinstance(b, Quantity):
        x, y = _quantity_of(a).value, _quantity_of(b).value
    else:
        x, y = _semver_key(str(a)), _semver_key(str(b))  # type: ignore[assignment]
    return (x > y) - (x < y)


def _semver_key(text: str) -> tuple[int, int, int]:
    match = _SEMVER.match(text)
    if match is None:
        raise ValueError(f"could not parse {text!r} as semver")
    return int(match[1]), int(match[2]), int(match[3])


def _bool(value: bool) -> celtypes.BoolType:
    return celtypes.BoolType(value)


def _str(value: str) -> celtypes.StringType:
    return celtypes.StringType(value)


def _url_part(name: str) -> Any:
    def part(u: URL) -> celtypes.StringType:
        p = u.parts
        values = {"getScheme": p.scheme, "getHost": p.netloc.rpartition("@")[2],
                  "getHostname": p.hostname or "", "getPort": str(p.port or ""),
                  "getEscapedPath": p.path, "getQuery": p.query}  # fmt: skip
        return _str(values[name])

    return part


_URL_PARTS = ("getScheme", "getHost", "getHostname", "getPort", "getEscapedPath", "getQuery")
FUNCTIONS: dict[str, Any] = {
    "isQuantity": lambda s: _bool(quantity.exact_value(str(s)) is not None),
    "quantity": lambda s: Quantity(str(s)),
    "isGreaterThan": lambda a, b: _bool(_compare(a, b) > 0),
    "isLessThan": lambda a, b: _bool(_compare(a, b) < 0),
    "compareTo": lambda a, b: celtypes.IntType(_compare(a, b)),
    "asInteger": lambda q: celtypes.IntType(int(_quantity_of(q).value)),
    "isInteger": lambda q: _bool(_quantity_of(q).value == int(_quantity_of(q).value)),
    "sign": lambda q: celtypes.IntType((q.value > 0) - (q.value < 0)),
    "isURL": lambda s: _bool(_is_url(str(s))),
    "url": lambda s: URL(str(s)),
    **{name: _url_part(name) for name in _URL_PARTS},
    "isSemver": lambda s, *_: _bool(_SEMVER.match(str(s)) is not None),
    "lowerAscii": lambda s: _str(str(s).lower()),
    "upperAscii": lambda s: _str(str(s).upper()),
    "trim": lambda s: _str(str(s).strip()),
    "split": lambda s, sep: celtypes.ListType([_str(x) for x in str(s).split(str(sep))]),
    "join": lambda items, sep="": _str(str(sep).join(str(x) for x in items)),
}
