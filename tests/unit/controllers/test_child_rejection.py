"""A child refused for what it says is a verdict on the spec, not a transient error: the
apiserver's 422 and another project's admission webhook denial (KServe's validator refusing an
InferenceService) become a `ChildRejected` problem (the CR reads Failed with the refusal and
waits for a spec change); an RBAC 403 or a terminating namespace still propagate."""

from __future__ import annotations

import pytest

from nimop.controllers.base import apply_or_reject
from nimop.render import Rendered
from nimop.watch.errors import ForbiddenError, InvalidError, KubeError, NamespaceTerminatingError

DENIED = ('admission webhook "inferenceservice.kserve-webhook-server.validator" denied the '
          "request: customizing deploymentStrategy is only supported for raw deployment mode")


async def _raise(exc: Exception) -> None:
    raise exc


@pytest.mark.parametrize(("error", "said"), [
    (InvalidError("spec.x: Invalid value", status=422), "the apiserver rejected a child"),
    (ForbiddenError(DENIED, status=403), "a child was refused at admission"),
])  # fmt: skip
async def test_a_refused_child_fails_the_cr_with_the_refusal(error: KubeError, said: str) -> None:
    rendered = await apply_or_reject(_raise(error), Rendered())
    (problem,) = rendered.problems
    assert problem.reason == "ChildRejected" and problem.failed
    assert problem.message.startswith(said) and error.message in problem.message


@pytest.mark.parametrize("error", [
    ForbiddenError('inferenceservices is forbidden: User "nimop" cannot patch', status=403),
    NamespaceTerminatingError("unable to create new content in namespace x because it is being "
                              "terminated", status=403),
])  # fmt: skip
async def test_other_refusals_propagate(error: KubeError) -> None:
    with pytest.raises(type(error)):
        await apply_or_reject(_raise(error), Rendered())
