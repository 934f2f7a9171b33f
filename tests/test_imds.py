from __future__ import annotations

from pathlib import Path

import pytest
import requests

from stockbench.imds import Ec2Identity, ImdsSettings, fetch_identity, looks_like_ec2

from .fake_imds import fake_imds


def env_for(endpoint: str, **extra: str) -> dict[str, str]:
    return {"AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint, **extra}


def test_v2_token_then_metadata() -> None:
    with fake_imds("v2") as (endpoint, state):
        identity = fetch_identity(env_for(endpoint))
    assert identity == Ec2Identity(
        "t4g.micro", "ap-northeast-2", "ap-northeast-2a", "on-demand", "v2"
    )
    assert state.requests[0] == ("PUT", "/latest/api/token")
    assert ("GET", "/latest/meta-data/instance-id") not in state.requests  # never read


@pytest.mark.parametrize("status", [403, 404, 405])
def test_refused_token_falls_back_to_v1(status: int) -> None:
    with fake_imds("v1-only", refuse_status=status) as (endpoint, state):
        identity = fetch_identity(env_for(endpoint))
    assert identity is not None
    assert identity.instance_type == "t4g.micro"
    assert identity.imds_version == "v1"
    assert [m for m, _ in state.requests].count("PUT") == 1


def test_disabled_makes_no_request() -> None:
    with fake_imds("v2") as (endpoint, state):
        assert fetch_identity(env_for(endpoint, AWS_EC2_METADATA_DISABLED="true")) is None
    assert state.requests == []


def test_silent_service_is_bounded_by_timeout_and_attempts() -> None:
    env = {"AWS_METADATA_SERVICE_TIMEOUT": "0.2", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "2"}
    with fake_imds("silent") as (endpoint, state):
        assert fetch_identity(env_for(endpoint, **env)) is None
    assert state.requests == [("PUT", "/latest/api/token")] * 2


def test_not_ec2_and_no_endpoint_touches_no_network(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def refuse(*args: object, **kwargs: object) -> None:
        raise AssertionError("the metadata service must not be contacted off EC2")

    monkeypatch.setattr(requests.Session, "request", refuse)
    assert fetch_identity({}, root=tmp_path) is None


@pytest.mark.parametrize(
    ("path", "text", "ec2"),
    [
        ("sys/devices/virtual/dmi/id/sys_vendor", "Amazon EC2\n", True),
        ("sys/hypervisor/uuid", "ec2e1916-9099-7caf-fd21-012345abcdef\n", True),
        ("sys/devices/virtual/dmi/id/sys_vendor", "QEMU\n", False),
        ("sys/hypervisor/uuid", "4a3f0c9e-0000-0000-0000-000000000000\n", False),
    ],
)
def test_looks_like_ec2_from_local_files(tmp_path: Path, path: str, text: str, ec2: bool) -> None:
    target = tmp_path / path
    target.parent.mkdir(parents=True)
    target.write_text(text)
    assert looks_like_ec2(tmp_path) is ec2


def test_settings_defaults_and_bad_values() -> None:
    s = ImdsSettings.from_env(
        {"AWS_METADATA_SERVICE_TIMEOUT": "x", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "-3"}
    )
    assert (s.disabled, s.explicit, s.timeout_s, s.attempts) == (False, False, 1.0, 1)
    assert s.endpoint == "http://169.254.169.254"
