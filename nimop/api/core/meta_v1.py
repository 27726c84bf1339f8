"""Kubernetes meta_v1 types, generated from the OpenAPI schema of Kubernetes
v1.36.3.

Do not edit: run ``python -m nimop.api.gen_core``.
"""

# ruff: noqa
from __future__ import annotations

from typing import Annotated, Any

from pydantic import ConfigDict, Field

from nimop.api.base import (
    Int32,
    Int64,
    IntOrString,
    K8sModel,
    PreservedObject,
    Quantity,
    Schema,
    Time,
)


class LabelSelectorRequirement(K8sModel):
    """A label selector requirement is a selector that contains values, a key, and an operator that relates the key and values."""

    key: str = Field(..., alias='key', description='key is the label key that the selector applies to.')
    operator: str = Field(..., alias='operator', description="operator represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists and DoesNotExist.")
    values: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='values', description='values is an array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. This array is replaced during a strategic merge patch.')


class LabelSelector(K8sModel):
    """A label selector is a label query over a set of resources. The result of matchLabels and matchExpressions are ANDed. An empty label selector matches all objects. A null label selector matches no objects."""

    model_config = ConfigDict(json_schema_extra={'x-kubernetes-map-type': 'atomic'})

    match_expressions: Annotated[list[LabelSelectorRequirement], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='matchExpressions', description='matchExpressions is a list of label selector requirements. The requirements are ANDed.')
    match_labels: dict[str, str] | None = Field(None, alias='matchLabels', description='matchLabels is a map of {key,value} pairs. A single {key,value} in the matchLabels map is equivalent to an element of matchExpressions, whose key field is "key", the operator is "In", and the values array contains only "value". The requirements are ANDed.')


class ManagedFieldsEntry(K8sModel):
    """ManagedFieldsEntry is a workflow-id, a FieldSet and the group version of the resource that the fieldset applies to."""

    api_version: str | None = Field(None, alias='apiVersion', description='APIVersion defines the version of this resource that this field set applies to. The format is "group/version" just like the top-level APIVersion field. It is necessary to track the version of a field set because it cannot be automatically converted.')
    fields_type: str | None = Field(None, alias='fieldsType', description='FieldsType is the discriminator for the different fields format and version. There is currently only one possible value: "FieldsV1"')
    fields_v1: PreservedObject | None = Field(None, alias='fieldsV1', description='FieldsV1 holds the first JSON version format as described in the "FieldsV1" type.')
    manager: str | None = Field(None, alias='manager', description='Manager is an identifier of the workflow managing these fields.')
    operation: str | None = Field(None, alias='operation', description="Operation is the type of operation which lead to this ManagedFieldsEntry being created. The only valid values for this field are 'Apply' and 'Update'.")
    subresource: str | None = Field(None, alias='subresource', description='Subresource is the name of the subresource used to update that object, or empty string if the object was updated through the main resource. The value of this field is used to distinguish between managers, even if they share the same name. For example, a status update will be distinct from a regular update using the same manager name. Note that the APIVersion field is not related to the Subresource field and it always corresponds to the version of the main resource.')
    time: Time | None = Field(None, alias='time', description='Time is the timestamp of when the ManagedFields entry was added. The timestamp will also be updated if a field is added, the manager changes any of the owned fields value or removes a field. The timestamp does not update when a field is removed from the entry because another manager took it over.')


class OwnerReference(K8sModel):
    """OwnerReference contains enough information to let you identify an owning object. An owning object must be in the same namespace as the dependent, or be cluster-scoped, so there is no namespace field."""

    model_config = ConfigDict(json_schema_extra={'x-kubernetes-map-type': 'atomic'})

    api_version: str = Field(..., alias='apiVersion', description='API version of the referent.')
    block_owner_deletion: bool | None = Field(None, alias='blockOwnerDeletion', description='If true, AND if the owner has the "foregroundDeletion" finalizer, then the owner cannot be deleted from the key-value store until this reference is removed. See https://kubernetes.io/docs/concepts/architecture/garbage-collection/#foreground-deletion for how the garbage collector interacts with this field and enforces the foreground deletion. Defaults to false. To set this field, a user needs "delete" permission of the owner, otherwise 422 (Unprocessable Entity) will be returned.')
    controller: bool | None = Field(None, alias='controller', description='If true, this reference points to the managing controller.')
    kind: str = Field(..., alias='kind', description='Kind of the referent. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds')
    name: str = Field(..., alias='name', description='Name of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names')
    uid: str = Field(..., alias='uid', description='UID of the referent. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids')


class ObjectMeta(K8sModel):
    """ObjectMeta is metadata that all persisted resources must have, which includes all objects users must create."""

    annotations: dict[str, str] | None = Field(None, alias='annotations', description='Annotations is an unstructured key value map stored with a resource that may be set by external tools to store and retrieve arbitrary metadata. They are not queryable and should be preserved when modifying objects. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/annotations')
    creation_timestamp: Time | None = Field(None, alias='creationTimestamp', description='CreationTimestamp is a timestamp representing the server time when this object was created. It is not guaranteed to be set in happens-before order across separate operations. Clients may not set this value. It is represented in RFC3339 form and is in UTC.\n\nPopulated by the system. Read-only. Null for lists. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata')
    deletion_grace_period_seconds: Int64 | None = Field(None, alias='deletionGracePeriodSeconds', description='Number of seconds allowed for this object to gracefully terminate before it will be removed from the system. Only set when deletionTimestamp is also set. May only be shortened. Read-only.')
    deletion_timestamp: Time | None = Field(None, alias='deletionTimestamp', description='DeletionTimestamp is RFC 3339 date and time at which this resource will be deleted. This field is set by the server when a graceful deletion is requested by the user, and is not directly settable by a client. The resource is expected to be deleted (no longer visible from resource lists, and not reachable by name) after the time in this field, once the finalizers list is empty. As long as the finalizers list contains items, deletion is blocked. Once the deletionTimestamp is set, this value may not be unset or be set further into the future, although it may be shortened or the resource may be deleted prior to this time. For example, a user may request that a pod is deleted in 30 seconds. The Kubelet will react by sending a graceful termination signal to the containers in the pod. After that 30 seconds, the Kubelet will send a hard termination signal (SIGKILL) to the container and after cleanup, remove the pod from the API. In the presence of network partitions, this object may still exist after this timestamp, until an administrator or automated process can determine the resource is fully terminated. If not set, graceful deletion of the object has not been requested.\n\nPopulated by the system when a graceful deletion is requested. Read-only. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata')
    finalizers: Annotated[list[str], Schema({'x-kubernetes-list-type': 'set'})] | None = Field(None, alias='finalizers', description='Must be empty before the object is deleted from the registry. Each entry is an identifier for the responsible component that will remove the entry from the list. If the deletionTimestamp of the object is non-nil, entries in this list can only be removed. Finalizers may be processed and removed in any order.  Order is NOT enforced because it introduces significant risk of stuck finalizers. finalizers is a shared field, any actor with permission can reorder it. If the finalizer list is processed in order, then this can lead to a situation in which the component responsible for the first finalizer in the list is waiting for a signal (field value, external system, or other) produced by a component responsible for a finalizer later in the list, resulting in a deadlock. Without enforced ordering finalizers are free to order amongst themselves and are not vulnerable to ordering changes in the list.')
    generate_name: str | None = Field(None, alias='generateName', description='GenerateName is an optional prefix, used by the server, to generate a unique name ONLY IF the Name field has not been provided. If this field is used, the name returned to the client will be different than the name passed. This value will also be combined with a unique suffix. The provided value has the same validation rules as the Name field, and may be truncated by the length of the suffix required to make the value unique on the server.\n\nIf this field is specified and the generated name exists, the server will return a 409.\n\nApplied only if Name is not specified. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#idempotency')
    generation: Int64 | None = Field(None, alias='generation', description='A sequence number representing a specific generation of the desired state. Populated by the system. Read-only.')
    labels: dict[str, str] | None = Field(None, alias='labels', description='Map of string keys and values that can be used to organize and categorize (scope and select) objects. May match selectors of replication controllers and services. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/labels')
    managed_fields: Annotated[list[ManagedFieldsEntry], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='managedFields', description='ManagedFields maps workflow-id and version to the set of fields that are managed by that workflow. This is mostly for internal housekeeping, and users typically shouldn\'t need to set or understand this field. A workflow can be the user\'s name, a controller\'s name, or the name of a specific apply path like "ci-cd". The set of fields is always in the version that the workflow used when modifying the object.')
    name: str | None = Field(None, alias='name', description='Name must be unique within a namespace. Is required when creating resources, although some resources may allow a client to request the generation of an appropriate name automatically. Name is primarily intended for creation idempotence and configuration definition. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#names')
    namespace: str | None = Field(None, alias='namespace', description='Namespace defines the space within which each name must be unique. An empty namespace is equivalent to the "default" namespace, but "default" is the canonical representation. Not all objects are required to be scoped to a namespace - the value of this field for those objects will be empty.\n\nMust be a DNS_LABEL. Cannot be updated. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/namespaces')
    owner_references: Annotated[list[OwnerReference], Schema({'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['uid']})] | None = Field(None, alias='ownerReferences', description='List of objects depended by this object. If ALL objects in the list have been deleted, this object will be garbage collected. If this object is managed by a controller, then an entry in this list will point to this controller, with the controller field set to true. There cannot be more than one managing controller.')
    resource_version: str | None = Field(None, alias='resourceVersion', description='An opaque value that represents the internal version of this object that can be used by clients to determine when objects have changed. May be used for optimistic concurrency, change detection, and the watch operation on a resource or set of resources. Clients must treat these values as opaque and passed unmodified back to the server. They may only be valid for a particular resource or set of resources.\n\nPopulated by the system. Read-only. Value must be treated as opaque by clients and . More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#concurrency-control-and-consistency')
    self_link: str | None = Field(None, alias='selfLink', description='Deprecated: selfLink is a legacy read-only field that is no longer populated by the system.')
    uid: str | None = Field(None, alias='uid', description='UID is the unique in time and space value for this object. It is typically generated by the server on successful creation of a resource and is not allowed to change on PUT operations.\n\nPopulated by the system. Read-only. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names#uids')


class Condition(K8sModel):
    """Condition contains details for one aspect of the current state of this API Resource."""

    last_transition_time: Time = Field(..., alias='lastTransitionTime', description='lastTransitionTime is the last time the condition transitioned from one status to another. This should be when the underlying condition changed.  If that is not known, then using the time when the API field changed is acceptable.')
    message: Annotated[str, Schema({'maxLength': 32768})] = Field(..., alias='message', description='message is a human readable message indicating details about the transition. This may be an empty string.')
    observed_generation: Annotated[Int64, Schema({'minimum': 0})] | None = Field(None, alias='observedGeneration', description='observedGeneration represents the .metadata.generation that the condition was set based upon. For instance, if .metadata.generation is currently 12, but the .status.conditions[x].observedGeneration is 9, the condition is out of date with respect to the current state of the instance.')
    reason: Annotated[str, Schema({'maxLength': 1024, 'minLength': 1, 'pattern': '^[A-Za-z]([A-Za-z0-9_,:]*[A-Za-z0-9_])?$'})] = Field(..., alias='reason', description="reason contains a programmatic identifier indicating the reason for the condition's last transition. Producers of specific condition types may define expected values and meanings for this field, and whether the values are considered a guaranteed API. The value should be a CamelCase string. This field may not be empty.")
    status: Annotated[str, Schema({'enum': ['True', 'False', 'Unknown']})] = Field(..., alias='status', description='status of the condition, one of True, False, Unknown.')
    type: Annotated[str, Schema({'maxLength': 316, 'pattern': '^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])$'})] = Field(..., alias='type', description='type of condition in CamelCase or in foo.example.com/CamelCase.')
