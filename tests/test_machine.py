"""Machine identity: CPU model, burstable families, save names, and collectors that
never fail a run."""

from __future__ import annotations

import os

import pytest

from stockbench import __version__
from stockbench.machine import (
    best_effort,
    cpu_model_from_proc,
    is_burstable,
    local_name,
    machine_info,
)


def test_cpu_model_from_proc_on_x86_and_graviton() -> None:
    assert (
        cpu_model_from_proc("processor\t: 0\nmodel name\t: Intel(R) Xeon(R)\n")
        == "Intel(R) Xeon(R)"
    )
    graviton = "processor\t: 0\nCPU implementer\t: 0x41\nCPU part\t: 0xd0c\n"
    assert cpu_model_from_proc(graviton) == "ARM Neoverse-N1 (AWS Graviton2)"
    assert cpu_model_from_proc("") is None


def test_burstable_and_local_name() -> None:
    assert is_burstable("t4g.micro") is True
    assert is_burstable("c6g.medium") is False
    assert is_burstable(None) is None
    assert local_name({"ec2_instance_type": "m5.large"}) == "m5.large"
    assert (
        local_name({"cpu_architecture": "aarch64", "cpu_count_logical": 2}) == "local-aarch64-2cpu"
    )


def test_a_failing_collector_is_unknown_and_asked_once() -> None:
    calls = []

    @best_effort
    def broken() -> int:
        calls.append(1)
        raise OSError("no such file")

    assert broken() is None
    assert broken() is None
    assert calls == [1]


def test_machine_info_off_ec2(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    info = machine_info(cpu_model_hint="Some CPU")
    assert info["ec2_instance_type"] is None
    assert info["ec2_burstable"] is None
    assert info["cpu_model"] == "Some CPU"
    assert info["cpu_count_logical"] == os.cpu_count()
    assert info["total_memory_bytes"] > 0
    assert info["stockbench_version"] == __version__
    assert info["onnxruntime_version"]
    assert info["ml_backend"] == "onnx"
    assert local_name(info).startswith("local-")
