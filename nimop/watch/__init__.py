"""nimop.watch: a generic async reconcile framework on Kubernetes (knows nothing of NIM).

client-go and controller-runtime semantics in Python: a raw-JSON REST client with discovery,
shared informers over indexed stores, a deduplicating rate-limited work queue, controllers with
the reconcile contract, sync of owned children with zero writes at steady state, Lease leader
election, and a Manager that runs it all with metrics and health endpoints. See
``docs/architecture.md``.
"""

from .cache import InformerCache
from .client import KubeClient
from .clock import Clock, SystemClock
from .config import ClientConfig, load_client_config
from .controller import Controller, ReconcileFunc, Reconciler, Result
from .diff import diff_paths, is_subset
from .discovery import Discovery
from .errors import (
    AlreadyExistsError,
    ConflictError,
    ForbiddenError,
    GoneError,
    InvalidError,
    KubeError,
    NotFoundError,
    RetryableError,
    ServerError,
    StateError,
    TerminalApiError,
    TerminalError,
    TooManyRequests,
    TransportError,
)
from .events import EventRecorder
from .informer import Event, EventType, Informer, InformerOptions
from .leader import LeaderElector, LeadershipLost, LeaseConfig
from .logs import configure_logging
from .manager import Manager
from .objects import Obj, ObjectKey, ResourceRef, controller_owner, key_of
from .queue import QueueShutDown, WorkQueue
from .settings import WatchSettings
from .sources import (
    annotations_changed,
    enqueue_from_index,
    enqueue_owner,
    enqueue_self,
    generation_changed,
    labels_changed,
    resource_version_changed,
)
from .store import INDEX_LABEL, INDEX_NAMESPACE, INDEX_OWNER, Store
from .sync import ChildSync, Immutable, SyncResult, owner_reference

__all__ = [
    "INDEX_LABEL",
    "INDEX_NAMESPACE",
    "INDEX_OWNER",
    "AlreadyExistsError",
    "ChildSync",
    "ClientConfig",
    "Clock",
    "ConflictError",
    "Controller",
    "Discovery",
    "Event",
    "EventRecorder",
    "EventType",
    "ForbiddenError",
    "GoneError",
    "Immutable",
    "Informer",
    "InformerCache",
    "InformerOptions",
    "InvalidError",
    "KubeClient",
    "KubeError",
    "LeaderElector",
    "LeadershipLost",
    "LeaseConfig",
    "Manager",
    "NotFoundError",
    "Obj",
    "ObjectKey",
    "QueueShutDown",
    "ReconcileFunc",
    "Reconciler",
    "ResourceRef",
    "Result",
    "RetryableError",
    "ServerError",
    "StateError",
    "Store",
    "SyncResult",
    "SystemClock",
    "TerminalApiError",
    "TerminalError",
    "TooManyRequests",
    "TransportError",
    "WatchSettings",
    "WorkQueue",
    "annotations_changed",
    "configure_logging",
    "controller_owner",
    "diff_paths",
    "enqueue_from_index",
    "enqueue_owner",
    "enqueue_self",
    "generation_changed",
    "is_subset",
    "key_of",
    "labels_changed",
    "load_client_config",
    "owner_reference",
    "resource_version_changed",
]
