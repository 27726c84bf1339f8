"""Which model-download protocol a NIM image speaks (§3.5), read from its OCI config label
`com.nvidia.nim.model_download_protocol` before any pod runs it: `native-v1` (NIMCraft: the
image downloads its model itself on start, into `/model`) or legacy (`model_manifest.yaml`,
`download-to-cache`, `/model-store`).

Two owners ask. A NIMCache (`native`): its pull secret authenticates (read by name with one
GET; nimop holds no list/watch of Secrets), every runnable platform of a multi-arch image must
agree, and anything that goes wrong — registry unreachable, no credentials, a platform
disagreeing — is logged and read as legacy, so a legacy NIM never depends on the inspection.
A NIMService without a NIMCache (`verdict`): its own image with `spec.image.pullSecrets`;
a failure is reported to the caller (the service waits with `ImageInspectionFailed` instead of
running a layout that may be wrong) and retried on a backoff. Unlike upstream, a verdict is
kept per owner generation (not re-read on every reconcile): a registry hiccup cannot flip an
owner between layouts, and steady state makes no registry requests.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Sequence
from dataclasses import dataclass

import structlog

from nimop import oci
from nimop.controllers.runtime import Runtime
from nimop.controllers.secrets import SECRETS
from nimop.watch.errors import KubeError

log = structlog.get_logger("nimop.controllers.image_protocol")

LABEL = "com.nvidia.nim.model_download_protocol"
NATIVE_V1 = "native-v1"
#: Bound on one inspection (manifest, platform manifests, configs, token handshake).
INSPECTION_SECONDS = 10.0
#: Verdicts remembered (one per owner generation); older ones are forgotten first.
MEMO_SIZE = 4096
#: After the n-th failed inspection of a `verdict`, the next one waits this long (the last
#: value repeats: an owner that waits on the verdict is never given up on).
RETRY_SECONDS = (5.0, 15.0, 60.0, 300.0)

MemoKey = tuple[str, str, int, str, tuple[str, ...]]


class InspectionFailed(Exception):
    """Why an image could not be inspected."""


@dataclass(frozen=True)
class Verdict:
    """What an inspection found: `native`, or the `error` that kept it from finding out, with
    the seconds until it is tried again (`retry_in`)."""

    native: bool = False
    error: str = ""
    retry_in: float | None = None


@dataclass
class _Entry:
    verdict: Verdict
    failures: int = 0
    retry_at: float = 0.0


def protocol_of(platform_labels: Sequence[dict[str, str]]) -> str:
    """`native-v1` when every platform image says so; "" (legacy) when none or another value;
    raises InspectionFailed when the platforms disagree or there are none."""
    if not platform_labels:
        raise InspectionFailed("the image has no platform image to inspect")
    values = {labels.get(LABEL, "") for labels in platform_labels}
    if len(values) > 1:
        raise InspectionFailed(
            f"its platform images disagree on {LABEL}: {', '.join(sorted(map(repr, values)))}"
        )
    return NATIVE_V1 if values == {NATIVE_V1} else ""


class ImageProtocols:
    """Inspects images for one controller and remembers each verdict, per owner generation."""

    def __init__(self, rt: Runtime, *, enabled: bool = True,
                 clock: Callable[[], float] = time.monotonic) -> None:  # fmt: skip
        self.rt = rt
        self.enabled = enabled
        self.clock = clock
        self._memo: OrderedDict[MemoKey, _Entry] = OrderedDict()

    async def verdict(
        self, owner_uid: str, generation: int, namespace: str, image: str,
        pull_secrets: Sequence[str], *, retry: bool = True,
    ) -> Verdict:  # fmt: skip
        """The image's verdict for this owner generation, inspected once when that succeeds. A
        failure is inspected again when its retry is due (`Verdict.retry_in` says when); with
        `retry=False` it stands for the generation."""
        if not self.enabled or not image:
            return Verdict()
        key: MemoKey = (owner_uid, namespace, generation, image, tuple(pull_secrets))
        now = self.clock()
        entry = self._memo.get(key)
        if entry is not None:
            self._memo.move_to_end(key)
            if not entry.verdict.error or now < entry.retry_at:
                due = entry.retry_at - now if entry.verdict.error and retry else None
                return Verdict(entry.verdict.native, entry.verdict.error, due)
        failures = entry.failures if entry is not None else 0
        try:
            native = await self._inspect(namespace, image, pull_secrets) == NATIVE_V1
        except InspectionFailed as exc:
            delay = RETRY_SECONDS[min(failures, len(RETRY_SECONDS) - 1)] if retry else None
            log.info("could not inspect image for its model download protocol; "
                     + ("retrying" if retry else "assuming legacy"), image=image,
                     namespace=namespace, error=str(exc), retry_in=delay)  # fmt: skip
            found = Verdict(error=str(exc), retry_in=delay)
            stands = now + delay if delay is not None else float("inf")
            self._memo[key] = _Entry(found, failures + 1, stands)
        else:
            log.info("inspected image", image=image, native=native)
            found = Verdict(native=native)
            self._memo[key] = _Entry(found)
        while len(self._memo) > MEMO_SIZE:
            self._memo.popitem(last=False)
        return found

    async def native(
        self, owner_uid: str, generation: int, namespace: str, image: str,
        pull_secrets: Sequence[str],
    ) -> bool:  # fmt: skip
        """True when `image` is a native-v1 image; False for legacy or when it cannot be told
        (the NIMCache's fallback, as upstream)."""
        found = await self.verdict(owner_uid, generation, namespace, image, pull_secrets,
                                   retry=False)  # fmt: skip
        return found.native

    async def _inspect(self, namespace: str, image: str, pull_secrets: Sequence[str]) -> str:
        try:
            ref = oci.parse_reference(image)
        except oci.ReferenceError as exc:
            raise InspectionFailed(str(exc)) from exc
        credential = await self._credential(namespace, ref, pull_secrets)
        try:
            labels = await oci.config_labels(ref, credential, seconds=INSPECTION_SECONDS)
        except oci.InspectionError as exc:
            raise InspectionFailed(str(exc)) from exc
        return protocol_of(labels)

    async def _credential(
        self, namespace: str, ref: oci.ImageReference, names: Sequence[str]
    ) -> oci.Credential | None:
        """The first pull secret (in order) with an entry for the image's registry."""
        for name in names:
            try:
                secret = await self.rt.client.get(SECRETS, namespace, name)
            except KubeError as exc:
                raise InspectionFailed(f"image pull secret {namespace}/{name}: {exc}") from exc
            try:
                entries = oci.parse_pull_secret(secret)
            except ValueError as exc:
                raise InspectionFailed(f"image pull secret {namespace}/{name} {exc}") from exc
            found = oci.credential_for(ref, entries)
            if found is not None:
                return found
        return None
