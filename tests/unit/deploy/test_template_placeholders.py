"""Placeholders become the Helm template text they stand for, at the indentation of their key."""

from __future__ import annotations

import pytest

from nimop.deploygen.render import dump
from nimop.deploygen.template import Placeholders


def test_expr_fills_inside_strings_and_keeps_ints_unquoted() -> None:
    ph = Placeholders()
    doc = {"name": f"{ph.expr('{{ x }}')}-metrics", "replicas": ph.value("replicaCount")}
    text = ph.fill(dump([doc]))
    assert "name: {{ x }}-metrics\n" in text
    assert "replicas: {{ $.Values.replicaCount }}\n" in text


def test_optional_block_is_guarded_and_indented_to_its_key() -> None:
    ph = Placeholders()
    text = ph.fill(dump([{"spec": {"pod": {"nodeSelector": ph.optional("nodeSelector")}}}]))
    assert ("    {{- with $.Values.nodeSelector }}\n    nodeSelector:\n"
            "      {{- toYaml . | nindent 6 }}\n    {{- end }}\n") in text


def test_yaml_block_and_list_splice() -> None:
    ph = Placeholders()
    doc = {"metadata": {"labels": ph.yaml('include "l" $')},
           "env": [{"name": "A", "value": "1"}, ph.splice("extraEnv")]}
    text = ph.fill(dump([doc]))
    assert "  labels:\n    {{- include \"l\" $ | nindent 4 }}\n" in text
    assert "- name: A\n  value: '1'\n{{- with $.Values.extraEnv }}\n" in text
    assert "{{- toYaml . | nindent 0 }}\n{{- end }}\n" in text


def test_a_placeholder_where_it_cannot_be_filled_is_an_error() -> None:
    ph = Placeholders()
    doc = {"key": f"prefix-{ph.optional('x')}"}
    with pytest.raises(ValueError, match="not in a position"):
        ph.fill(dump([doc]))


def test_when_keys_appear_under_their_condition() -> None:
    ph = Placeholders()
    doc = {"ep": {"file": ph.when("$.x", "/a/b"), "tls": ph.when("$.x", {"skip": True})}}
    text = ph.fill(dump([doc]))
    assert '  {{- if $.x }}\n  file: "/a/b"\n  {{- end }}\n' in text
    assert "  {{- if $.x }}\n  tls:\n    skip: true\n  {{- end }}\n" in text
