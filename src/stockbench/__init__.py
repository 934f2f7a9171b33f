"""stockbench: which EC2 instance runs Korean stock workloads best, for the money."""

__version__ = "0.1.0"
