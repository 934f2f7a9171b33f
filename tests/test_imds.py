from __future__ import annotations

import socket
from pathlib import Path

import pytest

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

    monkeypatch.setattr(socket, "create_connection", refuse)
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


@pytest.mark.parametrize(
    ("answers", "want"),
    [
        ({"instance-type": "<html><body>Welcome to nginx!</body></html>"}, None),
        ({"instance-type": b"\x00\xff\xfe binary"}, None),
        ({"instance-type": "t4g.micro" + " " * 300 + "x"}, None),
        ({"instance-type": "m5.large\r\nX-Evil: 1"}, None),
        ({"instance-type": "../../x"}, None),
        ({"placement/region": "<html>"}, ("t4g.micro", None, "ap-northeast-2a")),
        ({"placement/availability-zone": "z" * 5000}, ("t4g.micro", "ap-northeast-2", None)),
    ],
)
def test_answers_without_their_fields_shape_are_unknown(
    answers: dict[str, str | bytes], want: tuple[str, str | None, str | None] | None
) -> None:
    with fake_imds("v2", answers=answers) as (endpoint, _):
        identity = fetch_identity(env_for(endpoint))
    if want is None:
        assert identity is None
    else:
        assert identity is not None
        assert (identity.instance_type, identity.region, identity.availability_zone) == want


@pytest.mark.parametrize(
    "shape",
    ["t2.micro", "m7i-flex.large", "u-6tb1.metal", "c6gn.16xlarge", "mac2-m2pro.metal"],
)
def test_real_instance_types_have_the_shape(shape: str) -> None:
    with fake_imds("v2", answers={"instance-type": shape}) as (endpoint, _):
        identity = fetch_identity(env_for(endpoint))
    assert identity is not None
    assert identity.instance_type == shape


def test_a_token_that_cannot_be_a_header_is_no_token() -> None:
    with fake_imds("v2", answers={"api/token": "a\r\nX-Evil: 1"}) as (endpoint, state):
        assert fetch_identity(env_for(endpoint)) is None
    assert [m for m, _ in state.requests] == ["PUT"]


def test_a_trickling_service_is_bounded_by_one_overall_deadline() -> None:
    """One byte every 50 ms: each answer takes about 2 s to arrive in full; the whole
    lookup may take timeout x attempts x 5 requests = 1 s, so it stops inside the first."""
    env = {"AWS_METADATA_SERVICE_TIMEOUT": "0.2", "AWS_METADATA_SERVICE_NUM_ATTEMPTS": "1"}
    with fake_imds("trickle") as (endpoint, state):
        assert fetch_identity(env_for(endpoint, **env)) is None
        sent = state.bytes_sent
    assert ImdsSettings.from_env(env).deadline_s == pytest.approx(1.0)
    assert 0 < sent < 40  # the token answer alone is 58 bytes


@pytest.mark.parametrize("value", ["true", "TRUE", " true "])
def test_v1_disabled_means_no_v1_fallback(value: str) -> None:
    with fake_imds("v1-only", refuse_status=403) as (endpoint, state):
        assert fetch_identity(env_for(endpoint, AWS_EC2_METADATA_V1_DISABLED=value)) is None
    assert state.requests == [("PUT", "/latest/api/token")]


def test_v1_disabled_still_reads_v2() -> None:
    with fake_imds("v2") as (endpoint, _):
        identity = fetch_identity(env_for(endpoint, AWS_EC2_METADATA_V1_DISABLED="true"))
    assert identity is not None
    assert identity.imds_version == "v2"


@pytest.mark.parametrize("endpoint", ["http://[::1", "https://127.0.0.1:1", "not a url", "http://"])
def test_an_endpoint_that_is_no_url_is_unknown_not_an_error(endpoint: str) -> None:
    assert fetch_identity(env_for(endpoint)) is None
