"""Quantities, parsed and written the way Go's ``resource.Quantity`` does it.

One parser for every layer that meets a quantity, stdlib only so each may import it: the API
models (canonical form, below), drift detection in ``nimop.watch.diff`` (compare by value) and
the CEL library of ``nimop.admission`` (``quantity()``, ``isQuantity()``).

Why the canonical form: a Go client built on upstream's API types decodes every quantity of a
CR into ``resource.Quantity`` and encodes it back in canonical form, so ``cpu: 0.5`` comes back
as ``"500m"``, ``memory: 1024Mi`` as ``"1Gi"``, ``nvidia.com/gpu: 1`` as ``"1"``. Read as written,
the two forms would render children that differ in text (a new spec hash, a new pod template)
and roll pods for nothing. Every :data:`nimop.api.base.Quantity` field therefore parses to one
form: Go's canonical string, except that a plain integer reads as an ``int`` (``1`` and ``"1"``
are the same quantity, and hand-written YAML mostly says ``nvidia.com/gpu: 1``).

The rules are apimachinery's ``Quantity.CanonicalizeBytes``: the suffix family the value was
written in (binary ``Ki``…``Ei``, decimal ``n``…``E``, or an ``e`` exponent) is kept; a binary
value below 1024, or one that is not a whole number, is written as decimal; a decimal value is
the smallest integer mantissa times a power of 1000; precision beyond nano rounds up, as Go's
parser does. A value that is not a quantity is returned unchanged (admission rejects it).
"""

from __future__ import annotations

import re
from decimal import ROUND_CEILING, Decimal, InvalidOperation, localcontext

__all__ = ["canonical", "exact_value", "go_string", "parse"]

_QUANTITY = re.compile(
    r"^([+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+))([eE][+-]?[0-9]+|[KMGTPE]i|[numkMGTPE]|)$"
)
_BINARY = {"Ki": 10, "Mi": 20, "Gi": 30, "Ti": 40, "Pi": 50, "Ei": 60}
_DECIMAL = {"n": -9, "u": -6, "m": -3, "": 0, "k": 3, "M": 6, "G": 9, "T": 12, "P": 15, "E": 18}
_DECIMAL_SUFFIX = {exp: suffix for suffix, exp in _DECIMAL.items()}
_BINARY_SUFFIX = {bits: suffix for suffix, bits in _BINARY.items()}
_NANO = Decimal("1e-9")


def canonical(value: object) -> object:
    """`value` (a quantity as YAML or JSON gives it) as the models hold it: Go's canonical
    string, or an ``int`` when that string is a plain integer."""
    out = go_string(value)
    return int(out) if isinstance(out, str) and re.fullmatch(r"-?[0-9]+", out) else out


def go_string(value: object) -> object:
    """`value` exactly as Go's ``resource.Quantity`` marshals it (always a string); anything
    that is not a quantity unchanged."""
    if isinstance(value, bool) or not isinstance(value, str | int | float):
        return value
    text = format(value, "g") if isinstance(value, float) else str(value)
    parsed = parse(text.strip())
    if parsed is None:
        return value
    amount, family = parsed
    return _format(_to_nano(amount), family)


def exact_value(text: str) -> Decimal | None:
    """The exact value of the quantity `text`; None when it is not one."""
    parsed = parse(text)
    return None if parsed is None else parsed[0]


def parse(text: str) -> tuple[Decimal, str] | None:
    """(exact value, suffix family: "binary", "decimal" or "exponent") of the quantity `text`
    (``<signedNumber><suffix>``, no surrounding space); None when it is not one."""
    match = _QUANTITY.match(text)
    if not match:
        return None
    number, suffix = match.groups()
    try:
        with localcontext() as ctx:
            ctx.prec = 80
            if suffix in _BINARY:
                return Decimal(number) * (2 ** _BINARY[suffix]), "binary"
            if suffix in _DECIMAL:
                return Decimal(number).scaleb(_DECIMAL[suffix]), "decimal"
            return Decimal(number + suffix), "exponent"
    except InvalidOperation:
        return None


def _to_nano(amount: Decimal) -> Decimal:
    """Go keeps nano precision, rounding away from zero (Quantity's parser). A value already
    whole in nanos is returned as it is: quantizing it would need one digit per power of ten,
    which no fixed precision holds for ``1e400``."""
    exponent = amount.as_tuple().exponent
    if not isinstance(exponent, int) or exponent >= -9:
        return amount
    with localcontext() as ctx:
        ctx.prec = max(80, amount.adjusted() + 12)
        if amount >= 0:
            return amount.quantize(_NANO, rounding=ROUND_CEILING)
        return -((-amount).quantize(_NANO, rounding=ROUND_CEILING))


def _format(amount: Decimal, family: str) -> str:
    if amount == 0:
        return "0"
    if family == "binary" and abs(amount) >= 1024 and amount == amount.to_integral_value():
        mantissa, bits = int(amount), 0
        while mantissa % 1024 == 0 and bits < 60:
            mantissa //= 1024
            bits += 10
        return f"{mantissa}{_BINARY_SUFFIX.get(bits, '')}"
    mantissa, exponent = _decimal_parts(amount)
    if family == "exponent":
        return f"{mantissa}e{exponent}" if exponent else str(mantissa)
    suffix = _DECIMAL_SUFFIX.get(exponent)
    return f"{mantissa}{suffix}" if suffix is not None else f"{mantissa}e{exponent}"


def _decimal_parts(amount: Decimal) -> tuple[int, int]:
    """(integer mantissa, exponent a multiple of 3) with the fewest trailing zeros. Read from
    the digits themselves, not ``normalize()``, which would round a long mantissa to the
    context's precision."""
    sign, digits, exponent = amount.as_tuple()
    assert isinstance(exponent, int)
    text = "".join(map(str, digits)).rstrip("0")
    exponent += len(digits) - len(text)
    mantissa = int(text or "0")
    shift = exponent % 3  # lower the exponent to a multiple of 3, as Go's AsCanonicalBytes
    mantissa, exponent = mantissa * 10**shift, exponent - shift
    return (-mantissa if sign else mantissa), exponent
