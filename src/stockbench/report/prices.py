"""On-demand prices: a dated table bundled with the package, overridable by a small file
or by AWS's Price List API (``awsprices``).

The bundled table (``data/prices.json``, written by ``tools/make_prices.py``) lists, per
region, every type of the families a small daily job would use, nano to xlarge: a
price in USD per hour, or ``{"absent": reason}``. An instance missing or absent is
"no price" in the report, never a guess.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from stockbench.data import prices_text
from stockbench.errors import ConfigError


@dataclass(frozen=True)
class PriceTable:
    regions: Mapping[str, Mapping[str, float]]
    source: str
    as_of: str
    absent: Mapping[str, Mapping[str, str]] = field(default_factory=dict)  # region -> type -> why

    def price(self, region: str, instance: str) -> float | None:
        return self.regions.get(region, {}).get(instance)

    def why_absent(self, region: str, instance: str) -> str:
        if self.price(region, instance) is not None:
            return ""
        return self.absent.get(region, {}).get(instance) or f"not in the table for {region}"

    def merged(self, other: PriceTable) -> PriceTable:
        """This table with ``other``'s prices on top (its source and date named too)."""
        regions = {r: dict(p) for r, p in self.regions.items()}
        for region, prices in other.regions.items():
            regions.setdefault(region, {}).update(prices)
        return PriceTable(
            regions,
            f"{self.source}; {other.source}",
            other.as_of or self.as_of,
            self.absent,
        )


def usd_per_hour(value: Any, *, where: str) -> float:
    """A price from a file or an API answer: a finite number above zero, else ValueError."""
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        raise ValueError(f"{where}: price {value!r} is not a number")
    price = float(value)
    if not math.isfinite(price) or price <= 0:
        raise ValueError(f"{where}: price {value!r} is not a finite number > 0")
    return price


def _parse(doc: Any, *, origin: str) -> PriceTable:
    if not isinstance(doc, dict) or not isinstance(doc.get("regions"), dict):
        raise ValueError('expected {"regions": {REGION: {INSTANCE: USD_PER_HOUR}}}')
    regions: dict[str, dict[str, float]] = {}
    absent: dict[str, dict[str, str]] = {}
    for region, entries in doc["regions"].items():
        if not isinstance(entries, dict):
            raise ValueError(f"{region}: expected an object of instance types")
        for instance, value in entries.items():
            if isinstance(value, dict) and isinstance(value.get("absent"), str):
                absent.setdefault(region, {})[instance] = value["absent"]
            else:
                regions.setdefault(region, {})[instance] = usd_per_hour(
                    value, where=f"{region}/{instance}"
                )
    source = doc.get("source") if isinstance(doc.get("source"), str) else origin
    as_of = doc.get("as_of") if isinstance(doc.get("as_of"), str) else ""
    return PriceTable(regions, str(source), str(as_of), absent)


def bundled_prices() -> PriceTable:
    return _parse(json.loads(prices_text()), origin="bundled table")


def load_prices(override: Path | None = None) -> PriceTable:
    """The bundled dated table, with ``override``'s entries (same JSON shape) on top."""
    base = bundled_prices()
    if override is None:
        return base
    try:
        extra = _parse(
            json.loads(override.read_text(encoding="utf-8"), parse_constant=_no_constant),
            origin=str(override),
        )
    except (OSError, UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise ConfigError(f"{override}: {exc}", setting="prices") from exc
    return base.merged(PriceTable(extra.regions, f"overridden by {override}", extra.as_of))


def _no_constant(name: str) -> float:
    raise ValueError(f"{name} is not a price")
