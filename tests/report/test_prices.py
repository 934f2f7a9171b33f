"""The bundled price table (shape, coverage, date) and price files laid over it."""

from __future__ import annotations

import itertools
import json
import math
from pathlib import Path

import pytest

from stockbench.errors import ConfigError
from stockbench.report.prices import bundled_prices, load_prices

FAMILIES = (
    *("t2", "t3", "t3a", "t4g", "m5", "m6i", "m6g", "m7i", "m7g", "m8g"),
    *("c5", "c6i", "c6g", "c7i", "c7g", "c8g"),
)
SIZES = ("nano", "micro", "small", "medium", "large", "xlarge")
REGIONS = ("us-east-1", "ap-northeast-2")


def test_every_family_size_and_region_is_priced_or_explicitly_absent() -> None:
    table = bundled_prices()
    assert table.as_of
    assert table.source
    for region in REGIONS:
        for family in FAMILIES:
            for size in SIZES:
                name = f"{family}.{size}"
                price = table.price(region, name)
                why = table.absent.get(region, {}).get(name)
                assert (price is None) != (why is None), (region, name)
                if price is not None:
                    assert math.isfinite(price)
                    assert 0 < price < 1, (region, name, price)


def test_the_originals_four_types_and_the_briefs_figures() -> None:
    table = bundled_prices()
    us = {t: table.price("us-east-1", t) for t in ("t4g.micro", "t2.micro", "m5.large")}
    assert us == {"t4g.micro": 0.0084, "t2.micro": 0.0116, "m5.large": 0.096}
    assert table.price("us-east-1", "c6g.medium") == 0.034
    seoul = {t: table.price("ap-northeast-2", t) for t in ("t4g.micro", "t2.micro", "m5.large")}
    assert seoul == {"t4g.micro": 0.0104, "t2.micro": 0.0144, "m5.large": 0.118}
    assert table.price("ap-northeast-2", "c6g.medium") is None  # unknown: never made up
    assert "not verified" in table.why_absent("ap-northeast-2", "c6g.medium")


def test_sizes_of_a_family_double_and_seoul_costs_more() -> None:
    table = bundled_prices()
    for region in REGIONS:
        for family in FAMILIES:
            prices = [table.price(region, f"{family}.{s}") for s in SIZES]
            known = [p for p in prices if p is not None]
            for small, big in itertools.pairwise(known):
                assert big == pytest.approx(2 * small, rel=0.02), (region, family, known)
    for name, seoul in table.regions["ap-northeast-2"].items():
        us = table.price("us-east-1", name)
        assert us is not None
        assert seoul >= us, name


def test_price_override_file(tmp_path: Path) -> None:
    override = tmp_path / "prices.json"
    override.write_text(
        json.dumps({"regions": {"ap-northeast-2": {"c6g.medium": 0.0436}}, "as_of": "2026-12"})
    )
    prices = load_prices(override)
    assert prices.price("ap-northeast-2", "c6g.medium") == 0.0436
    assert prices.price("us-east-1", "t4g.micro") == 0.0084
    assert prices.as_of == "2026-12"
    assert f"overridden by {override}" in prices.source


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ('{"regions": {"us-east-1": {"t4g.micro": -1}}}', "not a finite number > 0"),
        ('{"regions": {"us-east-1": {"t4g.micro": NaN}}}', "NaN is not a price"),
        ('{"regions": {"us-east-1": {"t4g.micro": Infinity}}}', "Infinity is not a price"),
        ('{"regions": {"us-east-1": {"t4g.micro": 1e999}}}', "not a finite number > 0"),
        ('{"regions": {"us-east-1": {"t4g.micro": "0.01"}}}', "is not a number"),
        ('{"regions": {"us-east-1": {"t4g.micro": true}}}', "is not a number"),
        ('{"regions": ["us-east-1"]}', "expected"),
        ('{"regions": {"us-east-1": 5}}', "expected an object"),
        ("[" * 100_000, "prices"),
        ("not json", "prices"),
    ],
)
def test_a_bad_price_file_is_a_config_error_naming_it(
    tmp_path: Path, body: str, message: str
) -> None:
    path = tmp_path / "p.json"
    path.write_text(body)
    with pytest.raises(ConfigError, match=message) as info:
        load_prices(path)
    assert info.value.setting == "prices"
    assert str(path) in str(info.value)
