"""Kubernetes types embedded by the nimop API, generated for Kubernetes v1.36.3.

Do not edit: run ``python -m nimop.api.gen_core``.
"""

from nimop.api.core import autoscaling_v2, core_v1, meta_v1, networking_v1

__all__ = ['autoscaling_v2', 'core_v1', 'meta_v1', 'networking_v1']
