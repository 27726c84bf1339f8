"""Placeholders for Helm template expressions inside plain manifests.

The chart's templates are built by the same functions as the kustomize base and the OLM bundle
(`nimop.deploygen.objects`); where the chart has a value, they receive a placeholder instead of a
constant. After the manifests are dumped to YAML, `Placeholders.fill` swaps each placeholder for
its template text. Placeholders are plain lowercase words, so YAML never quotes them, and they
can sit inside larger strings (`f"{name}-metrics"`).

Three kinds:
- `expr`: inline text, e.g. `{{ .Values.replicaCount }}`;
- `optional`: the value of a key is a values entry rendered with `toYaml`, re-indented to where
  the key sits; the key is left out when the entry is empty;
- `yaml`: the value of a key is YAML a pipeline yields (`include "nimop.labels" $`);
- `splice`: a list item that expands to zero or more items from a values list;
- `when`: a key with a fixed value, present only when a condition holds.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from typing import Any

import yaml


@dataclass
class Placeholders:
    _exprs: dict[str, str] = field(default_factory=dict)
    _blocks: dict[str, tuple[str, bool]] = field(default_factory=dict)
    _splices: dict[str, str] = field(default_factory=dict)
    _whens: dict[str, tuple[str, Any]] = field(default_factory=dict)

    def _token(self) -> str:
        count = len(self._exprs) + len(self._blocks) + len(self._splices) + len(self._whens)
        return f"zzhelm{count:04d}zz"

    def expr(self, text: str) -> str:
        """`text` (a complete `{{ ... }}` expression, or several) in place of a scalar."""
        token = self._token()
        self._exprs[token] = text
        return token

    def value(self, path: str, *, quote: bool = False) -> str:
        """`{{ .Values.path }}`, quoted for strings the apiserver must not read as numbers."""
        return self.expr(f"{{{{ $.Values.{path}{' | quote' if quote else ''} }}}}")

    def optional(self, path: str) -> str:
        """A key holding `.Values.path` as YAML, omitted when that is empty."""
        token = self._token()
        self._blocks[token] = (f"$.Values.{path}", True)
        return token

    def yaml(self, pipeline: str) -> str:
        """A key whose value is the YAML `pipeline` yields (`include "nimop.labels" $`)."""
        token = self._token()
        self._blocks[token] = (pipeline, False)
        return token

    def splice(self, path: str) -> str:
        """A list item standing for every item of `.Values.path` (none when it is empty)."""
        token = self._token()
        self._splices[token] = path
        return token

    def when(self, condition: str, value: Any) -> str:
        """A key holding `value` (plain data) only when `condition` (a template test) holds."""
        token = self._token()
        self._whens[token] = (condition, value)
        return token

    def fill(self, text: str) -> str:
        text = re.sub(r"^( *)(- )?([\w.-]+): (zzhelm\d{4}zz)$", self._block_line, text,
                      flags=re.MULTILINE)
        text = re.sub(r"^( *)- (zzhelm\d{4}zz)$", self._splice_line, text, flags=re.MULTILINE)
        for token, expr in self._exprs.items():
            text = text.replace(token, expr)
        leftover = re.search(r"zzhelm\d{4}zz", text)
        if leftover:
            raise ValueError(f"placeholder {leftover.group()} is not in a position it can fill")
        return text

    def _block_line(self, match: re.Match[str]) -> str:
        indent, dash, key, token = match.groups()
        pad = indent + ("  " if dash else "")
        head = f"{indent}{dash or ''}{key}:"
        if token in self._whens:
            condition, value = self._whens[token]
            if isinstance(value, dict | list):
                body = yaml.safe_dump(value, default_flow_style=False).rstrip("\n").splitlines()
                head += "\n" + "\n".join(f"{pad}  {line}" for line in body)
            else:
                head += " " + json.dumps(value)
            return f"{pad}{{{{- if {condition} }}}}\n{head}\n{pad}{{{{- end }}}}"
        if token not in self._blocks:
            return match.group(0)
        pipeline, optional = self._blocks[token]
        if not optional:
            return f"{head}\n{pad}  {{{{- {pipeline} | nindent {len(pad) + 2} }}}}"
        return (f"{pad}{{{{- with {pipeline} }}}}\n{head}\n"
                f"{pad}  {{{{- toYaml . | nindent {len(pad) + 2} }}}}\n{pad}{{{{- end }}}}")

    def _splice_line(self, match: re.Match[str]) -> str:
        indent, token = match.groups()
        path = self._splices[token]
        return (f"{indent}{{{{- with $.Values.{path} }}}}\n"
                f"{indent}{{{{- toYaml . | nindent {len(indent)} }}}}\n{indent}{{{{- end }}}}")
