"""``--prices aws``: the Price List API through botocore's Stubber (no AWS), cached."""

from __future__ import annotations

import json
import socket
from datetime import date
from pathlib import Path
from typing import Any

import boto3
import pytest
from botocore.stub import Stubber

from stockbench.errors import ConfigError
from stockbench.imds import keep_boto_off_imds
from stockbench.report.awsprices import aws_prices, on_demand_price

TODAY = date(2026, 11, 26)


def product(instance: str, usd: str) -> str:
    """One ``PriceList`` entry as the API sends it: a JSON document inside a string."""
    return json.dumps(
        {
            "product": {"attributes": {"instanceType": instance, "regionCode": "us-east-1"}},
            "terms": {
                "OnDemand": {
                    "SKU.TERM": {
                        "priceDimensions": {
                            "SKU.TERM.DIM": {"unit": "Hrs", "pricePerUnit": {"USD": usd}}
                        }
                    }
                }
            },
        }
    )


@pytest.fixture
def client(monkeypatch: pytest.MonkeyPatch) -> Any:
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    return boto3.client(
        "pricing",
        region_name="us-east-1",
        aws_access_key_id="testing",
        aws_secret_access_key="testing",
    )


def expect(stub: Stubber, instance: str, region: str, usd: str | None) -> None:
    entries = [product(instance, usd)] if usd else []
    stub.add_response(
        "get_products",
        {"PriceList": entries, "FormatVersion": "aws_v1"},
        {
            "ServiceCode": "AmazonEC2",
            "Filters": [
                {"Type": "TERM_MATCH", "Field": "operatingSystem", "Value": "Linux"},
                {"Type": "TERM_MATCH", "Field": "tenancy", "Value": "Shared"},
                {"Type": "TERM_MATCH", "Field": "preInstalledSw", "Value": "NA"},
                {"Type": "TERM_MATCH", "Field": "capacitystatus", "Value": "Used"},
                {"Type": "TERM_MATCH", "Field": "licenseModel", "Value": "No License required"},
                {"Type": "TERM_MATCH", "Field": "instanceType", "Value": instance},
                {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
            ],
            "MaxResults": 10,
        },
    )


def test_prices_come_from_the_api_then_from_the_cache(client: Any, tmp_path: Path) -> None:
    with Stubber(client) as stub:
        expect(stub, "c7g.medium", "ap-northeast-2", "0.0409000000")
        expect(stub, "m9z.tiny", "ap-northeast-2", None)  # not sold there: no price
        first = aws_prices(
            "ap-northeast-2",
            ["m9z.tiny", "c7g.medium"],
            client=client,
            folder=tmp_path,
            today=TODAY,
        )
        stub.assert_no_pending_responses()
    assert first.price("ap-northeast-2", "c7g.medium") == 0.0409
    assert first.price("ap-northeast-2", "m9z.tiny") is None
    assert first.source == "AWS Price List API, fetched 2026-11-26"
    with Stubber(client):  # no responses: any call would fail the test
        again = aws_prices(
            "ap-northeast-2", ["c7g.medium"], client=client, folder=tmp_path, today=TODAY
        )
    assert again.price("ap-northeast-2", "c7g.medium") == 0.0409
    assert again.source == "AWS Price List API, cached 2026-11-26"


def test_a_cache_older_than_a_week_is_asked_again(client: Any, tmp_path: Path) -> None:
    with Stubber(client) as stub:
        expect(stub, "t4g.micro", "us-east-1", "0.0084000000")
        aws_prices("us-east-1", ["t4g.micro"], client=client, folder=tmp_path, today=TODAY)
        expect(stub, "t4g.micro", "us-east-1", "0.0090000000")
        later = aws_prices(
            "us-east-1", ["t4g.micro"], client=client, folder=tmp_path, today=date(2026, 12, 10)
        )
        stub.assert_no_pending_responses()
    assert later.price("us-east-1", "t4g.micro") == 0.009
    saved = json.loads((tmp_path / "aws-prices-us-east-1.json").read_text())
    assert saved == {"fetched": "2026-12-10", "region": "us-east-1", "prices": {"t4g.micro": 0.009}}


def test_api_errors_become_one_line_config_errors(client: Any, tmp_path: Path) -> None:
    with Stubber(client) as stub:
        stub.add_client_error("get_products", service_error_code="AccessDeniedException")
        with pytest.raises(ConfigError, match="may not call pricing:GetProducts") as info:
            aws_prices("us-east-1", ["t4g.micro"], client=client, folder=tmp_path, today=TODAY)
    assert info.value.setting == "prices"
    assert not (tmp_path / "aws-prices-us-east-1.json").exists()


def test_no_credentials_is_said_without_touching_the_metadata_service(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key in (
        "AWS_ACCESS_KEY_ID",
        "AWS_SECRET_ACCESS_KEY",
        "AWS_PROFILE",
        "AWS_EC2_METADATA_DISABLED",
    ):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "")  # then removed: the code must set it
    monkeypatch.delenv("AWS_EC2_METADATA_DISABLED")
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    tried: list[object] = []
    guarded = socket.socket.connect  # the loopback-only guard of tests/conftest.py

    def record(sock: socket.socket, address: object) -> None:
        tried.append(address)
        guarded(sock, address)

    monkeypatch.setattr(socket.socket, "connect", record)
    with pytest.raises(ConfigError, match="no AWS credentials found"):
        aws_prices("us-east-1", ["t4g.micro"], folder=tmp_path, today=TODAY)
    assert not [a for a in tried if "169.254" in str(a)]


def test_only_positive_hourly_prices_count() -> None:
    entries = [product("x", "0.0000000000"), product("x", "0.0500000000")]
    assert on_demand_price(entries, where="t") == 0.05
    assert on_demand_price([product("x", "NaN")], where="t") is None
    assert on_demand_price([], where="t") is None


def test_off_ec2_boto_is_kept_off_the_metadata_service(tmp_path: Path) -> None:
    env: dict[str, str] = {}
    assert keep_boto_off_imds(env, root=tmp_path) is True
    assert env == {"AWS_EC2_METADATA_DISABLED": "true"}
    mine = {"AWS_EC2_METADATA_DISABLED": "false"}
    assert keep_boto_off_imds(mine, root=tmp_path) is False
    assert mine == {"AWS_EC2_METADATA_DISABLED": "false"}
