"""The bundled price table and override files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stockbench.errors import ConfigError
from stockbench.report import (
    load_prices,
)


def test_price_override_file(tmp_path: Path) -> None:
    override = tmp_path / "prices.json"
    override.write_text(
        json.dumps({"regions": {"ap-northeast-2": {"c6g.medium": 0.0436}}, "as_of": "2026-12"})
    )
    prices = load_prices(override)
    assert prices.price("ap-northeast-2", "c6g.medium") == 0.0436
    assert prices.price("us-east-1", "t4g.micro") == 0.0084
    assert prices.as_of == "2026-12"
    override.write_text(json.dumps({"regions": {"us-east-1": {"t4g.micro": -1}}}))
    with pytest.raises(ConfigError, match="not > 0"):
        load_prices(override)
