"""nimop: a Kubernetes operator for NVIDIA NIM and NeMo microservices."""

__version__ = "0.1.0"
