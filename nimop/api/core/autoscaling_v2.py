"""Kubernetes autoscaling_v2 types, generated from the OpenAPI schema of Kubernetes
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


class HPAScalingPolicy(K8sModel):
    """HPAScalingPolicy is a single policy which must hold true for a specified past interval."""

    period_seconds: Int32 = Field(..., alias='periodSeconds', description='periodSeconds specifies the window of time for which the policy should hold true. PeriodSeconds must be greater than zero and less than or equal to 1800 (30 min).')
    type: str = Field(..., alias='type', description='type is used to specify the scaling policy.')
    value: Int32 = Field(..., alias='value', description='value contains the amount of change which is permitted by the policy. It must be greater than zero')


class HPAScalingRules(K8sModel):
    """HPAScalingRules configures the scaling behavior for one direction via scaling Policy Rules and a configurable metric tolerance.

Scaling Policy Rules are applied after calculating DesiredReplicas from metrics for the HPA. They can limit the scaling velocity by specifying scaling policies. They can prevent flapping by specifying the stabilization window, so that the number of replicas is not set instantly, instead, the safest value from the stabilization window is chosen.

The tolerance is applied to the metric values and prevents scaling too eagerly for small metric variations. (Note that setting a tolerance requires the beta HPAConfigurableTolerance feature gate to be enabled.)"""

    policies: Annotated[list[HPAScalingPolicy], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='policies', description='policies is a list of potential scaling polices which can be used during scaling. If not set, use the default values: - For scale up: allow doubling the number of pods, or an absolute change of 4 pods in a 15s window. - For scale down: allow all pods to be removed in a 15s window.')
    select_policy: str | None = Field(None, alias='selectPolicy', description='selectPolicy is used to specify which policy should be used. If not set, the default value Max is used.')
    stabilization_window_seconds: Int32 | None = Field(None, alias='stabilizationWindowSeconds', description='stabilizationWindowSeconds is the number of seconds for which past recommendations should be considered while scaling up or scaling down. StabilizationWindowSeconds must be greater than or equal to zero and less than or equal to 3600 (one hour). If not set, use the default values: - For scale up: 0 (i.e. no stabilization is done). - For scale down: 300 (i.e. the stabilization window is 300 seconds long).')
    tolerance: Quantity | None = Field(None, alias='tolerance', description='tolerance is the tolerance on the ratio between the current and desired metric value under which no updates are made to the desired number of replicas (e.g. 0.01 for 1%). Must be greater than or equal to zero. If not set, the default cluster-wide tolerance is applied (by default 10%).\n\nFor example, if autoscaling is configured with a memory consumption target of 100Mi, and scale-down and scale-up tolerances of 5% and 1% respectively, scaling will be triggered when the actual consumption falls below 95Mi or exceeds 101Mi.\n\nThis is an beta field and requires the HPAConfigurableTolerance feature gate to be enabled.')


class HorizontalPodAutoscalerBehavior(K8sModel):
    """HorizontalPodAutoscalerBehavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively)."""

    scale_down: HPAScalingRules | None = Field(None, alias='scaleDown', description='scaleDown is scaling policy for scaling Down. If not set, the default value is to allow to scale down to minReplicas pods, with a 300 second stabilization window (i.e., the highest recommendation for the last 300sec is used).')
    scale_up: HPAScalingRules | None = Field(None, alias='scaleUp', description='scaleUp is scaling policy for scaling Up. If not set, the default value is the higher of:\n  * increase no more than 4 pods per 60 seconds\n  * double the number of pods per 60 seconds\nNo stabilization is used.')


class CrossVersionObjectReference(K8sModel):
    """CrossVersionObjectReference contains enough information to let you identify the referred resource."""

    api_version: str | None = Field(None, alias='apiVersion', description='apiVersion is the API version of the referent')
    kind: str = Field(..., alias='kind', description='kind is the kind of the referent; More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds')
    name: str = Field(..., alias='name', description='name is the name of the referent; More info: https://kubernetes.io/docs/concepts/overview/working-with-objects/names/#names')


class MetricTarget(K8sModel):
    """MetricTarget defines the target value, average value, or average utilization of a specific metric"""

    average_utilization: Int32 | None = Field(None, alias='averageUtilization', description='averageUtilization is the target value of the average of the resource metric across all relevant pods, represented as a percentage of the requested value of the resource for the pods. Currently only valid for Resource metric source type')
    average_value: Quantity | None = Field(None, alias='averageValue', description='averageValue is the target value of the average of the metric across all relevant pods (as a quantity)')
    type: str = Field(..., alias='type', description='type represents whether the metric type is Utilization, Value, or AverageValue')
    value: Quantity | None = Field(None, alias='value', description='value is the target value of the metric (as a quantity).')


class ContainerResourceMetricSource(K8sModel):
    """ContainerResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).  The values will be averaged together before being compared to the target.  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.  Only one "target" type should be set."""

    container: str = Field(..., alias='container', description='container is the name of the container in the pods of the scaling target')
    name: str = Field(..., alias='name', description='name is the name of the resource in question.')
    target: MetricTarget = Field(..., alias='target', description='target specifies the target value for the given metric')


class MetricIdentifier(K8sModel):
    """MetricIdentifier defines the name and optionally selector for a metric"""

    name: str = Field(..., alias='name', description='name is the name of the given metric')
    selector: meta_v1.LabelSelector | None = Field(None, alias='selector', description='selector is the string-encoded form of a standard kubernetes label selector for the given metric When set, it is passed as an additional parameter to the metrics server for more specific metrics scoping. When unset, just the metricName will be used to gather metrics.')


class ExternalMetricSource(K8sModel):
    """ExternalMetricSource indicates how to scale on a metric not associated with any Kubernetes object (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster)."""

    metric: MetricIdentifier = Field(..., alias='metric', description='metric identifies the target metric by name and selector')
    target: MetricTarget = Field(..., alias='target', description='target specifies the target value for the given metric')


class ObjectMetricSource(K8sModel):
    """ObjectMetricSource indicates how to scale on a metric describing a kubernetes object (for example, hits-per-second on an Ingress object)."""

    described_object: CrossVersionObjectReference = Field(..., alias='describedObject', description='describedObject specifies the descriptions of a object,such as kind,name apiVersion')
    metric: MetricIdentifier = Field(..., alias='metric', description='metric identifies the target metric by name and selector')
    target: MetricTarget = Field(..., alias='target', description='target specifies the target value for the given metric')


class PodsMetricSource(K8sModel):
    """PodsMetricSource indicates how to scale on a metric describing each pod in the current scale target (for example, transactions-processed-per-second). The values will be averaged together before being compared to the target value."""

    metric: MetricIdentifier = Field(..., alias='metric', description='metric identifies the target metric by name and selector')
    target: MetricTarget = Field(..., alias='target', description='target specifies the target value for the given metric')


class ResourceMetricSource(K8sModel):
    """ResourceMetricSource indicates how to scale on a resource metric known to Kubernetes, as specified in requests and limits, describing each pod in the current scale target (e.g. CPU or memory).  The values will be averaged together before being compared to the target.  Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.  Only one "target" type should be set."""

    name: str = Field(..., alias='name', description='name is the name of the resource in question.')
    target: MetricTarget = Field(..., alias='target', description='target specifies the target value for the given metric')


class MetricSpec(K8sModel):
    """MetricSpec specifies how to scale based on a single metric (only `type` and one other matching field should be set at once)."""

    container_resource: ContainerResourceMetricSource | None = Field(None, alias='containerResource', description='containerResource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing a single container in each pod of the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.')
    external: ExternalMetricSource | None = Field(None, alias='external', description='external refers to a global metric that is not associated with any Kubernetes object. It allows autoscaling based on information coming from components running outside of cluster (for example length of queue in cloud messaging service, or QPS from loadbalancer running outside of cluster).')
    object: ObjectMetricSource | None = Field(None, alias='object', description='object refers to a metric describing a single kubernetes object (for example, hits-per-second on an Ingress object).')
    pods: PodsMetricSource | None = Field(None, alias='pods', description='pods refers to a metric describing each pod in the current scale target (for example, transactions-processed-per-second).  The values will be averaged together before being compared to the target value.')
    resource: ResourceMetricSource | None = Field(None, alias='resource', description='resource refers to a resource metric (such as those specified in requests and limits) known to Kubernetes describing each pod in the current scale target (e.g. CPU or memory). Such metrics are built in to Kubernetes, and have special scaling options on top of those available to normal per-pod metrics using the "pods" source.')
    type: str = Field(..., alias='type', description='type is the type of metric source.  It should be one of "ContainerResource", "External", "Object", "Pods" or "Resource", each mapping to a matching field in the object.')


class HorizontalPodAutoscalerSpec(K8sModel):
    """HorizontalPodAutoscalerSpec describes the desired functionality of the HorizontalPodAutoscaler."""

    behavior: HorizontalPodAutoscalerBehavior | None = Field(None, alias='behavior', description='behavior configures the scaling behavior of the target in both Up and Down directions (scaleUp and scaleDown fields respectively). If not set, the default HPAScalingRules for scale up and scale down are used.')
    max_replicas: Int32 = Field(..., alias='maxReplicas', description='maxReplicas is the upper limit for the number of replicas to which the autoscaler can scale up. It cannot be less that minReplicas.')
    metrics: Annotated[list[MetricSpec], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='metrics', description='metrics contains the specifications for which to use to calculate the desired replica count (the maximum replica count across all metrics will be used).  The desired replica count is calculated multiplying the ratio between the target value and the current value by the current number of pods.  Ergo, metrics used must decrease as the pod count is increased, and vice-versa.  See the individual metric source types for more information about how each type of metric must respond. If not set, the default metric will be set to 80% average CPU utilization.')
    min_replicas: Int32 | None = Field(None, alias='minReplicas', description='minReplicas is the lower limit for the number of replicas to which the autoscaler can scale down.  It defaults to 1 pod.  minReplicas is allowed to be 0 if the alpha feature gate HPAScaleToZero is enabled and at least one Object or External metric is configured.  Scaling is active as long as at least one metric value is available.')
    scale_target_ref: CrossVersionObjectReference = Field(..., alias='scaleTargetRef', description='scaleTargetRef points to the target resource to scale, and is used to the pods for which metrics should be collected, as well as to actually change the replica count.')
