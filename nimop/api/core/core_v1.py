"""Kubernetes core_v1 types, generated from the OpenAPI schema of Kubernetes
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
from nimop.api.core import meta_v1


class NodeSelectorRequirement(K8sModel):
    """A node selector requirement is a selector that contains values, a key, and an operator that relates the key and values."""

    key: str = Field(..., alias='key', description='The label key that the selector applies to.')
    operator: str = Field(..., alias='operator', description="Represents a key's relationship to a set of values. Valid operators are In, NotIn, Exists, DoesNotExist. Gt, and Lt.")
    values: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='values', description='An array of string values. If the operator is In or NotIn, the values array must be non-empty. If the operator is Exists or DoesNotExist, the values array must be empty. If the operator is Gt or Lt, the values array must have a single element, which will be interpreted as an integer. This array is replaced during a strategic merge patch.')


class NodeSelectorTerm(K8sModel):
    """A null or empty node selector term matches no objects. The requirements of them are ANDed. The TopologySelectorTerm type implements a subset of the NodeSelectorTerm."""

    model_config = ConfigDict(json_schema_extra={'x-kubernetes-map-type': 'atomic'})

    match_expressions: Annotated[list[NodeSelectorRequirement], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='matchExpressions', description="A list of node selector requirements by node's labels.")
    match_fields: Annotated[list[NodeSelectorRequirement], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='matchFields', description="A list of node selector requirements by node's fields.")


class NodeSelector(K8sModel):
    """A node selector represents the union of the results of one or more label queries over a set of nodes; that is, it represents the OR of the selectors represented by the node selector terms."""

    model_config = ConfigDict(json_schema_extra={'x-kubernetes-map-type': 'atomic'})

    node_selector_terms: Annotated[list[NodeSelectorTerm], Schema({'x-kubernetes-list-type': 'atomic'})] = Field(..., alias='nodeSelectorTerms', description='Required. A list of node selector terms. The terms are ORed.')


class PreferredSchedulingTerm(K8sModel):
    """An empty preferred scheduling term matches all objects with implicit weight 0 (i.e. it's a no-op). A null preferred scheduling term matches no objects (i.e. is also a no-op)."""

    preference: NodeSelectorTerm = Field(..., alias='preference', description='A node selector term, associated with the corresponding weight.')
    weight: Int32 = Field(..., alias='weight', description='Weight associated with matching the corresponding nodeSelectorTerm, in the range 1-100.')


class NodeAffinity(K8sModel):
    """Node affinity is a group of node affinity scheduling rules."""

    preferred_during_scheduling_ignored_during_execution: Annotated[list[PreferredSchedulingTerm], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='preferredDuringSchedulingIgnoredDuringExecution', description='The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions. The node that is most preferred is the one with the greatest sum of weights, i.e. for each node that meets all of the scheduling requirements (resource request, requiredDuringScheduling affinity expressions, etc.), compute a sum by iterating through the elements of this field and adding "weight" to the sum if the node matches the corresponding matchExpressions; the node(s) with the highest sum are the most preferred.')
    required_during_scheduling_ignored_during_execution: NodeSelector | None = Field(None, alias='requiredDuringSchedulingIgnoredDuringExecution', description='If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node. If the affinity requirements specified by this field cease to be met at some point during pod execution (e.g. due to an update), the system may or may not try to eventually evict the pod from its node.')


class PodAffinityTerm(K8sModel):
    """Defines a set of pods (namely those matching the labelSelector relative to the given namespace(s)) that this pod should be co-located (affinity) or not co-located (anti-affinity) with, where co-located is defined as running on a node whose value of the label with key <topologyKey> matches that of any node on which a pod of the set of pods is running"""

    label_selector: meta_v1.LabelSelector | None = Field(None, alias='labelSelector', description="A label query over a set of resources, in this case pods. If it's null, this PodAffinityTerm matches with no Pods.")
    match_label_keys: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='matchLabelKeys', description="MatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration. The keys are used to lookup values from the incoming pod labels, those key-value labels are merged with `labelSelector` as `key in (value)` to select the group of existing pods which pods will be taken into consideration for the incoming pod's pod (anti) affinity. Keys that don't exist in the incoming pod labels will be ignored. The default value is empty. The same key is forbidden to exist in both matchLabelKeys and labelSelector. Also, matchLabelKeys cannot be set when labelSelector isn't set.")
    mismatch_label_keys: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='mismatchLabelKeys', description="MismatchLabelKeys is a set of pod label keys to select which pods will be taken into consideration. The keys are used to lookup values from the incoming pod labels, those key-value labels are merged with `labelSelector` as `key notin (value)` to select the group of existing pods which pods will be taken into consideration for the incoming pod's pod (anti) affinity. Keys that don't exist in the incoming pod labels will be ignored. The default value is empty. The same key is forbidden to exist in both mismatchLabelKeys and labelSelector. Also, mismatchLabelKeys cannot be set when labelSelector isn't set.")
    namespace_selector: meta_v1.LabelSelector | None = Field(None, alias='namespaceSelector', description='A label query over the set of namespaces that the term applies to. The term is applied to the union of the namespaces selected by this field and the ones listed in the namespaces field. null selector and null or empty namespaces list means "this pod\'s namespace". An empty selector ({}) matches all namespaces.')
    namespaces: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='namespaces', description='namespaces specifies a static list of namespace names that the term applies to. The term is applied to the union of the namespaces listed in this field and the ones selected by namespaceSelector. null or empty namespaces list and null namespaceSelector means "this pod\'s namespace".')
    topology_key: str = Field(..., alias='topologyKey', description='This pod should be co-located (affinity) or not co-located (anti-affinity) with the pods matching the labelSelector in the specified namespaces, where co-located is defined as running on a node whose value of the label with key topologyKey matches that of any node on which any of the selected pods is running. Empty topologyKey is not allowed.')


class WeightedPodAffinityTerm(K8sModel):
    """The weights of all of the matched WeightedPodAffinityTerm fields are added per-node to find the most preferred node(s)"""

    pod_affinity_term: PodAffinityTerm = Field(..., alias='podAffinityTerm', description='Required. A pod affinity term, associated with the corresponding weight.')
    weight: Int32 = Field(..., alias='weight', description='weight associated with matching the corresponding podAffinityTerm, in the range 1-100.')


class PodAffinity(K8sModel):
    """Pod affinity is a group of inter pod affinity scheduling rules."""

    preferred_during_scheduling_ignored_during_execution: Annotated[list[WeightedPodAffinityTerm], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='preferredDuringSchedulingIgnoredDuringExecution', description='The scheduler will prefer to schedule pods to nodes that satisfy the affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions. The node that is most preferred is the one with the greatest sum of weights, i.e. for each node that meets all of the scheduling requirements (resource request, requiredDuringScheduling affinity expressions, etc.), compute a sum by iterating through the elements of this field and adding "weight" to the sum if the node has pods which matches the corresponding podAffinityTerm; the node(s) with the highest sum are the most preferred.')
    required_during_scheduling_ignored_during_execution: Annotated[list[PodAffinityTerm], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='requiredDuringSchedulingIgnoredDuringExecution', description='If the affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node. If the affinity requirements specified by this field cease to be met at some point during pod execution (e.g. due to a pod label update), the system may or may not try to eventually evict the pod from its node. When there are multiple elements, the lists of nodes corresponding to each podAffinityTerm are intersected, i.e. all terms must be satisfied.')


class PodAntiAffinity(K8sModel):
    """Pod anti affinity is a group of inter pod anti affinity scheduling rules."""

    preferred_during_scheduling_ignored_during_execution: Annotated[list[WeightedPodAffinityTerm], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='preferredDuringSchedulingIgnoredDuringExecution', description='The scheduler will prefer to schedule pods to nodes that satisfy the anti-affinity expressions specified by this field, but it may choose a node that violates one or more of the expressions. The node that is most preferred is the one with the greatest sum of weights, i.e. for each node that meets all of the scheduling requirements (resource request, requiredDuringScheduling anti-affinity expressions, etc.), compute a sum by iterating through the elements of this field and subtracting "weight" from the sum if the node has pods which matches the corresponding podAffinityTerm; the node(s) with the highest sum are the most preferred.')
    required_during_scheduling_ignored_during_execution: Annotated[list[PodAffinityTerm], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='requiredDuringSchedulingIgnoredDuringExecution', description='If the anti-affinity requirements specified by this field are not met at scheduling time, the pod will not be scheduled onto the node. If the anti-affinity requirements specified by this field cease to be met at some point during pod execution (e.g. due to a pod label update), the system may or may not try to eventually evict the pod from its node. When there are multiple elements, the lists of nodes corresponding to each podAffinityTerm are intersected, i.e. all terms must be satisfied.')


class Affinity(K8sModel):
    """Affinity is a group of affinity scheduling rules."""

    node_affinity: NodeAffinity | None = Field(None, alias='nodeAffinity', description='Describes node affinity scheduling rules for the pod.')
    pod_affinity: PodAffinity | None = Field(None, alias='podAffinity', description='Describes pod affinity scheduling rules (e.g. co-locate this pod in the same node, zone, etc. as some other pod(s)).')
    pod_anti_affinity: PodAntiAffinity | None = Field(None, alias='podAntiAffinity', description='Describes pod anti-affinity scheduling rules (e.g. avoid putting this pod in the same node, zone, etc. as some other pod(s)).')


class ConfigMapKeySelector(K8sModel):
    """Selects a key from a ConfigMap."""

    model_config = ConfigDict(json_schema_extra={'x-kubernetes-map-type': 'atomic'})

    key: str = Field(..., alias='key', description='The key to select.')
    name: str = Field('', alias='name', description='Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names')
    optional: bool | None = Field(None, alias='optional', description='Specify whether the ConfigMap or its key must be defined')


class ContainerPort(K8sModel):
    """ContainerPort represents a network port in a single container."""

    container_port: Int32 = Field(..., alias='containerPort', description="Number of port to expose on the pod's IP address. This must be a valid port number, 0 < x < 65536.")
    host_ip: str | None = Field(None, alias='hostIP', description='What host IP to bind the external port to.')
    host_port: Int32 | None = Field(None, alias='hostPort', description='Number of port to expose on the host. If specified, this must be a valid port number, 0 < x < 65536. If HostNetwork is specified, this must match ContainerPort. Most containers do not need this.')
    name: str | None = Field(None, alias='name', description='If specified, this must be an IANA_SVC_NAME and unique within the pod. Each named port in a pod must have a unique name. Name for the port that can be referred to by services.')
    protocol: str = Field('TCP', alias='protocol', description='Protocol for port. Must be UDP, TCP, or SCTP. Defaults to "TCP".')


class ContainerResizePolicy(K8sModel):
    """ContainerResizePolicy represents resource resize policy for the container."""

    resource_name: str = Field(..., alias='resourceName', description='Name of the resource to which this resource resize policy applies. Supported values: cpu, memory.')
    restart_policy: str = Field(..., alias='restartPolicy', description='Restart policy to apply when specified resource is resized. If not specified, it defaults to NotRequired.')


class ContainerRestartRuleOnExitCodes(K8sModel):
    """ContainerRestartRuleOnExitCodes describes the condition for handling an exited container based on its exit codes."""

    operator: str = Field(..., alias='operator', description='Represents the relationship between the container exit code(s) and the specified values. Possible values are: - In: the requirement is satisfied if the container exit code is in the\n  set of specified values.\n- NotIn: the requirement is satisfied if the container exit code is\n  not in the set of specified values.')
    values: Annotated[list[Int32], Schema({'x-kubernetes-list-type': 'set'})] | None = Field(None, alias='values', description='Specifies the set of values to check for container exit codes. At most 255 elements are allowed.')


class ContainerRestartRule(K8sModel):
    """ContainerRestartRule describes how a container exit is handled."""

    action: str = Field(..., alias='action', description='Specifies the action taken on a container exit if the requirements are satisfied. The only possible value is "Restart" to restart the container.')
    exit_codes: ContainerRestartRuleOnExitCodes | None = Field(None, alias='exitCodes', description='Represents the exit codes to check on container exits.')


class ConfigMapEnvSource(K8sModel):
    """ConfigMapEnvSource selects a ConfigMap to populate the environment variables with.

The contents of the target ConfigMap's Data field will represent the key-value pairs as environment variables."""

    name: str = Field('', alias='name', description='Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names')
    optional: bool | None = Field(None, alias='optional', description='Specify whether the ConfigMap must be defined')


class SecretEnvSource(K8sModel):
    """SecretEnvSource selects a Secret to populate the environment variables with.

The contents of the target Secret's Data field will represent the key-value pairs as environment variables."""

    name: str = Field('', alias='name', description='Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names')
    optional: bool | None = Field(None, alias='optional', description='Specify whether the Secret must be defined')


class EnvFromSource(K8sModel):
    """EnvFromSource represents the source of a set of ConfigMaps or Secrets"""

    config_map_ref: ConfigMapEnvSource | None = Field(None, alias='configMapRef', description='The ConfigMap to select from')
    prefix: str | None = Field(None, alias='prefix', description="Optional text to prepend to the name of each environment variable. May consist of any printable ASCII characters except '='.")
    secret_ref: SecretEnvSource | None = Field(None, alias='secretRef', description='The Secret to select from')


class FileKeySelector(K8sModel):
    """FileKeySelector selects a key of the env file."""

    model_config = ConfigDict(json_schema_extra={'x-kubernetes-map-type': 'atomic'})

    key: str = Field(..., alias='key', description="The key within the env file. An invalid key will prevent the pod from starting. The keys defined within a source may consist of any printable ASCII characters except '='. During Alpha stage of the EnvFiles feature gate, the key size is limited to 128 characters.")
    optional: bool = Field(False, alias='optional', description="Specify whether the file or its key must be defined. If the file or key does not exist, then the env var is not published. If optional is set to true and the specified key does not exist, the environment variable will not be set in the Pod's containers.\n\nIf optional is set to false and the specified key does not exist, an error will be returned during Pod creation.")
    path: str = Field(..., alias='path', description="The path within the volume from which to select the file. Must be relative and may not contain the '..' path or start with '..'.")
    volume_name: str = Field(..., alias='volumeName', description='The name of the volume mount containing the env file.')


class ObjectFieldSelector(K8sModel):
    """ObjectFieldSelector selects an APIVersioned field of an object."""

    model_config = ConfigDict(json_schema_extra={'x-kubernetes-map-type': 'atomic'})

    api_version: str | None = Field(None, alias='apiVersion', description='Version of the schema the FieldPath is written in terms of, defaults to "v1".')
    field_path: str = Field(..., alias='fieldPath', description='Path of the field to select in the specified API version.')


class ResourceFieldSelector(K8sModel):
    """ResourceFieldSelector represents container resources (cpu, memory) and their output format"""

    model_config = ConfigDict(json_schema_extra={'x-kubernetes-map-type': 'atomic'})

    container_name: str | None = Field(None, alias='containerName', description='Container name: required for volumes, optional for env vars')
    divisor: Quantity | None = Field(None, alias='divisor', description='Specifies the output format of the exposed resources, defaults to "1"')
    resource: str = Field(..., alias='resource', description='Required: resource to select')


class SecretKeySelector(K8sModel):
    """SecretKeySelector selects a key of a Secret."""

    model_config = ConfigDict(json_schema_extra={'x-kubernetes-map-type': 'atomic'})

    key: str = Field(..., alias='key', description='The key of the secret to select from.  Must be a valid secret key.')
    name: str = Field('', alias='name', description='Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names')
    optional: bool | None = Field(None, alias='optional', description='Specify whether the Secret or its key must be defined')


class EnvVarSource(K8sModel):
    """EnvVarSource represents a source for the value of an EnvVar."""

    config_map_key_ref: ConfigMapKeySelector | None = Field(None, alias='configMapKeyRef', description='Selects a key of a ConfigMap.')
    field_ref: ObjectFieldSelector | None = Field(None, alias='fieldRef', description="Selects a field of the pod: supports metadata.name, metadata.namespace, `metadata.labels['<KEY>']`, `metadata.annotations['<KEY>']`, spec.nodeName, spec.serviceAccountName, status.hostIP, status.podIP, status.podIPs.")
    file_key_ref: FileKeySelector | None = Field(None, alias='fileKeyRef', description='FileKeyRef selects a key of the env file. Requires the EnvFiles feature gate to be enabled.')
    resource_field_ref: ResourceFieldSelector | None = Field(None, alias='resourceFieldRef', description='Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, limits.ephemeral-storage, requests.cpu, requests.memory and requests.ephemeral-storage) are currently supported.')
    secret_key_ref: SecretKeySelector | None = Field(None, alias='secretKeyRef', description="Selects a key of a secret in the pod's namespace")


class EnvVar(K8sModel):
    """EnvVar represents an environment variable present in a Container."""

    name: str = Field(..., alias='name', description="Name of the environment variable. May consist of any printable ASCII characters except '='.")
    value: str | None = Field(None, alias='value', description='Variable references $(VAR_NAME) are expanded using the previously defined environment variables in the container and any service environment variables. If a variable cannot be resolved, the reference in the input string will be unchanged. Double $$ are reduced to a single $, which allows for escaping the $(VAR_NAME) syntax: i.e. "$$(VAR_NAME)" will produce the string literal "$(VAR_NAME)". Escaped references will never be expanded, regardless of whether the variable exists or not. Defaults to "".')
    value_from: EnvVarSource | None = Field(None, alias='valueFrom', description="Source for the environment variable's value. Cannot be used if value is not empty.")


class ExecAction(K8sModel):
    """ExecAction describes a "run in container" action."""

    command: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='command', description="Command is the command line to execute inside the container, the working directory for the command  is root ('/') in the container's filesystem. The command is simply exec'd, it is not run inside a shell, so traditional shell instructions ('|', etc) won't work. To use a shell, you need to explicitly call out to that shell. Exit status of 0 is treated as live/healthy and non-zero is unhealthy.")


class HTTPHeader(K8sModel):
    """HTTPHeader describes a custom header to be used in HTTP probes"""

    name: str = Field(..., alias='name', description='The header field name. This will be canonicalized upon output, so case-variant names will be understood as the same header.')
    value: str = Field(..., alias='value', description='The header field value')


class HTTPGetAction(K8sModel):
    """HTTPGetAction describes an action based on HTTP Get requests."""

    host: str | None = Field(None, alias='host', description='Host name to connect to, defaults to the pod IP. You probably want to set "Host" in httpHeaders instead.')
    http_headers: Annotated[list[HTTPHeader], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='httpHeaders', description='Custom headers to set in the request. HTTP allows repeated headers.')
    path: str | None = Field(None, alias='path', description='Path to access on the HTTP server.')
    port: IntOrString = Field(..., alias='port', description='Name or number of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.')
    scheme: str | None = Field(None, alias='scheme', description='Scheme to use for connecting to the host. Defaults to HTTP.')


class SleepAction(K8sModel):
    """SleepAction describes a "sleep" action."""

    seconds: Int64 = Field(..., alias='seconds', description='Seconds is the number of seconds to sleep.')


class TCPSocketAction(K8sModel):
    """TCPSocketAction describes an action based on opening a socket"""

    host: str | None = Field(None, alias='host', description='Optional: Host name to connect to, defaults to the pod IP.')
    port: IntOrString = Field(..., alias='port', description='Number or name of the port to access on the container. Number must be in the range 1 to 65535. Name must be an IANA_SVC_NAME.')


class LifecycleHandler(K8sModel):
    """LifecycleHandler defines a specific action that should be taken in a lifecycle hook. One and only one of the fields, except TCPSocket must be specified."""

    exec: ExecAction | None = Field(None, alias='exec', description='Exec specifies a command to execute in the container.')
    http_get: HTTPGetAction | None = Field(None, alias='httpGet', description='HTTPGet specifies an HTTP GET request to perform.')
    sleep: SleepAction | None = Field(None, alias='sleep', description='Sleep represents a duration that the container should sleep.')
    tcp_socket: TCPSocketAction | None = Field(None, alias='tcpSocket', description='Deprecated. TCPSocket is NOT supported as a LifecycleHandler and kept for backward compatibility. There is no validation of this field and lifecycle hooks will fail at runtime when it is specified.')


class Lifecycle(K8sModel):
    """Lifecycle describes actions that the management system should take in response to container lifecycle events. For the PostStart and PreStop lifecycle handlers, management of the container blocks until the action is complete, unless the container process fails, in which case the handler is aborted."""

    post_start: LifecycleHandler | None = Field(None, alias='postStart', description='PostStart is called immediately after a container is created. If the handler fails, the container is terminated and restarted according to its restart policy. Other management of the container blocks until the hook completes. More info: https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#container-hooks')
    pre_stop: LifecycleHandler | None = Field(None, alias='preStop', description="PreStop is called immediately before a container is terminated due to an API request or management event such as liveness/startup probe failure, preemption, resource contention, etc. The handler is not called if the container crashes or exits. The Pod's termination grace period countdown begins before the PreStop hook is executed. Regardless of the outcome of the handler, the container will eventually terminate within the Pod's termination grace period (unless delayed by finalizers). Other management of the container blocks until the hook completes or until the termination grace period is reached. More info: https://kubernetes.io/docs/concepts/containers/container-lifecycle-hooks/#container-hooks")
    stop_signal: str | None = Field(None, alias='stopSignal', description='StopSignal defines which signal will be sent to a container when it is being stopped. If not specified, the default is defined by the container runtime in use. StopSignal can only be set for Pods with a non-empty .spec.os.name')


class GRPCAction(K8sModel):
    """GRPCAction specifies an action involving a GRPC service."""

    port: Int32 = Field(..., alias='port', description='Port number of the gRPC service. Number must be in the range 1 to 65535.')
    service: str = Field('', alias='service', description='Service is the name of the service to place in the gRPC HealthCheckRequest (see https://github.com/grpc/grpc/blob/master/doc/health-checking.md).\n\nIf this is not specified, the default behavior is defined by gRPC.')


class Probe(K8sModel):
    """Probe describes a health check to be performed against a container to determine whether it is alive or ready to receive traffic."""

    exec: ExecAction | None = Field(None, alias='exec', description='Exec specifies a command to execute in the container.')
    failure_threshold: Int32 | None = Field(None, alias='failureThreshold', description='Minimum consecutive failures for the probe to be considered failed after having succeeded. Defaults to 3. Minimum value is 1.')
    grpc: GRPCAction | None = Field(None, alias='grpc', description='GRPC specifies a GRPC HealthCheckRequest.')
    http_get: HTTPGetAction | None = Field(None, alias='httpGet', description='HTTPGet specifies an HTTP GET request to perform.')
    initial_delay_seconds: Int32 | None = Field(None, alias='initialDelaySeconds', description='Number of seconds after the container has started before liveness probes are initiated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes')
    period_seconds: Int32 | None = Field(None, alias='periodSeconds', description='How often (in seconds) to perform the probe. Default to 10 seconds. Minimum value is 1.')
    success_threshold: Int32 | None = Field(None, alias='successThreshold', description='Minimum consecutive successes for the probe to be considered successful after having failed. Defaults to 1. Must be 1 for liveness and startup. Minimum value is 1.')
    tcp_socket: TCPSocketAction | None = Field(None, alias='tcpSocket', description='TCPSocket specifies a connection to a TCP port.')
    termination_grace_period_seconds: Int64 | None = Field(None, alias='terminationGracePeriodSeconds', description="Optional duration in seconds the pod needs to terminate gracefully upon probe failure. The grace period is the duration in seconds after the processes running in the pod are sent a termination signal and the time when the processes are forcibly halted with a kill signal. Set this value longer than the expected cleanup time for your process. If this value is nil, the pod's terminationGracePeriodSeconds will be used. Otherwise, this value overrides the value provided by the pod spec. Value must be non-negative integer. The value zero indicates stop immediately via the kill signal (no opportunity to shut down). This is a beta field and requires enabling ProbeTerminationGracePeriod feature gate. Minimum value is 1. spec.terminationGracePeriodSeconds is used if unset.")
    timeout_seconds: Int32 | None = Field(None, alias='timeoutSeconds', description='Number of seconds after which the probe times out. Defaults to 1 second. Minimum value is 1. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes')


class ResourceClaim(K8sModel):
    """ResourceClaim references one entry in PodSpec.ResourceClaims."""

    name: str = Field(..., alias='name', description='Name must match the name of one entry in pod.spec.resourceClaims of the Pod where this field is used. It makes that resource available inside a container.')
    request: str | None = Field(None, alias='request', description='Request is the name chosen for a request in the referenced claim. If empty, everything from the claim is made available, otherwise only the result of this request.')


class ResourceRequirements(K8sModel):
    """ResourceRequirements describes the compute resource requirements."""

    claims: Annotated[list[ResourceClaim], Schema({'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name']})] | None = Field(None, alias='claims', description='Claims lists the names of resources, defined in spec.resourceClaims, that are used by this container.\n\nThis field depends on the DynamicResourceAllocation feature gate.\n\nThis field is immutable. It can only be set for containers.')
    limits: dict[str, Quantity] | None = Field(None, alias='limits', description='Limits describes the maximum amount of compute resources allowed. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/')
    requests: dict[str, Quantity] | None = Field(None, alias='requests', description='Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified, otherwise to an implementation-defined value. Requests cannot exceed Limits. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/')


class AppArmorProfile(K8sModel):
    """AppArmorProfile defines a pod or container's AppArmor settings."""

    localhost_profile: str | None = Field(None, alias='localhostProfile', description='localhostProfile indicates a profile loaded on the node that should be used. The profile must be preconfigured on the node to work. Must match the loaded name of the profile. Must be set if and only if type is "Localhost".')
    type: str = Field(..., alias='type', description="type indicates which kind of AppArmor profile will be applied. Valid options are:\n  Localhost - a profile pre-loaded on the node.\n  RuntimeDefault - the container runtime's default profile.\n  Unconfined - no AppArmor enforcement.")


class Capabilities(K8sModel):
    """Adds and removes POSIX capabilities from running containers."""

    add: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='add', description='Added capabilities')
    drop: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='drop', description='Removed capabilities')


class SELinuxOptions(K8sModel):
    """SELinuxOptions are the labels to be applied to the container"""

    level: str | None = Field(None, alias='level', description='Level is SELinux level label that applies to the container.')
    role: str | None = Field(None, alias='role', description='Role is a SELinux role label that applies to the container.')
    type: str | None = Field(None, alias='type', description='Type is a SELinux type label that applies to the container.')
    user: str | None = Field(None, alias='user', description='User is a SELinux user label that applies to the container.')


class SeccompProfile(K8sModel):
    """SeccompProfile defines a pod/container's seccomp profile settings. Only one profile source may be set."""

    localhost_profile: str | None = Field(None, alias='localhostProfile', description='localhostProfile indicates a profile defined in a file on the node should be used. The profile must be preconfigured on the node to work. Must be a descending path, relative to the kubelet\'s configured seccomp profile location. Must be set if type is "Localhost". Must NOT be set for any other type.')
    type: str = Field(..., alias='type', description='type indicates which kind of seccomp profile will be applied. Valid options are:\n\nLocalhost - a profile defined in a file on the node should be used. RuntimeDefault - the container runtime default profile should be used. Unconfined - no profile should be applied.')


class WindowsSecurityContextOptions(K8sModel):
    """WindowsSecurityContextOptions contain Windows-specific options and credentials."""

    gmsa_credential_spec: str | None = Field(None, alias='gmsaCredentialSpec', description='GMSACredentialSpec is where the GMSA admission webhook (https://github.com/kubernetes-sigs/windows-gmsa) inlines the contents of the GMSA credential spec named by the GMSACredentialSpecName field.')
    gmsa_credential_spec_name: str | None = Field(None, alias='gmsaCredentialSpecName', description='GMSACredentialSpecName is the name of the GMSA credential spec to use.')
    host_process: bool | None = Field(None, alias='hostProcess', description="HostProcess determines if a container should be run as a 'Host Process' container. All of a Pod's containers must have the same effective HostProcess value (it is not allowed to have a mix of HostProcess containers and non-HostProcess containers). In addition, if HostProcess is true then HostNetwork must also be set to true.")
    run_as_user_name: str | None = Field(None, alias='runAsUserName', description='The UserName in Windows to run the entrypoint of the container process. Defaults to the user specified in image metadata if unspecified. May also be set in PodSecurityContext. If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence.')


class SecurityContext(K8sModel):
    """SecurityContext holds security configuration that will be applied to a container. Some fields are present in both SecurityContext and PodSecurityContext.  When both are set, the values in SecurityContext take precedence."""

    allow_privilege_escalation: bool | None = Field(None, alias='allowPrivilegeEscalation', description='AllowPrivilegeEscalation controls whether a process can gain more privileges than its parent process. This bool directly controls if the no_new_privs flag will be set on the container process. AllowPrivilegeEscalation is true always when the container is: 1) run as Privileged 2) has CAP_SYS_ADMIN Note that this field cannot be set when spec.os.name is windows.')
    app_armor_profile: AppArmorProfile | None = Field(None, alias='appArmorProfile', description="appArmorProfile is the AppArmor options to use by this container. If set, this profile overrides the pod's appArmorProfile. Note that this field cannot be set when spec.os.name is windows.")
    capabilities: Capabilities | None = Field(None, alias='capabilities', description='The capabilities to add/drop when running containers. Defaults to the default set of capabilities granted by the container runtime. Note that this field cannot be set when spec.os.name is windows.')
    privileged: bool | None = Field(None, alias='privileged', description='Run container in privileged mode. Processes in privileged containers are essentially equivalent to root on the host. Defaults to false. Note that this field cannot be set when spec.os.name is windows.')
    proc_mount: str | None = Field(None, alias='procMount', description='procMount denotes the type of proc mount to use for the containers. The default value is Default which uses the container runtime defaults for readonly paths and masked paths. Note that this field cannot be set when spec.os.name is windows.')
    read_only_root_filesystem: bool | None = Field(None, alias='readOnlyRootFilesystem', description='Whether this container has a read-only root filesystem. Default is false. Note that this field cannot be set when spec.os.name is windows.')
    run_as_group: Int64 | None = Field(None, alias='runAsGroup', description='The GID to run the entrypoint of the container process. Uses runtime default if unset. May also be set in PodSecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence. Note that this field cannot be set when spec.os.name is windows.')
    run_as_non_root: bool | None = Field(None, alias='runAsNonRoot', description='Indicates that the container must run as a non-root user. If true, the Kubelet will validate the image at runtime to ensure that it does not run as UID 0 (root) and fail to start the container if it does. If unset or false, no such validation will be performed. May also be set in PodSecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence.')
    run_as_user: Int64 | None = Field(None, alias='runAsUser', description='The UID to run the entrypoint of the container process. Defaults to user specified in image metadata if unspecified. May also be set in PodSecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence. Note that this field cannot be set when spec.os.name is windows.')
    se_linux_options: SELinuxOptions | None = Field(None, alias='seLinuxOptions', description='The SELinux context to be applied to the container. If unspecified, the container runtime will allocate a random SELinux context for each container.  May also be set in PodSecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence. Note that this field cannot be set when spec.os.name is windows.')
    seccomp_profile: SeccompProfile | None = Field(None, alias='seccompProfile', description='The seccomp options to use by this container. If seccomp options are provided at both the pod & container level, the container options override the pod options. Note that this field cannot be set when spec.os.name is windows.')
    windows_options: WindowsSecurityContextOptions | None = Field(None, alias='windowsOptions', description='The Windows specific settings applied to all containers. If unspecified, the options from the PodSecurityContext will be used. If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence. Note that this field cannot be set when spec.os.name is linux.')


class VolumeDevice(K8sModel):
    """volumeDevice describes a mapping of a raw block device within a container."""

    device_path: str = Field(..., alias='devicePath', description='devicePath is the path inside of the container that the device will be mapped to.')
    name: str = Field(..., alias='name', description='name must match the name of a persistentVolumeClaim in the pod')


class VolumeMount(K8sModel):
    """VolumeMount describes a mounting of a Volume within a container."""

    mount_path: str = Field(..., alias='mountPath', description="Path within the container at which the volume should be mounted.  Must not contain ':'.")
    mount_propagation: str | None = Field(None, alias='mountPropagation', description='mountPropagation determines how mounts are propagated from the host to container and the other way around. When not set, MountPropagationNone is used. This field is beta in 1.10. When RecursiveReadOnly is set to IfPossible or to Enabled, MountPropagation must be None or unspecified (which defaults to None).')
    name: str = Field(..., alias='name', description='This must match the Name of a Volume.')
    read_only: bool | None = Field(None, alias='readOnly', description='Mounted read-only if true, read-write otherwise (false or unspecified). Defaults to false.')
    recursive_read_only: str | None = Field(None, alias='recursiveReadOnly', description='RecursiveReadOnly specifies whether read-only mounts should be handled recursively.\n\nIf ReadOnly is false, this field has no meaning and must be unspecified.\n\nIf ReadOnly is true, and this field is set to Disabled, the mount is not made recursively read-only.  If this field is set to IfPossible, the mount is made recursively read-only, if it is supported by the container runtime.  If this field is set to Enabled, the mount is made recursively read-only if it is supported by the container runtime, otherwise the pod will not be started and an error will be generated to indicate the reason.\n\nIf this field is set to IfPossible or Enabled, MountPropagation must be set to None (or be unspecified, which defaults to None).\n\nIf this field is not specified, it is treated as an equivalent of Disabled.')
    sub_path: str | None = Field(None, alias='subPath', description='Path within the volume from which the container\'s volume should be mounted. Defaults to "" (volume\'s root).')
    sub_path_expr: str | None = Field(None, alias='subPathExpr', description='Expanded path within the volume from which the container\'s volume should be mounted. Behaves similarly to SubPath but environment variable references $(VAR_NAME) are expanded using the container\'s environment. Defaults to "" (volume\'s root). SubPathExpr and SubPath are mutually exclusive.')


class Container(K8sModel):
    """A single application container that you want to run within a pod."""

    args: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='args', description='Arguments to the entrypoint. The container image\'s CMD is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container\'s environment. If a variable cannot be resolved, the reference in the input string will be unchanged. Double $$ are reduced to a single $, which allows for escaping the $(VAR_NAME) syntax: i.e. "$$(VAR_NAME)" will produce the string literal "$(VAR_NAME)". Escaped references will never be expanded, regardless of whether the variable exists or not. Cannot be updated. More info: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell')
    command: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='command', description='Entrypoint array. Not executed within a shell. The container image\'s ENTRYPOINT is used if this is not provided. Variable references $(VAR_NAME) are expanded using the container\'s environment. If a variable cannot be resolved, the reference in the input string will be unchanged. Double $$ are reduced to a single $, which allows for escaping the $(VAR_NAME) syntax: i.e. "$$(VAR_NAME)" will produce the string literal "$(VAR_NAME)". Escaped references will never be expanded, regardless of whether the variable exists or not. Cannot be updated. More info: https://kubernetes.io/docs/tasks/inject-data-application/define-command-argument-container/#running-a-command-in-a-shell')
    env: Annotated[list[EnvVar], Schema({'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['name']})] | None = Field(None, alias='env', description='List of environment variables to set in the container. Cannot be updated.')
    env_from: Annotated[list[EnvFromSource], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='envFrom', description="List of sources to populate environment variables in the container. The keys defined within a source may consist of any printable ASCII characters except '='. When a key exists in multiple sources, the value associated with the last source will take precedence. Values defined by an Env with a duplicate key will take precedence. Cannot be updated.")
    image: str | None = Field(None, alias='image', description='Container image name. More info: https://kubernetes.io/docs/concepts/containers/images This field is optional to allow higher level config management to default or override container images in workload controllers like Deployments and StatefulSets.')
    image_pull_policy: str | None = Field(None, alias='imagePullPolicy', description='Image pull policy. One of Always, Never, IfNotPresent. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise. Cannot be updated. More info: https://kubernetes.io/docs/concepts/containers/images#updating-images')
    lifecycle: Lifecycle | None = Field(None, alias='lifecycle', description='Actions that the management system should take in response to container lifecycle events. Cannot be updated.')
    liveness_probe: Probe | None = Field(None, alias='livenessProbe', description='Periodic probe of container liveness. Container will be restarted if the probe fails. Cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes')
    name: str = Field(..., alias='name', description='Name of the container specified as a DNS_LABEL. Each container in a pod must have a unique name (DNS_LABEL). Cannot be updated.')
    ports: Annotated[list[ContainerPort], Schema({'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['containerPort', 'protocol']})] | None = Field(None, alias='ports', description='List of ports to expose from the container. Not specifying a port here DOES NOT prevent that port from being exposed. Any port which is listening on the default "0.0.0.0" address inside a container will be accessible from the network. Modifying this array with strategic merge patch may corrupt the data. For more information See https://github.com/kubernetes/kubernetes/issues/108255. Cannot be updated.')
    readiness_probe: Probe | None = Field(None, alias='readinessProbe', description='Periodic probe of container service readiness. Container will be removed from service endpoints if the probe fails. Cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes')
    resize_policy: Annotated[list[ContainerResizePolicy], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='resizePolicy', description='Resources resize policy for the container. This field cannot be set on ephemeral containers.')
    resources: ResourceRequirements | None = Field(None, alias='resources', description='Compute Resources required by this container. Cannot be updated. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/')
    restart_policy: str | None = Field(None, alias='restartPolicy', description='RestartPolicy defines the restart behavior of individual containers in a pod. This overrides the pod-level restart policy. When this field is not specified, the restart behavior is defined by the Pod\'s restart policy and the container type. Additionally, setting the RestartPolicy as "Always" for the init container will have the following effect: this init container will be continually restarted on exit until all regular containers have terminated. Once all regular containers have completed, all init containers with restartPolicy "Always" will be shut down. This lifecycle differs from normal init containers and is often referred to as a "sidecar" container. Although this init container still starts in the init container sequence, it does not wait for the container to complete before proceeding to the next init container. Instead, the next init container starts immediately after this init container is started, or after any startupProbe has successfully completed.')
    restart_policy_rules: Annotated[list[ContainerRestartRule], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='restartPolicyRules', description="Represents a list of rules to be checked to determine if the container should be restarted on exit. The rules are evaluated in order. Once a rule matches a container exit condition, the remaining rules are ignored. If no rule matches the container exit condition, the Container-level restart policy determines the whether the container is restarted or not. Constraints on the rules: - At most 20 rules are allowed. - Rules can have the same action. - Identical rules are not forbidden in validations. When rules are specified, container MUST set RestartPolicy explicitly even it if matches the Pod's RestartPolicy.")
    security_context: SecurityContext | None = Field(None, alias='securityContext', description='SecurityContext defines the security options the container should be run with. If set, the fields of SecurityContext override the equivalent fields of PodSecurityContext. More info: https://kubernetes.io/docs/tasks/configure-pod-container/security-context/')
    startup_probe: Probe | None = Field(None, alias='startupProbe', description="StartupProbe indicates that the Pod has successfully initialized. If specified, no other probes are executed until this completes successfully. If this probe fails, the Pod will be restarted, just as if the livenessProbe failed. This can be used to provide different probe parameters at the beginning of a Pod's lifecycle, when it might take a long time to load data or warm a cache, than during steady-state operation. This cannot be updated. More info: https://kubernetes.io/docs/concepts/workloads/pods/pod-lifecycle#container-probes")
    stdin: bool | None = Field(None, alias='stdin', description='Whether this container should allocate a buffer for stdin in the container runtime. If this is not set, reads from stdin in the container will always result in EOF. Default is false.')
    stdin_once: bool | None = Field(None, alias='stdinOnce', description='Whether the container runtime should close the stdin channel after it has been opened by a single attach. When stdin is true the stdin stream will remain open across multiple attach sessions. If stdinOnce is set to true, stdin is opened on container start, is empty until the first client attaches to stdin, and then remains open and accepts data until the client disconnects, at which time stdin is closed and remains closed until the container is restarted. If this flag is false, a container processes that reads from stdin will never receive an EOF. Default is false')
    termination_message_path: str | None = Field(None, alias='terminationMessagePath', description="Optional: Path at which the file to which the container's termination message will be written is mounted into the container's filesystem. Message written is intended to be brief final status, such as an assertion failure message. Will be truncated by the node if greater than 4096 bytes. The total message length across all containers will be limited to 12kb. Defaults to /dev/termination-log. Cannot be updated.")
    termination_message_policy: str | None = Field(None, alias='terminationMessagePolicy', description='Indicate how the termination message should be populated. File will use the contents of terminationMessagePath to populate the container status message on both success and failure. FallbackToLogsOnError will use the last chunk of container log output if the termination message file is empty and the container exited with an error. The log output is limited to 2048 bytes or 80 lines, whichever is smaller. Defaults to File. Cannot be updated.')
    tty: bool | None = Field(None, alias='tty', description="Whether this container should allocate a TTY for itself, also requires 'stdin' to be true. Default is false.")
    volume_devices: Annotated[list[VolumeDevice], Schema({'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['devicePath']})] | None = Field(None, alias='volumeDevices', description='volumeDevices is the list of block devices to be used by the container.')
    volume_mounts: Annotated[list[VolumeMount], Schema({'x-kubernetes-list-type': 'map', 'x-kubernetes-list-map-keys': ['mountPath']})] | None = Field(None, alias='volumeMounts', description="Pod volumes to mount into the container's filesystem. Cannot be updated.")
    working_dir: str | None = Field(None, alias='workingDir', description="Container's working directory. If not specified, the container runtime's default will be used, which might be configured in the container image. Cannot be updated.")


class LocalObjectReference(K8sModel):
    """LocalObjectReference contains enough information to let you locate the referenced object inside the same namespace."""

    model_config = ConfigDict(json_schema_extra={'x-kubernetes-map-type': 'atomic'})

    name: str = Field('', alias='name', description='Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names')


class Sysctl(K8sModel):
    """Sysctl defines a kernel parameter to be set"""

    name: str = Field(..., alias='name', description='Name of a property to set')
    value: str = Field(..., alias='value', description='Value of a property to set')


class PodSecurityContext(K8sModel):
    """PodSecurityContext holds pod-level security attributes and common container settings. Some fields are also present in container.securityContext.  Field values of container.securityContext take precedence over field values of PodSecurityContext."""

    app_armor_profile: AppArmorProfile | None = Field(None, alias='appArmorProfile', description='appArmorProfile is the AppArmor options to use by the containers in this pod. Note that this field cannot be set when spec.os.name is windows.')
    fs_group: Int64 | None = Field(None, alias='fsGroup', description="A special supplemental group that applies to all containers in a pod. Some volume types allow the Kubelet to change the ownership of that volume to be owned by the pod:\n\n1. The owning GID will be the FSGroup 2. The setgid bit is set (new files created in the volume will be owned by FSGroup) 3. The permission bits are OR'd with rw-rw----\n\nIf unset, the Kubelet will not modify the ownership and permissions of any volume. Note that this field cannot be set when spec.os.name is windows.")
    fs_group_change_policy: str | None = Field(None, alias='fsGroupChangePolicy', description='fsGroupChangePolicy defines behavior of changing ownership and permission of the volume before being exposed inside Pod. This field will only apply to volume types which support fsGroup based ownership(and permissions). It will have no effect on ephemeral volume types such as: secret, configmaps and emptydir. Valid values are "OnRootMismatch" and "Always". If not specified, "Always" is used. Note that this field cannot be set when spec.os.name is windows.')
    run_as_group: Int64 | None = Field(None, alias='runAsGroup', description='The GID to run the entrypoint of the container process. Uses runtime default if unset. May also be set in SecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence for that container. Note that this field cannot be set when spec.os.name is windows.')
    run_as_non_root: bool | None = Field(None, alias='runAsNonRoot', description='Indicates that the container must run as a non-root user. If true, the Kubelet will validate the image at runtime to ensure that it does not run as UID 0 (root) and fail to start the container if it does. If unset or false, no such validation will be performed. May also be set in SecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence.')
    run_as_user: Int64 | None = Field(None, alias='runAsUser', description='The UID to run the entrypoint of the container process. Defaults to user specified in image metadata if unspecified. May also be set in SecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence for that container. Note that this field cannot be set when spec.os.name is windows.')
    se_linux_change_policy: str | None = Field(None, alias='seLinuxChangePolicy', description='seLinuxChangePolicy defines how the container\'s SELinux label is applied to all volumes used by the Pod. It has no effect on nodes that do not support SELinux or to volumes does not support SELinux. Valid values are "MountOption" and "Recursive".\n\n"Recursive" means relabeling of all files on all Pod volumes by the container runtime. This may be slow for large volumes, but allows mixing privileged and unprivileged Pods sharing the same volume on the same node.\n\n"MountOption" mounts all eligible Pod volumes with `-o context` mount option. This requires all Pods that share the same volume to use the same SELinux label. It is not possible to share the same volume among privileged and unprivileged Pods. Eligible volumes are in-tree FibreChannel and iSCSI volumes, and all CSI volumes whose CSI driver announces SELinux support by setting spec.seLinuxMount: true in their CSIDriver instance. Other volumes are always re-labelled recursively. "MountOption" value is allowed only when SELinuxMount feature gate is enabled.\n\nIf not specified and SELinuxMount feature gate is enabled, "MountOption" is used. If not specified and SELinuxMount feature gate is disabled, "MountOption" is used for ReadWriteOncePod volumes and "Recursive" for all other volumes.\n\nThis field affects only Pods that have SELinux label set, either in PodSecurityContext or in SecurityContext of all containers.\n\nAll Pods that use the same volume should use the same seLinuxChangePolicy, otherwise some pods can get stuck in ContainerCreating state. Note that this field cannot be set when spec.os.name is windows.')
    se_linux_options: SELinuxOptions | None = Field(None, alias='seLinuxOptions', description='The SELinux context to be applied to all containers. If unspecified, the container runtime will allocate a random SELinux context for each container.  May also be set in SecurityContext.  If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence for that container. Note that this field cannot be set when spec.os.name is windows.')
    seccomp_profile: SeccompProfile | None = Field(None, alias='seccompProfile', description='The seccomp options to use by the containers in this pod. Note that this field cannot be set when spec.os.name is windows.')
    supplemental_groups: Annotated[list[Int64], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='supplementalGroups', description="A list of groups applied to the first process run in each container, in addition to the container's primary GID and fsGroup (if specified).  If the SupplementalGroupsPolicy feature is enabled, the supplementalGroupsPolicy field determines whether these are in addition to or instead of any group memberships defined in the container image. If unspecified, no additional groups are added, though group memberships defined in the container image may still be used, depending on the supplementalGroupsPolicy field. Note that this field cannot be set when spec.os.name is windows.")
    supplemental_groups_policy: str | None = Field(None, alias='supplementalGroupsPolicy', description='Defines how supplemental groups of the first container processes are calculated. Valid values are "Merge" and "Strict". If not specified, "Merge" is used. (Alpha) Using the field requires the SupplementalGroupsPolicy feature gate to be enabled and the container runtime must implement support for this feature. Note that this field cannot be set when spec.os.name is windows.')
    sysctls: Annotated[list[Sysctl], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='sysctls', description='Sysctls hold a list of namespaced sysctls used for the pod. Pods with unsupported sysctls (by the container runtime) might fail to launch. Note that this field cannot be set when spec.os.name is windows.')
    windows_options: WindowsSecurityContextOptions | None = Field(None, alias='windowsOptions', description="The Windows specific settings applied to all containers. If unspecified, the options within a container's SecurityContext will be used. If set in both SecurityContext and PodSecurityContext, the value specified in SecurityContext takes precedence. Note that this field cannot be set when spec.os.name is linux.")


class Toleration(K8sModel):
    """The pod this Toleration is attached to tolerates any taint that matches the triple <key,value,effect> using the matching operator <operator>."""

    effect: str | None = Field(None, alias='effect', description='Effect indicates the taint effect to match. Empty means match all taint effects. When specified, allowed values are NoSchedule, PreferNoSchedule and NoExecute.')
    key: str | None = Field(None, alias='key', description='Key is the taint key that the toleration applies to. Empty means match all taint keys. If the key is empty, operator must be Exists; this combination means to match all values and all keys.')
    operator: str | None = Field(None, alias='operator', description="Operator represents a key's relationship to the value. Valid operators are Exists, Equal, Lt, and Gt. Defaults to Equal. Exists is equivalent to wildcard for value, so that a pod can tolerate all taints of a particular category. Lt and Gt perform numeric comparisons (requires feature gate TaintTolerationComparisonOperators).")
    toleration_seconds: Int64 | None = Field(None, alias='tolerationSeconds', description='TolerationSeconds represents the period of time the toleration (which must be of effect NoExecute, otherwise this field is ignored) tolerates the taint. By default, it is not set, which means tolerate the taint forever (do not evict). Zero and negative values will be treated as 0 (evict immediately) by the system.')
    value: str | None = Field(None, alias='value', description='Value is the taint value the toleration matches to. If the operator is Exists, the value should be empty, otherwise just a regular string.')


class AWSElasticBlockStoreVolumeSource(K8sModel):
    """Represents a Persistent Disk resource in AWS.

An AWS EBS disk must exist before mounting to a container. The disk must also be in the same AWS zone as the kubelet. An AWS EBS disk can only be mounted as read/write once. AWS EBS volumes support ownership management and SELinux relabeling."""

    fs_type: str | None = Field(None, alias='fsType', description='fsType is the filesystem type of the volume that you want to mount. Tip: Ensure that the filesystem type is supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://kubernetes.io/docs/concepts/storage/volumes#awselasticblockstore')
    partition: Int32 | None = Field(None, alias='partition', description='partition is the partition in the volume that you want to mount. If omitted, the default is to mount by volume name. Examples: For volume /dev/sda1, you specify the partition as "1". Similarly, the volume partition for /dev/sda is "0" (or you can leave the property empty).')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly value true will force the readOnly setting in VolumeMounts. More info: https://kubernetes.io/docs/concepts/storage/volumes#awselasticblockstore')
    volume_id: str = Field(..., alias='volumeID', description='volumeID is unique ID of the persistent disk resource in AWS (Amazon EBS volume). More info: https://kubernetes.io/docs/concepts/storage/volumes#awselasticblockstore')


class AzureDiskVolumeSource(K8sModel):
    """AzureDisk represents an Azure Data Disk mount on the host and bind mount to the pod."""

    caching_mode: str = Field('ReadWrite', alias='cachingMode', description='cachingMode is the Host Caching mode: None, Read Only, Read Write.')
    disk_name: str = Field(..., alias='diskName', description='diskName is the Name of the data disk in the blob storage')
    disk_uri: str = Field(..., alias='diskURI', description='diskURI is the URI of data disk in the blob storage')
    fs_type: str = Field('ext4', alias='fsType', description='fsType is Filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified.')
    kind: str = Field('Shared', alias='kind', description='kind expected values are Shared: multiple blob disks per storage account  Dedicated: single blob disk per storage account  Managed: azure managed data disk (only in managed availability set). defaults to shared')
    read_only: bool = Field(False, alias='readOnly', description='readOnly Defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.')


class AzureFileVolumeSource(K8sModel):
    """AzureFile represents an Azure File Service mount on the host and bind mount to the pod."""

    read_only: bool | None = Field(None, alias='readOnly', description='readOnly defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.')
    secret_name: str = Field(..., alias='secretName', description='secretName is the  name of secret that contains Azure Storage Account Name and Key')
    share_name: str = Field(..., alias='shareName', description='shareName is the azure share Name')


class CSIVolumeSource(K8sModel):
    """Represents a source location of a volume to mount, managed by an external CSI driver"""

    driver: str = Field(..., alias='driver', description='driver is the name of the CSI driver that handles this volume. Consult with your admin for the correct name as registered in the cluster.')
    fs_type: str | None = Field(None, alias='fsType', description='fsType to mount. Ex. "ext4", "xfs", "ntfs". If not provided, the empty value is passed to the associated CSI driver which will determine the default filesystem to apply.')
    node_publish_secret_ref: LocalObjectReference | None = Field(None, alias='nodePublishSecretRef', description='nodePublishSecretRef is a reference to the secret object containing sensitive information to pass to the CSI driver to complete the CSI NodePublishVolume and NodeUnpublishVolume calls. This field is optional, and  may be empty if no secret is required. If the secret object contains more than one secret, all secret references are passed.')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly specifies a read-only configuration for the volume. Defaults to false (read/write).')
    volume_attributes: dict[str, str] | None = Field(None, alias='volumeAttributes', description="volumeAttributes stores driver-specific properties that are passed to the CSI driver. Consult your driver's documentation for supported values.")


class CephFSVolumeSource(K8sModel):
    """Represents a Ceph Filesystem mount that lasts the lifetime of a pod Cephfs volumes do not support ownership management or SELinux relabeling."""

    monitors: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] = Field(..., alias='monitors', description='monitors is Required: Monitors is a collection of Ceph monitors More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it')
    path: str | None = Field(None, alias='path', description='path is Optional: Used as the mounted root, rather than the full Ceph tree, default is /')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly is Optional: Defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts. More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it')
    secret_file: str | None = Field(None, alias='secretFile', description='secretFile is Optional: SecretFile is the path to key ring for User, default is /etc/ceph/user.secret More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it')
    secret_ref: LocalObjectReference | None = Field(None, alias='secretRef', description='secretRef is Optional: SecretRef is reference to the authentication secret for User, default is empty. More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it')
    user: str | None = Field(None, alias='user', description='user is optional: User is the rados user name, default is admin More info: https://examples.k8s.io/volumes/cephfs/README.md#how-to-use-it')


class CinderVolumeSource(K8sModel):
    """Represents a cinder volume resource in Openstack. A Cinder volume must exist before mounting to a container. The volume must also be in the same region as the kubelet. Cinder volumes support ownership management and SELinux relabeling."""

    fs_type: str | None = Field(None, alias='fsType', description='fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://examples.k8s.io/mysql-cinder-pd/README.md')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts. More info: https://examples.k8s.io/mysql-cinder-pd/README.md')
    secret_ref: LocalObjectReference | None = Field(None, alias='secretRef', description='secretRef is optional: points to a secret object containing parameters used to connect to OpenStack.')
    volume_id: str = Field(..., alias='volumeID', description='volumeID used to identify the volume in cinder. More info: https://examples.k8s.io/mysql-cinder-pd/README.md')


class KeyToPath(K8sModel):
    """Maps a string key to a path within a volume."""

    key: str = Field(..., alias='key', description='key is the key to project.')
    mode: Int32 | None = Field(None, alias='mode', description='mode is Optional: mode bits used to set permissions on this file. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. If not specified, the volume defaultMode will be used. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.')
    path: str = Field(..., alias='path', description="path is the relative path of the file to map the key to. May not be an absolute path. May not contain the path element '..'. May not start with the string '..'.")


class ConfigMapVolumeSource(K8sModel):
    """Adapts a ConfigMap into a volume.

The contents of the target ConfigMap's Data field will be presented in a volume as files using the keys in the Data field as the file names, unless the items element is populated with specific mappings of keys to paths. ConfigMap volumes support ownership management and SELinux relabeling."""

    default_mode: Int32 | None = Field(None, alias='defaultMode', description='defaultMode is optional: mode bits used to set permissions on created files by default. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. Defaults to 0644. Directories within the path are not affected by this setting. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.')
    items: Annotated[list[KeyToPath], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='items', description="items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value. If specified, the listed keys will be projected into the specified paths, and unlisted keys will not be present. If a key is specified which is not present in the ConfigMap, the volume setup will error unless it is marked optional. Paths must be relative and may not contain the '..' path or start with '..'.")
    name: str = Field('', alias='name', description='Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names')
    optional: bool | None = Field(None, alias='optional', description='optional specify whether the ConfigMap or its keys must be defined')


class DownwardAPIVolumeFile(K8sModel):
    """DownwardAPIVolumeFile represents information to create the file containing the pod field"""

    field_ref: ObjectFieldSelector | None = Field(None, alias='fieldRef', description='Required: Selects a field of the pod: only annotations, labels, name, namespace and uid are supported.')
    mode: Int32 | None = Field(None, alias='mode', description='Optional: mode bits used to set permissions on this file, must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. If not specified, the volume defaultMode will be used. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.')
    path: str = Field(..., alias='path', description="Required: Path is  the relative path name of the file to be created. Must not be absolute or contain the '..' path. Must be utf-8 encoded. The first item of the relative path must not start with '..'")
    resource_field_ref: ResourceFieldSelector | None = Field(None, alias='resourceFieldRef', description='Selects a resource of the container: only resources limits and requests (limits.cpu, limits.memory, requests.cpu and requests.memory) are currently supported.')


class DownwardAPIVolumeSource(K8sModel):
    """DownwardAPIVolumeSource represents a volume containing downward API info. Downward API volumes support ownership management and SELinux relabeling."""

    default_mode: Int32 | None = Field(None, alias='defaultMode', description='Optional: mode bits to use on created files by default. Must be a Optional: mode bits used to set permissions on created files by default. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. Defaults to 0644. Directories within the path are not affected by this setting. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.')
    items: Annotated[list[DownwardAPIVolumeFile], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='items', description='Items is a list of downward API volume file')


class EmptyDirVolumeSource(K8sModel):
    """Represents an empty directory for a pod. Empty directory volumes support ownership management and SELinux relabeling."""

    medium: str | None = Field(None, alias='medium', description='medium represents what type of storage medium should back this directory. The default is "" which means to use the node\'s default medium. Must be an empty string (default) or Memory. More info: https://kubernetes.io/docs/concepts/storage/volumes#emptydir')
    size_limit: Quantity | None = Field(None, alias='sizeLimit', description='sizeLimit is the total amount of local storage required for this EmptyDir volume. The size limit is also applicable for memory medium. The maximum usage on memory medium EmptyDir would be the minimum value between the SizeLimit specified here and the sum of memory limits of all containers in a pod. The default is nil which means that the limit is undefined. More info: https://kubernetes.io/docs/concepts/storage/volumes#emptydir')


class TypedLocalObjectReference(K8sModel):
    """TypedLocalObjectReference contains enough information to let you locate the typed referenced object inside the same namespace."""

    model_config = ConfigDict(json_schema_extra={'x-kubernetes-map-type': 'atomic'})

    api_group: str | None = Field(None, alias='apiGroup', description='APIGroup is the group for the resource being referenced. If APIGroup is not specified, the specified Kind must be in the core API group. For any other third-party types, APIGroup is required.')
    kind: str = Field(..., alias='kind', description='Kind is the type of resource being referenced')
    name: str = Field(..., alias='name', description='Name is the name of resource being referenced')


class TypedObjectReference(K8sModel):
    """TypedObjectReference contains enough information to let you locate the typed referenced object"""

    api_group: str | None = Field(None, alias='apiGroup', description='APIGroup is the group for the resource being referenced. If APIGroup is not specified, the specified Kind must be in the core API group. For any other third-party types, APIGroup is required.')
    kind: str = Field(..., alias='kind', description='Kind is the type of resource being referenced')
    name: str = Field(..., alias='name', description='Name is the name of resource being referenced')
    namespace: str | None = Field(None, alias='namespace', description="Namespace is the namespace of resource being referenced Note that when a namespace is specified, a gateway.networking.k8s.io/ReferenceGrant object is required in the referent namespace to allow that namespace's owner to accept the reference. See the ReferenceGrant documentation for details. (Alpha) This field requires the CrossNamespaceVolumeDataSource feature gate to be enabled.")


class VolumeResourceRequirements(K8sModel):
    """VolumeResourceRequirements describes the storage resource requirements for a volume."""

    limits: dict[str, Quantity] | None = Field(None, alias='limits', description='Limits describes the maximum amount of compute resources allowed. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/')
    requests: dict[str, Quantity] | None = Field(None, alias='requests', description='Requests describes the minimum amount of compute resources required. If Requests is omitted for a container, it defaults to Limits if that is explicitly specified, otherwise to an implementation-defined value. Requests cannot exceed Limits. More info: https://kubernetes.io/docs/concepts/configuration/manage-resources-containers/')


class PersistentVolumeClaimSpec(K8sModel):
    """PersistentVolumeClaimSpec describes the common attributes of storage devices and allows a Source for provider-specific attributes"""

    access_modes: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='accessModes', description='accessModes contains the desired access modes the volume should have. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#access-modes-1')
    data_source: TypedLocalObjectReference | None = Field(None, alias='dataSource', description='dataSource field can be used to specify either: * An existing VolumeSnapshot object (snapshot.storage.k8s.io/VolumeSnapshot) * An existing PVC (PersistentVolumeClaim) If the provisioner or an external controller can support the specified data source, it will create a new volume based on the contents of the specified data source. When the AnyVolumeDataSource feature gate is enabled, dataSource contents will be copied to dataSourceRef, and dataSourceRef contents will be copied to dataSource when dataSourceRef.namespace is not specified. If the namespace is specified, then dataSourceRef will not be copied to dataSource.')
    data_source_ref: TypedObjectReference | None = Field(None, alias='dataSourceRef', description="dataSourceRef specifies the object from which to populate the volume with data, if a non-empty volume is desired. This may be any object from a non-empty API group (non core object) or a PersistentVolumeClaim object. When this field is specified, volume binding will only succeed if the type of the specified object matches some installed volume populator or dynamic provisioner. This field will replace the functionality of the dataSource field and as such if both fields are non-empty, they must have the same value. For backwards compatibility, when namespace isn't specified in dataSourceRef, both fields (dataSource and dataSourceRef) will be set to the same value automatically if one of them is empty and the other is non-empty. When namespace is specified in dataSourceRef, dataSource isn't set to the same value and must be empty. There are three important differences between dataSource and dataSourceRef: * While dataSource only allows two specific types of objects, dataSourceRef\n  allows any non-core object, as well as PersistentVolumeClaim objects.\n* While dataSource ignores disallowed values (dropping them), dataSourceRef\n  preserves all values, and generates an error if a disallowed value is\n  specified.\n* While dataSource only allows local objects, dataSourceRef allows objects\n  in any namespaces.\n(Beta) Using this field requires the AnyVolumeDataSource feature gate to be enabled. (Alpha) Using the namespace field of dataSourceRef requires the CrossNamespaceVolumeDataSource feature gate to be enabled.")
    resources: VolumeResourceRequirements | None = Field(None, alias='resources', description='resources represents the minimum resources the volume should have. Users are allowed to specify resource requirements that are lower than previous value but must still be higher than capacity recorded in the status field of the claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#resources')
    selector: meta_v1.LabelSelector | None = Field(None, alias='selector', description='selector is a label query over volumes to consider for binding.')
    storage_class_name: str | None = Field(None, alias='storageClassName', description='storageClassName is the name of the StorageClass required by the claim. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#class-1')
    volume_attributes_class_name: str | None = Field(None, alias='volumeAttributesClassName', description='volumeAttributesClassName may be used to set the VolumeAttributesClass used by this claim. If specified, the CSI driver will create or update the volume with the attributes defined in the corresponding VolumeAttributesClass. This has a different purpose than storageClassName, it can be changed after the claim is created. An empty string or nil value indicates that no VolumeAttributesClass will be applied to the claim. If the claim enters an Infeasible error state, this field can be reset to its previous value (including nil) to cancel the modification. If the resource referred to by volumeAttributesClass does not exist, this PersistentVolumeClaim will be set to a Pending state, as reflected by the modifyVolumeStatus field, until such as a resource exists. More info: https://kubernetes.io/docs/concepts/storage/volume-attributes-classes/')
    volume_mode: str | None = Field(None, alias='volumeMode', description='volumeMode defines what type of volume is required by the claim. Value of Filesystem is implied when not included in claim spec.')
    volume_name: str | None = Field(None, alias='volumeName', description='volumeName is the binding reference to the PersistentVolume backing this claim.')


class PersistentVolumeClaimTemplate(K8sModel):
    """PersistentVolumeClaimTemplate is used to produce PersistentVolumeClaim objects as part of an EphemeralVolumeSource."""

    metadata: meta_v1.ObjectMeta | None = Field(None, alias='metadata', description='May contain labels and annotations that will be copied into the PVC when creating it. No other fields are allowed and will be rejected during validation.')
    spec: PersistentVolumeClaimSpec = Field(..., alias='spec', description='The specification for the PersistentVolumeClaim. The entire content is copied unchanged into the PVC that gets created from this template. The same fields as in a PersistentVolumeClaim are also valid here.')


class EphemeralVolumeSource(K8sModel):
    """Represents an ephemeral volume that is handled by a normal storage driver."""

    volume_claim_template: PersistentVolumeClaimTemplate | None = Field(None, alias='volumeClaimTemplate', description='Will be used to create a stand-alone PVC to provision the volume. The pod in which this EphemeralVolumeSource is embedded will be the owner of the PVC, i.e. the PVC will be deleted together with the pod.  The name of the PVC will be `<pod name>-<volume name>` where `<volume name>` is the name from the `PodSpec.Volumes` array entry. Pod validation will reject the pod if the concatenated name is not valid for a PVC (for example, too long).\n\nAn existing PVC with that name that is not owned by the pod will *not* be used for the pod to avoid using an unrelated volume by mistake. Starting the pod is then blocked until the unrelated PVC is removed. If such a pre-created PVC is meant to be used by the pod, the PVC has to updated with an owner reference to the pod once the pod exists. Normally this should not be necessary, but it may be useful when manually reconstructing a broken cluster.\n\nThis field is read-only and no changes will be made by Kubernetes to the PVC after it has been created.\n\nRequired, must not be nil.')


class FCVolumeSource(K8sModel):
    """Represents a Fibre Channel volume. Fibre Channel volumes can only be mounted as read/write once. Fibre Channel volumes support ownership management and SELinux relabeling."""

    fs_type: str | None = Field(None, alias='fsType', description='fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified.')
    lun: Int32 | None = Field(None, alias='lun', description='lun is Optional: FC target lun number')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly is Optional: Defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.')
    target_ww_ns: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='targetWWNs', description='targetWWNs is Optional: FC target worldwide names (WWNs)')
    wwids: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='wwids', description='wwids Optional: FC volume world wide identifiers (wwids) Either wwids or combination of targetWWNs and lun must be set, but not both simultaneously.')


class FlexVolumeSource(K8sModel):
    """FlexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin."""

    driver: str = Field(..., alias='driver', description='driver is the name of the driver to use for this volume.')
    fs_type: str | None = Field(None, alias='fsType', description='fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". The default filesystem depends on FlexVolume script.')
    options: dict[str, str] | None = Field(None, alias='options', description='options is Optional: this field holds extra command options if any.')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly is Optional: defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.')
    secret_ref: LocalObjectReference | None = Field(None, alias='secretRef', description='secretRef is Optional: secretRef is reference to the secret object containing sensitive information to pass to the plugin scripts. This may be empty if no secret object is specified. If the secret object contains more than one secret, all secrets are passed to the plugin scripts.')


class FlockerVolumeSource(K8sModel):
    """Represents a Flocker volume mounted by the Flocker agent. One and only one of datasetName and datasetUUID should be set. Flocker volumes do not support ownership management or SELinux relabeling."""

    dataset_name: str | None = Field(None, alias='datasetName', description='datasetName is Name of the dataset stored as metadata -> name on the dataset for Flocker should be considered as deprecated')
    dataset_uuid: str | None = Field(None, alias='datasetUUID', description='datasetUUID is the UUID of the dataset. This is unique identifier of a Flocker dataset')


class GCEPersistentDiskVolumeSource(K8sModel):
    """Represents a Persistent Disk resource in Google Compute Engine.

A GCE PD must exist before mounting to a container. The disk must also be in the same GCE project and zone as the kubelet. A GCE PD can only be mounted as read/write once or read-only many times. GCE PDs support ownership management and SELinux relabeling."""

    fs_type: str | None = Field(None, alias='fsType', description='fsType is filesystem type of the volume that you want to mount. Tip: Ensure that the filesystem type is supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk')
    partition: Int32 | None = Field(None, alias='partition', description='partition is the partition in the volume that you want to mount. If omitted, the default is to mount by volume name. Examples: For volume /dev/sda1, you specify the partition as "1". Similarly, the volume partition for /dev/sda is "0" (or you can leave the property empty). More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk')
    pd_name: str = Field(..., alias='pdName', description='pdName is unique name of the PD resource in GCE. Used to identify the disk in GCE. More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly here will force the ReadOnly setting in VolumeMounts. Defaults to false. More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk')


class GitRepoVolumeSource(K8sModel):
    """Represents a volume that is populated with the contents of a git repository. Git repo volumes do not support ownership management. Git repo volumes support SELinux relabeling.

DEPRECATED: GitRepo is deprecated. To provision a container with a git repo, mount an EmptyDir into an InitContainer that clones the repo using git, then mount the EmptyDir into the Pod's container."""

    directory: str | None = Field(None, alias='directory', description="directory is the target directory name. Must not contain or start with '..'.  If '.' is supplied, the volume directory will be the git repository.  Otherwise, if specified, the volume will contain the git repository in the subdirectory with the given name.")
    repository: str = Field(..., alias='repository', description='repository is the URL')
    revision: str | None = Field(None, alias='revision', description='revision is the commit hash for the specified revision.')


class GlusterfsVolumeSource(K8sModel):
    """Represents a Glusterfs mount that lasts the lifetime of a pod. Glusterfs volumes do not support ownership management or SELinux relabeling."""

    endpoints: str = Field(..., alias='endpoints', description='endpoints is the endpoint name that details Glusterfs topology.')
    path: str = Field(..., alias='path', description='path is the Glusterfs volume path. More info: https://examples.k8s.io/volumes/glusterfs/README.md#create-a-pod')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly here will force the Glusterfs volume to be mounted with read-only permissions. Defaults to false. More info: https://examples.k8s.io/volumes/glusterfs/README.md#create-a-pod')


class HostPathVolumeSource(K8sModel):
    """Represents a host path mapped into a pod. Host path volumes do not support ownership management or SELinux relabeling."""

    path: str = Field(..., alias='path', description='path of the directory on the host. If the path is a symlink, it will follow the link to the real path. More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath')
    type: str | None = Field(None, alias='type', description='type for HostPath Volume Defaults to "" More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath')


class ISCSIVolumeSource(K8sModel):
    """Represents an ISCSI disk. ISCSI volumes can only be mounted as read/write once. ISCSI volumes support ownership management and SELinux relabeling."""

    chap_auth_discovery: bool | None = Field(None, alias='chapAuthDiscovery', description='chapAuthDiscovery defines whether support iSCSI Discovery CHAP authentication')
    chap_auth_session: bool | None = Field(None, alias='chapAuthSession', description='chapAuthSession defines whether support iSCSI Session CHAP authentication')
    fs_type: str | None = Field(None, alias='fsType', description='fsType is the filesystem type of the volume that you want to mount. Tip: Ensure that the filesystem type is supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://kubernetes.io/docs/concepts/storage/volumes#iscsi')
    initiator_name: str | None = Field(None, alias='initiatorName', description='initiatorName is the custom iSCSI Initiator Name. If initiatorName is specified with iscsiInterface simultaneously, new iSCSI interface <target portal>:<volume name> will be created for the connection.')
    iqn: str = Field(..., alias='iqn', description='iqn is the target iSCSI Qualified Name.')
    iscsi_interface: str = Field('default', alias='iscsiInterface', description="iscsiInterface is the interface Name that uses an iSCSI transport. Defaults to 'default' (tcp).")
    lun: Int32 = Field(..., alias='lun', description='lun represents iSCSI Target Lun number.')
    portals: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='portals', description='portals is the iSCSI Target Portal List. The portal is either an IP or ip_addr:port if the port is other than default (typically TCP ports 860 and 3260).')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly here will force the ReadOnly setting in VolumeMounts. Defaults to false.')
    secret_ref: LocalObjectReference | None = Field(None, alias='secretRef', description='secretRef is the CHAP Secret for iSCSI target and initiator authentication')
    target_portal: str = Field(..., alias='targetPortal', description='targetPortal is iSCSI Target Portal. The Portal is either an IP or ip_addr:port if the port is other than default (typically TCP ports 860 and 3260).')


class ImageVolumeSource(K8sModel):
    """ImageVolumeSource represents a image volume resource."""

    pull_policy: str | None = Field(None, alias='pullPolicy', description="Policy for pulling OCI objects. Possible values are: Always: the kubelet always attempts to pull the reference. Container creation will fail If the pull fails. Never: the kubelet never pulls the reference and only uses a local image or artifact. Container creation will fail if the reference isn't present. IfNotPresent: the kubelet pulls if the reference isn't already present on disk. Container creation will fail if the reference isn't present and the pull fails. Defaults to Always if :latest tag is specified, or IfNotPresent otherwise.")
    reference: str | None = Field(None, alias='reference', description='Required: Image or artifact reference to be used. Behaves in the same way as pod.spec.containers[*].image. Pull secrets will be assembled in the same way as for the container image by looking up node credentials, SA image pull secrets, and pod spec image pull secrets. More info: https://kubernetes.io/docs/concepts/containers/images This field is optional to allow higher level config management to default or override container images in workload controllers like Deployments and StatefulSets.')


class NFSVolumeSource(K8sModel):
    """Represents an NFS mount that lasts the lifetime of a pod. NFS volumes do not support ownership management or SELinux relabeling."""

    path: str = Field(..., alias='path', description='path that is exported by the NFS server. More info: https://kubernetes.io/docs/concepts/storage/volumes#nfs')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly here will force the NFS export to be mounted with read-only permissions. Defaults to false. More info: https://kubernetes.io/docs/concepts/storage/volumes#nfs')
    server: str = Field(..., alias='server', description='server is the hostname or IP address of the NFS server. More info: https://kubernetes.io/docs/concepts/storage/volumes#nfs')


class PersistentVolumeClaimVolumeSource(K8sModel):
    """PersistentVolumeClaimVolumeSource references the user's PVC in the same namespace. This volume finds the bound PV and mounts that volume for the pod. A PersistentVolumeClaimVolumeSource is, essentially, a wrapper around another type of volume that is owned by someone else (the system)."""

    claim_name: str = Field(..., alias='claimName', description='claimName is the name of a PersistentVolumeClaim in the same namespace as the pod using this volume. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly Will force the ReadOnly setting in VolumeMounts. Default false.')


class PhotonPersistentDiskVolumeSource(K8sModel):
    """Represents a Photon Controller persistent disk resource."""

    fs_type: str | None = Field(None, alias='fsType', description='fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified.')
    pd_id: str = Field(..., alias='pdID', description='pdID is the ID that identifies Photon Controller persistent disk')


class PortworxVolumeSource(K8sModel):
    """PortworxVolumeSource represents a Portworx volume resource."""

    fs_type: str | None = Field(None, alias='fsType', description='fSType represents the filesystem type to mount Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs". Implicitly inferred to be "ext4" if unspecified.')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.')
    volume_id: str = Field(..., alias='volumeID', description='volumeID uniquely identifies a Portworx volume')


class ClusterTrustBundleProjection(K8sModel):
    """ClusterTrustBundleProjection describes how to select a set of ClusterTrustBundle objects and project their contents into the pod filesystem."""

    label_selector: meta_v1.LabelSelector | None = Field(None, alias='labelSelector', description='Select all ClusterTrustBundles that match this label selector.  Only has effect if signerName is set.  Mutually-exclusive with name.  If unset, interpreted as "match nothing".  If set but empty, interpreted as "match everything".')
    name: str | None = Field(None, alias='name', description='Select a single ClusterTrustBundle by object name.  Mutually-exclusive with signerName and labelSelector.')
    optional: bool | None = Field(None, alias='optional', description="If true, don't block pod startup if the referenced ClusterTrustBundle(s) aren't available.  If using name, then the named ClusterTrustBundle is allowed not to exist.  If using signerName, then the combination of signerName and labelSelector is allowed to match zero ClusterTrustBundles.")
    path: str = Field(..., alias='path', description='Relative path from the volume root to write the bundle.')
    signer_name: str | None = Field(None, alias='signerName', description='Select all ClusterTrustBundles that match this signer name. Mutually-exclusive with name.  The contents of all selected ClusterTrustBundles will be unified and deduplicated.')


class ConfigMapProjection(K8sModel):
    """Adapts a ConfigMap into a projected volume.

The contents of the target ConfigMap's Data field will be presented in a projected volume as files using the keys in the Data field as the file names, unless the items element is populated with specific mappings of keys to paths. Note that this is identical to a configmap volume source without the default mode."""

    items: Annotated[list[KeyToPath], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='items', description="items if unspecified, each key-value pair in the Data field of the referenced ConfigMap will be projected into the volume as a file whose name is the key and content is the value. If specified, the listed keys will be projected into the specified paths, and unlisted keys will not be present. If a key is specified which is not present in the ConfigMap, the volume setup will error unless it is marked optional. Paths must be relative and may not contain the '..' path or start with '..'.")
    name: str = Field('', alias='name', description='Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names')
    optional: bool | None = Field(None, alias='optional', description='optional specify whether the ConfigMap or its keys must be defined')


class DownwardAPIProjection(K8sModel):
    """Represents downward API info for projecting into a projected volume. Note that this is identical to a downwardAPI volume source without the default mode."""

    items: Annotated[list[DownwardAPIVolumeFile], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='items', description='Items is a list of DownwardAPIVolume file')


class PodCertificateProjection(K8sModel):
    """PodCertificateProjection provides a private key and X.509 certificate in the pod filesystem."""

    certificate_chain_path: str | None = Field(None, alias='certificateChainPath', description='Write the certificate chain at this path in the projected volume.\n\nMost applications should use credentialBundlePath.  When using keyPath and certificateChainPath, your application needs to check that the key and leaf certificate are consistent, because it is possible to read the files mid-rotation.')
    credential_bundle_path: str | None = Field(None, alias='credentialBundlePath', description="Write the credential bundle at this path in the projected volume.\n\nThe credential bundle is a single file that contains multiple PEM blocks. The first PEM block is a PRIVATE KEY block, containing a PKCS#8 private key.\n\nThe remaining blocks are CERTIFICATE blocks, containing the issued certificate chain from the signer (leaf and any intermediates).\n\nUsing credentialBundlePath lets your Pod's application code make a single atomic read that retrieves a consistent key and certificate chain.  If you project them to separate files, your application code will need to additionally check that the leaf certificate was issued to the key.")
    key_path: str | None = Field(None, alias='keyPath', description='Write the key at this path in the projected volume.\n\nMost applications should use credentialBundlePath.  When using keyPath and certificateChainPath, your application needs to check that the key and leaf certificate are consistent, because it is possible to read the files mid-rotation.')
    key_type: str = Field(..., alias='keyType', description='The type of keypair Kubelet will generate for the pod.\n\nValid values are "RSA3072", "RSA4096", "ECDSAP256", "ECDSAP384", "ECDSAP521", and "ED25519".')
    max_expiration_seconds: Int32 | None = Field(None, alias='maxExpirationSeconds', description='maxExpirationSeconds is the maximum lifetime permitted for the certificate.\n\nKubelet copies this value verbatim into the PodCertificateRequests it generates for this projection.\n\nIf omitted, kube-apiserver will set it to 86400(24 hours). kube-apiserver will reject values shorter than 3600 (1 hour).  The maximum allowable value is 7862400 (91 days).\n\nThe signer implementation is then free to issue a certificate with any lifetime *shorter* than MaxExpirationSeconds, but no shorter than 3600 seconds (1 hour).  This constraint is enforced by kube-apiserver. `kubernetes.io` signers will never issue certificates with a lifetime longer than 24 hours.')
    signer_name: str = Field(..., alias='signerName', description="Kubelet's generated CSRs will be addressed to this signer.")
    user_annotations: dict[str, str] | None = Field(None, alias='userAnnotations', description='userAnnotations allow pod authors to pass additional information to the signer implementation.  Kubernetes does not restrict or validate this metadata in any way.\n\nThese values are copied verbatim into the `spec.unverifiedUserAnnotations` field of the PodCertificateRequest objects that Kubelet creates.\n\nEntries are subject to the same validation as object metadata annotations, with the addition that all keys must be domain-prefixed. No restrictions are placed on values, except an overall size limitation on the entire field.\n\nSigners should document the keys and values they support. Signers should deny requests that contain keys they do not recognize.')


class SecretProjection(K8sModel):
    """Adapts a secret into a projected volume.

The contents of the target Secret's Data field will be presented in a projected volume as files using the keys in the Data field as the file names. Note that this is identical to a secret volume source without the default mode."""

    items: Annotated[list[KeyToPath], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='items', description="items if unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value. If specified, the listed keys will be projected into the specified paths, and unlisted keys will not be present. If a key is specified which is not present in the Secret, the volume setup will error unless it is marked optional. Paths must be relative and may not contain the '..' path or start with '..'.")
    name: str = Field('', alias='name', description='Name of the referent. This field is effectively required, but due to backwards compatibility is allowed to be empty. Instances of this type with an empty value here are almost certainly wrong. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names')
    optional: bool | None = Field(None, alias='optional', description='optional field specify whether the Secret or its key must be defined')


class ServiceAccountTokenProjection(K8sModel):
    """ServiceAccountTokenProjection represents a projected service account token volume. This projection can be used to insert a service account token into the pods runtime filesystem for use against APIs (Kubernetes API Server or otherwise)."""

    audience: str | None = Field(None, alias='audience', description='audience is the intended audience of the token. A recipient of a token must identify itself with an identifier specified in the audience of the token, and otherwise should reject the token. The audience defaults to the identifier of the apiserver.')
    expiration_seconds: Int64 | None = Field(None, alias='expirationSeconds', description='expirationSeconds is the requested duration of validity of the service account token. As the token approaches expiration, the kubelet volume plugin will proactively rotate the service account token. The kubelet will start trying to rotate the token if the token is older than 80 percent of its time to live or if the token is older than 24 hours.Defaults to 1 hour and must be at least 10 minutes.')
    path: str = Field(..., alias='path', description='path is the path relative to the mount point of the file to project the token into.')


class VolumeProjection(K8sModel):
    """Projection that may be projected along with other supported volume types. Exactly one of these fields must be set."""

    cluster_trust_bundle: ClusterTrustBundleProjection | None = Field(None, alias='clusterTrustBundle', description='ClusterTrustBundle allows a pod to access the `.spec.trustBundle` field of ClusterTrustBundle objects in an auto-updating file.\n\nAlpha, gated by the ClusterTrustBundleProjection feature gate.\n\nClusterTrustBundle objects can either be selected by name, or by the combination of signer name and a label selector.\n\nKubelet performs aggressive normalization of the PEM contents written into the pod filesystem.  Esoteric PEM features such as inter-block comments and block headers are stripped.  Certificates are deduplicated. The ordering of certificates within the file is arbitrary, and Kubelet may change the order over time.')
    config_map: ConfigMapProjection | None = Field(None, alias='configMap', description='configMap information about the configMap data to project')
    downward_api: DownwardAPIProjection | None = Field(None, alias='downwardAPI', description='downwardAPI information about the downwardAPI data to project')
    pod_certificate: PodCertificateProjection | None = Field(None, alias='podCertificate', description="Projects an auto-rotating credential bundle (private key and certificate chain) that the pod can use either as a TLS client or server.\n\nKubelet generates a private key and uses it to send a PodCertificateRequest to the named signer.  Once the signer approves the request and issues a certificate chain, Kubelet writes the key and certificate chain to the pod filesystem.  The pod does not start until certificates have been issued for each podCertificate projected volume source in its spec.\n\nKubelet will begin trying to rotate the certificate at the time indicated by the signer using the PodCertificateRequest.Status.BeginRefreshAt timestamp.\n\nKubelet can write a single file, indicated by the credentialBundlePath field, or separate files, indicated by the keyPath and certificateChainPath fields.\n\nThe credential bundle is a single file in PEM format.  The first PEM entry is the private key (in PKCS#8 format), and the remaining PEM entries are the certificate chain issued by the signer (typically, signers will return their certificate chain in leaf-to-root order).\n\nPrefer using the credential bundle format, since your application code can read it atomically.  If you use keyPath and certificateChainPath, your application must make two separate file reads. If these coincide with a certificate rotation, it is possible that the private key and leaf certificate you read may not correspond to each other.  Your application will need to check for this condition, and re-read until they are consistent.\n\nThe named signer controls chooses the format of the certificate it issues; consult the signer implementation's documentation to learn how to use the certificates it issues.")
    secret: SecretProjection | None = Field(None, alias='secret', description='secret information about the secret data to project')
    service_account_token: ServiceAccountTokenProjection | None = Field(None, alias='serviceAccountToken', description='serviceAccountToken is information about the serviceAccountToken data to project')


class ProjectedVolumeSource(K8sModel):
    """Represents a projected volume source"""

    default_mode: Int32 | None = Field(None, alias='defaultMode', description='defaultMode are the mode bits used to set permissions on created files by default. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. Directories within the path are not affected by this setting. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.')
    sources: Annotated[list[VolumeProjection], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='sources', description='sources is the list of volume projections. Each entry in this list handles one source.')


class QuobyteVolumeSource(K8sModel):
    """Represents a Quobyte mount that lasts the lifetime of a pod. Quobyte volumes do not support ownership management or SELinux relabeling."""

    group: str | None = Field(None, alias='group', description='group to map volume access to Default is no group')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly here will force the Quobyte volume to be mounted with read-only permissions. Defaults to false.')
    registry: str = Field(..., alias='registry', description='registry represents a single or multiple Quobyte Registry services specified as a string as host:port pair (multiple entries are separated with commas) which acts as the central registry for volumes')
    tenant: str | None = Field(None, alias='tenant', description='tenant owning the given Quobyte volume in the Backend Used with dynamically provisioned Quobyte volumes, value is set by the plugin')
    user: str | None = Field(None, alias='user', description='user to map volume access to Defaults to serivceaccount user')
    volume: str = Field(..., alias='volume', description='volume is a string that references an already created Quobyte volume by name.')


class RBDVolumeSource(K8sModel):
    """Represents a Rados Block Device mount that lasts the lifetime of a pod. RBD volumes support ownership management and SELinux relabeling."""

    fs_type: str | None = Field(None, alias='fsType', description='fsType is the filesystem type of the volume that you want to mount. Tip: Ensure that the filesystem type is supported by the host operating system. Examples: "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified. More info: https://kubernetes.io/docs/concepts/storage/volumes#rbd')
    image: str = Field(..., alias='image', description='image is the rados image name. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it')
    keyring: str = Field('/etc/ceph/keyring', alias='keyring', description='keyring is the path to key ring for RBDUser. Default is /etc/ceph/keyring. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it')
    monitors: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] = Field(..., alias='monitors', description='monitors is a collection of Ceph monitors. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it')
    pool: str = Field('rbd', alias='pool', description='pool is the rados pool name. Default is rbd. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly here will force the ReadOnly setting in VolumeMounts. Defaults to false. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it')
    secret_ref: LocalObjectReference | None = Field(None, alias='secretRef', description='secretRef is name of the authentication secret for RBDUser. If provided overrides keyring. Default is nil. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it')
    user: str = Field('admin', alias='user', description='user is the rados user name. Default is admin. More info: https://examples.k8s.io/volumes/rbd/README.md#how-to-use-it')


class ScaleIOVolumeSource(K8sModel):
    """ScaleIOVolumeSource represents a persistent ScaleIO volume"""

    fs_type: str = Field('xfs', alias='fsType', description='fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Default is "xfs".')
    gateway: str = Field(..., alias='gateway', description='gateway is the host address of the ScaleIO API Gateway.')
    protection_domain: str | None = Field(None, alias='protectionDomain', description='protectionDomain is the name of the ScaleIO Protection Domain for the configured storage.')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly Defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.')
    secret_ref: LocalObjectReference = Field(..., alias='secretRef', description='secretRef references to the secret for ScaleIO user and other sensitive information. If this is not provided, Login operation will fail.')
    ssl_enabled: bool | None = Field(None, alias='sslEnabled', description='sslEnabled Flag enable/disable SSL communication with Gateway, default false')
    storage_mode: str = Field('ThinProvisioned', alias='storageMode', description='storageMode indicates whether the storage for a volume should be ThickProvisioned or ThinProvisioned. Default is ThinProvisioned.')
    storage_pool: str | None = Field(None, alias='storagePool', description='storagePool is the ScaleIO Storage Pool associated with the protection domain.')
    system: str = Field(..., alias='system', description='system is the name of the storage system as configured in ScaleIO.')
    volume_name: str | None = Field(None, alias='volumeName', description='volumeName is the name of a volume already created in the ScaleIO system that is associated with this volume source.')


class SecretVolumeSource(K8sModel):
    """Adapts a Secret into a volume.

The contents of the target Secret's Data field will be presented in a volume as files using the keys in the Data field as the file names. Secret volumes support ownership management and SELinux relabeling."""

    default_mode: Int32 | None = Field(None, alias='defaultMode', description='defaultMode is Optional: mode bits used to set permissions on created files by default. Must be an octal value between 0000 and 0777 or a decimal value between 0 and 511. YAML accepts both octal and decimal values, JSON requires decimal values for mode bits. Defaults to 0644. Directories within the path are not affected by this setting. This might be in conflict with other options that affect the file mode, like fsGroup, and the result can be other mode bits set.')
    items: Annotated[list[KeyToPath], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='items', description="items If unspecified, each key-value pair in the Data field of the referenced Secret will be projected into the volume as a file whose name is the key and content is the value. If specified, the listed keys will be projected into the specified paths, and unlisted keys will not be present. If a key is specified which is not present in the Secret, the volume setup will error unless it is marked optional. Paths must be relative and may not contain the '..' path or start with '..'.")
    optional: bool | None = Field(None, alias='optional', description='optional field specify whether the Secret or its keys must be defined')
    secret_name: str | None = Field(None, alias='secretName', description="secretName is the name of the secret in the pod's namespace to use. More info: https://kubernetes.io/docs/concepts/storage/volumes#secret")


class StorageOSVolumeSource(K8sModel):
    """Represents a StorageOS persistent volume resource."""

    fs_type: str | None = Field(None, alias='fsType', description='fsType is the filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified.')
    read_only: bool | None = Field(None, alias='readOnly', description='readOnly defaults to false (read/write). ReadOnly here will force the ReadOnly setting in VolumeMounts.')
    secret_ref: LocalObjectReference | None = Field(None, alias='secretRef', description='secretRef specifies the secret to use for obtaining the StorageOS API credentials.  If not specified, default values will be attempted.')
    volume_name: str | None = Field(None, alias='volumeName', description='volumeName is the human-readable name of the StorageOS volume.  Volume names are only unique within a namespace.')
    volume_namespace: str | None = Field(None, alias='volumeNamespace', description='volumeNamespace specifies the scope of the volume within StorageOS.  If no namespace is specified then the Pod\'s namespace will be used.  This allows the Kubernetes name scoping to be mirrored within StorageOS for tighter integration. Set VolumeName to any name to override the default behaviour. Set to "default" if you are not using namespaces within StorageOS. Namespaces that do not pre-exist within StorageOS will be created.')


class VsphereVirtualDiskVolumeSource(K8sModel):
    """Represents a vSphere volume resource."""

    fs_type: str | None = Field(None, alias='fsType', description='fsType is filesystem type to mount. Must be a filesystem type supported by the host operating system. Ex. "ext4", "xfs", "ntfs". Implicitly inferred to be "ext4" if unspecified.')
    storage_policy_id: str | None = Field(None, alias='storagePolicyID', description='storagePolicyID is the storage Policy Based Management (SPBM) profile ID associated with the StoragePolicyName.')
    storage_policy_name: str | None = Field(None, alias='storagePolicyName', description='storagePolicyName is the storage Policy Based Management (SPBM) profile name.')
    volume_path: str = Field(..., alias='volumePath', description='volumePath is the path that identifies vSphere volume vmdk')


class Volume(K8sModel):
    """Volume represents a named volume in a pod that may be accessed by any container in the pod."""

    aws_elastic_block_store: AWSElasticBlockStoreVolumeSource | None = Field(None, alias='awsElasticBlockStore', description="awsElasticBlockStore represents an AWS Disk resource that is attached to a kubelet's host machine and then exposed to the pod. Deprecated: AWSElasticBlockStore is deprecated. All operations for the in-tree awsElasticBlockStore type are redirected to the ebs.csi.aws.com CSI driver. More info: https://kubernetes.io/docs/concepts/storage/volumes#awselasticblockstore")
    azure_disk: AzureDiskVolumeSource | None = Field(None, alias='azureDisk', description='azureDisk represents an Azure Data Disk mount on the host and bind mount to the pod. Deprecated: AzureDisk is deprecated. All operations for the in-tree azureDisk type are redirected to the disk.csi.azure.com CSI driver.')
    azure_file: AzureFileVolumeSource | None = Field(None, alias='azureFile', description='azureFile represents an Azure File Service mount on the host and bind mount to the pod. Deprecated: AzureFile is deprecated. All operations for the in-tree azureFile type are redirected to the file.csi.azure.com CSI driver.')
    cephfs: CephFSVolumeSource | None = Field(None, alias='cephfs', description="cephFS represents a Ceph FS mount on the host that shares a pod's lifetime. Deprecated: CephFS is deprecated and the in-tree cephfs type is no longer supported.")
    cinder: CinderVolumeSource | None = Field(None, alias='cinder', description='cinder represents a cinder volume attached and mounted on kubelets host machine. Deprecated: Cinder is deprecated. All operations for the in-tree cinder type are redirected to the cinder.csi.openstack.org CSI driver. More info: https://examples.k8s.io/mysql-cinder-pd/README.md')
    config_map: ConfigMapVolumeSource | None = Field(None, alias='configMap', description='configMap represents a configMap that should populate this volume')
    csi: CSIVolumeSource | None = Field(None, alias='csi', description='csi (Container Storage Interface) represents ephemeral storage that is handled by certain external CSI drivers.')
    downward_api: DownwardAPIVolumeSource | None = Field(None, alias='downwardAPI', description='downwardAPI represents downward API about the pod that should populate this volume')
    empty_dir: EmptyDirVolumeSource | None = Field(None, alias='emptyDir', description="emptyDir represents a temporary directory that shares a pod's lifetime. More info: https://kubernetes.io/docs/concepts/storage/volumes#emptydir")
    ephemeral: EphemeralVolumeSource | None = Field(None, alias='ephemeral', description="ephemeral represents a volume that is handled by a cluster storage driver. The volume's lifecycle is tied to the pod that defines it - it will be created before the pod starts, and deleted when the pod is removed.\n\nUse this if: a) the volume is only needed while the pod runs, b) features of normal volumes like restoring from snapshot or capacity\n   tracking are needed,\nc) the storage driver is specified through a storage class, and d) the storage driver supports dynamic volume provisioning through\n   a PersistentVolumeClaim (see EphemeralVolumeSource for more\n   information on the connection between this volume type\n   and PersistentVolumeClaim).\n\nUse PersistentVolumeClaim or one of the vendor-specific APIs for volumes that persist for longer than the lifecycle of an individual pod.\n\nUse CSI for light-weight local ephemeral volumes if the CSI driver is meant to be used that way - see the documentation of the driver for more information.\n\nA pod can use both types of ephemeral volumes and persistent volumes at the same time.")
    fc: FCVolumeSource | None = Field(None, alias='fc', description="fc represents a Fibre Channel resource that is attached to a kubelet's host machine and then exposed to the pod.")
    flex_volume: FlexVolumeSource | None = Field(None, alias='flexVolume', description='flexVolume represents a generic volume resource that is provisioned/attached using an exec based plugin. Deprecated: FlexVolume is deprecated. Consider using a CSIDriver instead.')
    flocker: FlockerVolumeSource | None = Field(None, alias='flocker', description="flocker represents a Flocker volume attached to a kubelet's host machine. This depends on the Flocker control service being running. Deprecated: Flocker is deprecated and the in-tree flocker type is no longer supported.")
    gce_persistent_disk: GCEPersistentDiskVolumeSource | None = Field(None, alias='gcePersistentDisk', description="gcePersistentDisk represents a GCE Disk resource that is attached to a kubelet's host machine and then exposed to the pod. Deprecated: GCEPersistentDisk is deprecated. All operations for the in-tree gcePersistentDisk type are redirected to the pd.csi.storage.gke.io CSI driver. More info: https://kubernetes.io/docs/concepts/storage/volumes#gcepersistentdisk")
    git_repo: GitRepoVolumeSource | None = Field(None, alias='gitRepo', description="gitRepo represents a git repository at a particular revision. Deprecated: GitRepo is deprecated. To provision a container with a git repo, mount an EmptyDir into an InitContainer that clones the repo using git, then mount the EmptyDir into the Pod's container.")
    glusterfs: GlusterfsVolumeSource | None = Field(None, alias='glusterfs', description="glusterfs represents a Glusterfs mount on the host that shares a pod's lifetime. Deprecated: Glusterfs is deprecated and the in-tree glusterfs type is no longer supported.")
    host_path: HostPathVolumeSource | None = Field(None, alias='hostPath', description='hostPath represents a pre-existing file or directory on the host machine that is directly exposed to the container. This is generally used for system agents or other privileged things that are allowed to see the host machine. Most containers will NOT need this. More info: https://kubernetes.io/docs/concepts/storage/volumes#hostpath')
    image: ImageVolumeSource | None = Field(None, alias='image', description="image represents an OCI object (a container image or artifact) pulled and mounted on the kubelet's host machine. The volume is resolved at pod startup depending on which PullPolicy value is provided:\n\n- Always: the kubelet always attempts to pull the reference. Container creation will fail If the pull fails. - Never: the kubelet never pulls the reference and only uses a local image or artifact. Container creation will fail if the reference isn't present. - IfNotPresent: the kubelet pulls if the reference isn't already present on disk. Container creation will fail if the reference isn't present and the pull fails.\n\nThe volume gets re-resolved if the pod gets deleted and recreated, which means that new remote content will become available on pod recreation. A failure to resolve or pull the image during pod startup will block containers from starting and may add significant latency. Failures will be retried using normal volume backoff and will be reported on the pod reason and message. The types of objects that may be mounted by this volume are defined by the container runtime implementation on a host machine and at minimum must include all valid types supported by the container image field. The OCI object gets mounted in a single directory (spec.containers[*].volumeMounts.mountPath) by merging the manifest layers in the same way as for container images. The volume will be mounted read-only (ro). Sub path mounts for containers are not supported (spec.containers[*].volumeMounts.subpath) before 1.33. The field spec.securityContext.fsGroupChangePolicy has no effect on this volume type.")
    iscsi: ISCSIVolumeSource | None = Field(None, alias='iscsi', description="iscsi represents an ISCSI Disk resource that is attached to a kubelet's host machine and then exposed to the pod. More info: https://kubernetes.io/docs/concepts/storage/volumes/#iscsi")
    name: str = Field(..., alias='name', description='name of the volume. Must be a DNS_LABEL and unique within the pod. More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names')
    nfs: NFSVolumeSource | None = Field(None, alias='nfs', description="nfs represents an NFS mount on the host that shares a pod's lifetime More info: https://kubernetes.io/docs/concepts/storage/volumes#nfs")
    persistent_volume_claim: PersistentVolumeClaimVolumeSource | None = Field(None, alias='persistentVolumeClaim', description='persistentVolumeClaimVolumeSource represents a reference to a PersistentVolumeClaim in the same namespace. More info: https://kubernetes.io/docs/concepts/storage/persistent-volumes#persistentvolumeclaims')
    photon_persistent_disk: PhotonPersistentDiskVolumeSource | None = Field(None, alias='photonPersistentDisk', description='photonPersistentDisk represents a PhotonController persistent disk attached and mounted on kubelets host machine. Deprecated: PhotonPersistentDisk is deprecated and the in-tree photonPersistentDisk type is no longer supported.')
    portworx_volume: PortworxVolumeSource | None = Field(None, alias='portworxVolume', description='portworxVolume represents a portworx volume attached and mounted on kubelets host machine. Deprecated: PortworxVolume is deprecated. All operations for the in-tree portworxVolume type are redirected to the pxd.portworx.com CSI driver.')
    projected: ProjectedVolumeSource | None = Field(None, alias='projected', description='projected items for all in one resources secrets, configmaps, and downward API')
    quobyte: QuobyteVolumeSource | None = Field(None, alias='quobyte', description="quobyte represents a Quobyte mount on the host that shares a pod's lifetime. Deprecated: Quobyte is deprecated and the in-tree quobyte type is no longer supported.")
    rbd: RBDVolumeSource | None = Field(None, alias='rbd', description="rbd represents a Rados Block Device mount on the host that shares a pod's lifetime. Deprecated: RBD is deprecated and the in-tree rbd type is no longer supported.")
    scale_io: ScaleIOVolumeSource | None = Field(None, alias='scaleIO', description='scaleIO represents a ScaleIO persistent volume attached and mounted on Kubernetes nodes. Deprecated: ScaleIO is deprecated and the in-tree scaleIO type is no longer supported.')
    secret: SecretVolumeSource | None = Field(None, alias='secret', description='secret represents a secret that should populate this volume. More info: https://kubernetes.io/docs/concepts/storage/volumes#secret')
    storageos: StorageOSVolumeSource | None = Field(None, alias='storageos', description='storageOS represents a StorageOS volume attached and mounted on Kubernetes nodes. Deprecated: StorageOS is deprecated and the in-tree storageos type is no longer supported.')
    vsphere_volume: VsphereVirtualDiskVolumeSource | None = Field(None, alias='vsphereVolume', description='vsphereVolume represents a vSphere volume attached and mounted on kubelets host machine. Deprecated: VsphereVolume is deprecated. All operations for the in-tree vsphereVolume type are redirected to the csi.vsphere.vmware.com CSI driver.')
