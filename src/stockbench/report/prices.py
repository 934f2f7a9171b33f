"""On-demand prices: a dated table bundled with the package, overridable by a small file."""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from stockbench.data import prices_text
from stockbench.errors import ConfigError


@dataclass(frozen=True)
class PriceTable:
    regions: Mapping[str, Mapping[str, float]]
    source: str
    as_of: str

    def price(self, region: str, instance: str) -> float | None:
        return self.regions.get(region, {}).get(instance)


def load_prices(override: Path | None = None) -> PriceTable:
    """The bundled dated table, with ``override``'s entries (same JSON shape) on top."""
    base = json.loads(prices_text())
    regions: dict[str, dict[str, float]] = {r: dict(p) for r, p in base["regions"].items()}
    source, as_of = base["source"], base["as_of"]
    if override is not None:
        try:
            extra = json.loads(override.read_text(encoding="utf-8"))
            for region, prices in extra["regions"].items():
                for instance, usd in prices.items():
                    if isinstance(usd, bool) or not isinstance(usd, (int, float)) or usd <= 0:
                        raise ValueError(f"{region}/{instance}: price {usd!r} is not > 0")
                    regions.setdefault(region, {})[instance] = float(usd)
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise ConfigError(f"{override}: {exc}", setting="prices") from exc
        source = f"{source}; overridden by {override}"
        as_of = extra.get("as_of", as_of)
    return PriceTable(regions, source, as_of)
