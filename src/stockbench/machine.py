"""What machine a benchmark ran on: small best-effort collectors that never fail a run.

Every collector returns ``None`` rather than raise; keys are snake_case with units in
the name. ``machine_info()`` is what the benchmark suite saves in ``machine_info`` and
what ``stockbench machine --json`` prints.
"""

from __future__ import annotations

import functools
import os
import platform
from collections.abc import Callable, Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any, TypeVar

import psutil

from stockbench import __version__
from stockbench.imds import Ec2Identity, fetch_identity

T = TypeVar("T")
PROC_CPUINFO = Path("/proc/cpuinfo")
# ARM "CPU part" numbers (implementer 0x41) of the cores in AWS Graviton generations.
ARM_PARTS = {
    "0xd0c": "ARM Neoverse-N1 (AWS Graviton2)",
    "0xd40": "ARM Neoverse-V1 (AWS Graviton3)",
    "0xd4f": "ARM Neoverse-V2 (AWS Graviton4)",
    "0xd08": "ARM Cortex-A72 (AWS Graviton)",
}
BURSTABLE_FAMILIES = ("t1", "t2", "t3", "t3a", "t4g")


def best_effort(fn: Callable[[], T]) -> Callable[[], T | None]:
    """Call ``fn`` once per process; any exception means "unknown" (None)."""

    @functools.cache
    def wrapper() -> T | None:
        try:
            return fn()
        except Exception:  # a collector must never fail a benchmark run
            return None

    return wrapper


def cpu_model_from_proc(text: str) -> str | None:
    """The CPU model from ``/proc/cpuinfo`` text: x86 ``model name`` or an ARM part."""
    fields: dict[str, str] = {}
    for line in text.splitlines():
        key, sep, value = line.partition(":")
        if sep and key.strip() not in fields:
            fields[key.strip()] = value.strip()
    if fields.get("model name"):
        return fields["model name"]
    part = fields.get("CPU part", "").lower()
    if part:
        return ARM_PARTS.get(
            part, f"ARM CPU part {part} (implementer {fields.get('CPU implementer', '?')})"
        )
    return None


@best_effort
def cpu_model() -> str | None:
    """py-cpuinfo's brand where it has one, else ``/proc/cpuinfo`` (Graviton has no brand)."""
    import cpuinfo  # slow to import and to ask (it may spawn a helper): only when wanted

    brand = cpuinfo.get_cpu_info().get("brand_raw")
    return str(brand) if brand else cpu_model_from_proc(PROC_CPUINFO.read_text())


@best_effort
def total_memory_bytes() -> int:
    return int(psutil.virtual_memory().total)


def available_memory_bytes() -> int | None:
    """Memory a new process could use now (the kernel's MemAvailable): a reading, not cached."""
    try:
        return int(psutil.virtual_memory().available)
    except Exception:  # a collector must never fail a benchmark run
        return None


@best_effort
def ec2_identity() -> Ec2Identity | None:
    return fetch_identity()


def is_burstable(instance_type: str | None) -> bool | None:
    if not instance_type:
        return None
    return instance_type.split(".", 1)[0] in BURSTABLE_FAMILIES


@best_effort
def torch_info() -> dict[str, Any]:
    import torch

    return {
        "torch_version": torch.__version__,
        "torch_num_threads": torch.get_num_threads(),
        "torch_cpu_capability": torch.backends.cpu.get_cpu_capability(),
        "torch_quantized_engine": torch.backends.quantized.engine,
    }


@best_effort
def transformers_version() -> str:
    from importlib.metadata import version

    return version("transformers")


@best_effort
def onnxruntime_version() -> str:
    from importlib.metadata import version

    return version("onnxruntime")


def machine_info(*, cpu_model_hint: str | None = None) -> dict[str, Any]:
    """The stockbench keys for ``machine_info``. ``cpu_model_hint``: a brand already known."""
    identity = ec2_identity()
    ident = asdict(identity) if identity else {}
    instance_type = ident.get("instance_type")
    info: dict[str, Any] = {
        "ec2_instance_type": instance_type,
        "ec2_region": ident.get("region"),
        "ec2_availability_zone": ident.get("availability_zone"),
        "ec2_instance_life_cycle": ident.get("instance_life_cycle"),
        "ec2_imds_version": ident.get("imds_version"),
        "ec2_burstable": is_burstable(instance_type),
        "cpu_architecture": platform.machine() or None,
        "cpu_model": cpu_model_hint or cpu_model(),
        "cpu_count_logical": os.cpu_count(),
        "total_memory_bytes": total_memory_bytes(),
        "available_memory_bytes": available_memory_bytes(),
        "transformers_version": transformers_version(),
        "onnxruntime_version": onnxruntime_version(),
        "sentiment_model": "replica",
        "sentiment_weights_trained": False,
        # what `stockbench news` and `daily` run by default: ONNX Runtime where installed
        "ml_backend": "onnx" if onnxruntime_version() else "torch",
        "stockbench_version": __version__,
    }
    info.update(torch_info() or {})
    return info


def local_name(info: Mapping[str, Any]) -> str:
    """A save name: the EC2 instance type, or ``local-<arch>-<N>cpu`` off EC2."""
    if info.get("ec2_instance_type"):
        return str(info["ec2_instance_type"])
    return (
        f"local-{info.get('cpu_architecture') or 'unknown'}-{info.get('cpu_count_logical') or 0}cpu"
    )
