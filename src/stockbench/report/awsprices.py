"""Prices from AWS's Price List API (``stockbench report --prices aws``), cached.

One ``GetProducts`` call per instance type (Linux, shared tenancy, no pre-installed
software, on-demand), from the Price List endpoint in us-east-1, with credentials from
boto3's standard chain. The answer is cached per region with the date it was fetched
(in ``stockbench.cache.cache_dir()``) and reused for a week, so a
report names where its prices came from and when. boto3 is an optional extra.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from stockbench.cache import cache_dir
from stockbench.errors import ConfigError
from stockbench.files import atomic_write_text, safe_stem
from stockbench.imds import keep_boto_off_imds
from stockbench.report.prices import PriceTable, usd_per_hour

PRICING_ENDPOINT_REGION = "us-east-1"
CACHE_MAX_AGE = timedelta(days=7)
SOURCE = "AWS Price List API"
FILTERS = {
    "operatingSystem": "Linux",
    "tenancy": "Shared",
    "preInstalledSw": "NA",
    "capacitystatus": "Used",
    "licenseModel": "No License required",
}
# botocore's error codes and exception names, in the user's words.
CAUSES = {
    "NoCredentialsError": "no AWS credentials found (boto3's standard chain)",
    "PartialCredentialsError": "incomplete AWS credentials",
    "EndpointConnectionError": "the Price List endpoint cannot be reached",
    "AccessDeniedException": "the credentials may not call pricing:GetProducts",
    "ThrottlingException": "the Price List API is throttling requests; try again later",
    "InvalidParameterException": "the Price List API refused the query",
}


def on_demand_price(price_list: Iterable[str], *, where: str) -> float | None:
    """The hourly on-demand USD price in ``GetProducts``' ``PriceList`` entries, if any."""
    prices = []
    for entry in price_list:
        doc = json.loads(entry)
        for term in (doc.get("terms") or {}).get("OnDemand", {}).values():
            for dim in (term.get("priceDimensions") or {}).values():
                if dim.get("unit") == "Hrs":
                    usd = float(dim.get("pricePerUnit", {}).get("USD", "nan"))
                    if usd > 0:  # NaN and the 0.00 placeholders of reserved SKUs drop out
                        prices.append(usd_per_hour(usd, where=where))
    return min(prices) if prices else None


def _ask(client: Any, region: str, instance: str) -> float | None:
    filters = [{"Type": "TERM_MATCH", "Field": k, "Value": v} for k, v in FILTERS.items()]
    filters += [
        {"Type": "TERM_MATCH", "Field": "instanceType", "Value": instance},
        {"Type": "TERM_MATCH", "Field": "regionCode", "Value": region},
    ]
    answer = client.get_products(ServiceCode="AmazonEC2", Filters=filters, MaxResults=10)
    return on_demand_price(answer.get("PriceList", []), where=f"{region}/{instance}")


def _translate(exc: Exception) -> ConfigError:
    response = getattr(exc, "response", None)
    code = (response or {}).get("Error", {}).get("Code") or type(exc).__name__
    cause = CAUSES.get(code, f"{code}: {exc}")
    return ConfigError(f"aws: {cause}", setting="prices")


def _read_cache(path: Path) -> tuple[date, dict[str, float]] | None:
    try:
        doc = json.loads(path.read_text(encoding="utf-8"))
        fetched = date.fromisoformat(doc["fetched"])
        prices = {str(k): usd_per_hour(v, where=str(path)) for k, v in doc["prices"].items()}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None  # absent or damaged: ask again
    return fetched, prices


def aws_prices(
    region: str,
    instance_types: Iterable[str],
    *,
    client: Any = None,
    folder: Path | None = None,
    today: date | None = None,
) -> PriceTable:
    """Prices of ``instance_types`` in ``region``: from the cache when it is under a week
    old and holds them all, else from the Price List API (then cached)."""
    today = today or date.today()
    wanted = sorted(set(instance_types))
    path = (folder or cache_dir()) / f"aws-prices-{safe_stem(region)}.json"
    cached = _read_cache(path)
    if cached and today - cached[0] <= CACHE_MAX_AGE and set(wanted) <= set(cached[1]):
        fetched, prices = cached
        return _table(region, prices, fetched, "cached")
    boto_errors = _botocore_errors()
    prices = dict(cached[1]) if cached else {}
    try:
        client = client or _client()
        for instance in wanted:
            price = _ask(client, region, instance)
            if price is not None:
                prices[instance] = price
    except boto_errors as exc:  # botocore's errors, translated in this one place
        raise _translate(exc) from exc
    doc = {"fetched": today.isoformat(), "region": region, "prices": prices}
    atomic_write_text(path, json.dumps(doc, indent=1, sort_keys=True) + "\n")
    return _table(region, prices, today, "fetched")


def _table(region: str, prices: dict[str, float], fetched: date, how: str) -> PriceTable:
    when = fetched.isoformat()
    return PriceTable({region: prices}, f"{SOURCE}, {how} {when}", when)


NEEDS_BOTO3 = "aws needs boto3: pip install 'stockbench[fleet]'"


def _botocore_errors() -> tuple[type[Exception], ...]:
    try:
        from botocore.exceptions import BotoCoreError, ClientError  # noqa: PLC0415
    except ImportError as exc:  # boto3 is an optional extra, only for --prices aws
        raise ConfigError(NEEDS_BOTO3, setting="prices") from exc
    return BotoCoreError, ClientError


def _client() -> Any:
    import boto3  # noqa: PLC0415 (present: _botocore_errors checked)

    keep_boto_off_imds()
    return boto3.client("pricing", region_name=PRICING_ENDPOINT_REGION)
