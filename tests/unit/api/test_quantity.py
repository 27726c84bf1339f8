"""Quantities in Go's form (nimop.quantity): the canonical strings apimachinery's
``resource.Quantity`` writes, and the models reading every spelling of one quantity alike."""

from __future__ import annotations

from decimal import Decimal

import pytest

from nimop.api import parse_object
from nimop.quantity import canonical, exact_value, go_string

#: (as written, as Go's resource.Quantity marshals it) — apimachinery's canonicalisation rules.
GO_FORMS = [
    (1, "1"), ("1", "1"), (1.0, "1"), (0.5, "500m"), ("0.5", "500m"), ("500m", "500m"),
    ("1000m", "1"), ("1500m", "1500m"), ("1500", "1500"), ("15000", "15k"), ("2000000", "2M"),
    ("0.0015", "1500u"), ("0.000000001", "1n"), ("0.0000000001", "1n"),
    ("1024Mi", "1Gi"), ("1Gi", "1Gi"), ("1.5Gi", "1536Mi"), ("0.5Ki", "512"), ("1Ki", "1Ki"),
    ("2048", "2048"), ("1e3", "1e3"), ("1.5e3", "1500"), ("1E3", "1e3"), ("1e-05", "10e-6"),
    ("0", "0"), ("0Gi", "0"), ("100M", "100M"), ("64Gi", "64Gi"), ("1.5", "1500m"),
    # beyond any fixed precision: huge exponents, tiny values, mantissas longer than 28 digits
    ("1e400", "10e399"), ("-1e400", "-10e399"), ("1.5e-400", "1e-9"), ("1e4", "10e3"),
    ("123456789012345678901234567890123", "123456789012345678901234567890123"),
    ("999999999999999999999Ei", "999999999999999999999Ei"),
]  # fmt: skip


@pytest.mark.parametrize(("written", "go"), GO_FORMS, ids=lambda v: repr(v))
def test_go_string(written: object, go: str) -> None:
    assert go_string(written) == go


@pytest.mark.parametrize(("written", "go"), GO_FORMS, ids=lambda v: repr(v))
def test_both_forms_read_alike(written: object, go: str) -> None:
    assert canonical(written) == canonical(go)


def test_plain_integers_read_as_ints_and_the_rest_as_go_strings() -> None:
    assert canonical("1") == 1 and canonical(1) == 1 and canonical("1000m") == 1
    assert canonical(0.5) == "500m" and canonical("1024Mi") == "1Gi"


def test_what_is_not_a_quantity_is_left_for_admission() -> None:
    assert canonical("lots") == "lots" and canonical(True) is True and canonical(None) is None


def test_models_hold_one_form() -> None:
    def cache(cpu: object, memory: object) -> dict[str, object]:
        spec = {"source": {"ngc": {"modelPuller": "p", "authSecret": "s"}},
                "storage": {"pvc": {"create": True, "size": "50Gi"}},
                "resources": {"cpu": cpu, "memory": memory}}  # fmt: skip
        obj = {"apiVersion": "apps.nvidia.com/v1alpha1", "kind": "NIMCache",
               "metadata": {"name": "c"}, "spec": spec}  # fmt: skip
        return parse_object(obj).to_dict()["spec"]["resources"]  # type: ignore[no-any-return]

    assert cache(0.5, "1024Mi") == cache("500m", "1Gi") == {"cpu": "500m", "memory": "1Gi"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [("1Gi", Decimal(2**30)), ("500m", Decimal("0.5")), ("1e3", Decimal(1000)),
     ("1E", Decimal(10**18)), (".5", Decimal("0.5")), ("-2k", Decimal(-2000))],
)  # fmt: skip
def test_exact_value_is_the_unrounded_value_every_layer_compares(
    text: str, expected: Decimal
) -> None:
    assert exact_value(text) == expected


@pytest.mark.parametrize("text", ["", " 1", "1 ", "1.2.3", "1Ki2", "one", "1e"])
def test_exact_value_of_what_is_not_a_quantity_is_none(text: str) -> None:
    assert exact_value(text) is None


def test_cel_quantity_and_drift_detection_read_the_same_values() -> None:
    """The CEL library's `quantity()` and drift detection share the parser: "1Gi" is "1024Mi"
    to both, and neither reads "1 Gi" as a quantity."""
    from nimop.admission.celk8s import FUNCTIONS
    from nimop.watch.diff import is_subset

    assert FUNCTIONS["quantity"]("1Gi").value == FUNCTIONS["quantity"]("1024Mi").value
    assert is_subset({"memory": "1Gi"}, {"memory": "1024Mi"})
    assert not FUNCTIONS["isQuantity"]("1 Gi")
    assert not is_subset({"memory": "1 Gi"}, {"memory": "1Gi"})
