"""Kubernetes networking_v1 types, generated from the OpenAPI schema of Kubernetes
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
from nimop.api.core import core_v1


class ServiceBackendPort(K8sModel):
    """ServiceBackendPort is the service port being referenced."""

    model_config = ConfigDict(json_schema_extra={'x-kubernetes-map-type': 'atomic'})

    name: str | None = Field(None, alias='name', description='name is the name of the port on the Service. This is a mutually exclusive setting with "Number".')
    number: Int32 | None = Field(None, alias='number', description='number is the numerical port number (e.g. 80) on the Service. This is a mutually exclusive setting with "Name".')


class IngressServiceBackend(K8sModel):
    """IngressServiceBackend references a Kubernetes Service as a Backend."""

    name: str = Field(..., alias='name', description='name is the referenced service. The service must exist in the same namespace as the Ingress object.')
    port: ServiceBackendPort | None = Field(None, alias='port', description='port of the referenced service. A port name or port number is required for a IngressServiceBackend.')


class IngressBackend(K8sModel):
    """IngressBackend describes all endpoints for a given service and port."""

    resource: core_v1.TypedLocalObjectReference | None = Field(None, alias='resource', description='resource is an ObjectRef to another Kubernetes resource in the namespace of the Ingress object. If resource is specified, a service.Name and service.Port must not be specified. This is a mutually exclusive setting with "Service".')
    service: IngressServiceBackend | None = Field(None, alias='service', description='service references a service as a backend. This is a mutually exclusive setting with "Resource".')


class HTTPIngressPath(K8sModel):
    """HTTPIngressPath associates a path with a backend. Incoming urls matching the path are forwarded to the backend."""

    backend: IngressBackend = Field(..., alias='backend', description='backend defines the referenced service endpoint to which the traffic will be forwarded to.')
    path: str | None = Field(None, alias='path', description='path is matched against the path of an incoming request. Currently it can contain characters disallowed from the conventional "path" part of a URL as defined by RFC 3986. Paths must begin with a \'/\' and must be present when using PathType with value "Exact" or "Prefix".')
    path_type: str = Field(..., alias='pathType', description="pathType determines the interpretation of the path matching. PathType can be one of the following values: * Exact: Matches the URL path exactly. * Prefix: Matches based on a URL path prefix split by '/'. Matching is\n  done on a path element by element basis. A path element refers is the\n  list of labels in the path split by the '/' separator. A request is a\n  match for path p if every p is an element-wise prefix of p of the\n  request path. Note that if the last element of the path is a substring\n  of the last element in request path, it is not a match (e.g. /foo/bar\n  matches /foo/bar/baz, but does not match /foo/barbaz).\n* ImplementationSpecific: Interpretation of the Path matching is up to\n  the IngressClass. Implementations can treat this as a separate PathType\n  or treat it identically to Prefix or Exact path types.\nImplementations are required to support all path types.")


class HTTPIngressRuleValue(K8sModel):
    """HTTPIngressRuleValue is a list of http selectors pointing to backends. In the example: http://<host>/<path>?<searchpart> -> backend where where parts of the url correspond to RFC 3986, this resource will be used to match against everything after the last '/' and before the first '?' or '#'."""

    paths: Annotated[list[HTTPIngressPath], Schema({'x-kubernetes-list-type': 'atomic'})] = Field(..., alias='paths', description='paths is a collection of paths that map requests to backends.')


class IngressRule(K8sModel):
    """IngressRule represents the rules mapping the paths under a specified host to the related backend services. Incoming requests are first evaluated for a host match, then routed to the backend associated with the matching IngressRuleValue."""

    host: str | None = Field(None, alias='host', description='host is the fully qualified domain name of a network host, as defined by RFC 3986. Note the following deviations from the "host" part of the URI as defined in RFC 3986: 1. IPs are not allowed. Currently an IngressRuleValue can only apply to\n   the IP in the Spec of the parent Ingress.\n2. The `:` delimiter is not respected because ports are not allowed.\n\t  Currently the port of an Ingress is implicitly :80 for http and\n\t  :443 for https.\nBoth these may change in the future. Incoming requests are matched against the host before the IngressRuleValue. If the host is unspecified, the Ingress routes all traffic based on the specified IngressRuleValue.\n\nhost can be "precise" which is a domain name without the terminating dot of a network host (e.g. "foo.bar.com") or "wildcard", which is a domain name prefixed with a single wildcard label (e.g. "*.foo.com"). The wildcard character \'*\' must appear by itself as the first DNS label and matches only a single label. You cannot have a wildcard label by itself (e.g. Host == "*"). Requests will be matched against the Host field in the following way: 1. If host is precise, the request matches this rule if the http host header is equal to Host. 2. If host is a wildcard, then the request matches this rule if the http host header is to equal to the suffix (removing the first label) of the wildcard rule.')
    http: HTTPIngressRuleValue | None = Field(None, alias='http')


class IngressTLS(K8sModel):
    """IngressTLS describes the transport layer security associated with an ingress."""

    hosts: Annotated[list[str], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='hosts', description='hosts is a list of hosts included in the TLS certificate. The values in this list must match the name/s used in the tlsSecret. Defaults to the wildcard host setting for the loadbalancer controller fulfilling this Ingress, if left unspecified.')
    secret_name: str | None = Field(None, alias='secretName', description='secretName is the name of the secret used to terminate TLS traffic on port 443. Field is left optional to allow TLS routing based on SNI hostname alone. If the SNI host in a listener conflicts with the "Host" header field used by an IngressRule, the SNI host is used for termination and value of the "Host" header is used for routing.')


class IngressSpec(K8sModel):
    """IngressSpec describes the Ingress the user wishes to exist."""

    default_backend: IngressBackend | None = Field(None, alias='defaultBackend', description="defaultBackend is the backend that should handle requests that don't match any rule. If Rules are not specified, DefaultBackend must be specified. If DefaultBackend is not set, the handling of requests that do not match any of the rules will be up to the Ingress controller.")
    ingress_class_name: str | None = Field(None, alias='ingressClassName', description='ingressClassName is the name of an IngressClass cluster resource. Ingress controller implementations use this field to know whether they should be serving this Ingress resource, by a transitive connection (controller -> IngressClass -> Ingress resource). Although the `kubernetes.io/ingress.class` annotation (simple constant name) was never formally defined, it was widely supported by Ingress controllers to create a direct binding between Ingress controller and Ingress resources. Newly created Ingress resources should prefer using the field. However, even though the annotation is officially deprecated, for backwards compatibility reasons, ingress controllers should still honor that annotation if present.')
    rules: Annotated[list[IngressRule], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='rules', description='rules is a list of host rules used to configure the Ingress. If unspecified, or no rule matches, all traffic is sent to the default backend.')
    tls: Annotated[list[IngressTLS], Schema({'x-kubernetes-list-type': 'atomic'})] | None = Field(None, alias='tls', description='tls represents the TLS configuration. Currently the Ingress only supports a single TLS port, 443. If multiple members of this list specify different hosts, they will be multiplexed on the same port according to the hostname specified through the SNI TLS extension, if the ingress controller fulfilling the ingress supports SNI.')
