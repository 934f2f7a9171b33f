"""Typed records shared by every market-data module: companies, quotes, rows, failures."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date
from enum import StrEnum

from stockbench.errors import ParseError, clip

CODE_PATTERN = re.compile(r"^[0-9A-Z]{6}$")

# What no KRX quote can exceed, with wide margins: the dearest share trades below
# 10 million won, the largest company is worth about 1,100조 (11 million 억원), and a
# whole day's market volume is a few billion shares. Beyond these a number is an error
# (or a hostile answer), not a quote.
MAX_PRICE_WON = 10**9
MAX_MARKET_CAP_EOK = 10**9  # 100,000조 won
MAX_VOLUME = 10**12


class Market(StrEnum):
    KOSPI = "KOSPI"
    KOSDAQ = "KOSDAQ"
    KONEX = "KONEX"


def validate_code(raw: str, *, source: str) -> str:
    """Return ``raw`` stripped if it is a 6-character KRX code, else raise ``ParseError``.

    Codes stay strings: since 2024 KRX issues alphanumeric ones (``0088M0``), and an
    integer conversion drops the leading zeros of the old ones (``001250``).
    """
    code = raw.strip()
    if not CODE_PATTERN.match(code):
        raise ParseError(
            f"{clip(code, 20)!r} is not a 6-character stock code", source=source, field="code"
        )
    return code


@dataclass(frozen=True, slots=True)
class Company:
    """One row of the KRX company list."""

    name: str
    code: str
    market: Market | None  # None on pre-2023 lists, which have no 시장구분 column
    sector: str | None = None
    listed_on: date | None = None


@dataclass(frozen=True, slots=True)
class Quote:
    """Price, market cap (억원) and volume of one code, as a quote source reports them."""

    code: str
    price: int
    market_cap_eok: int | None
    volume: int
    name: str | None = None


def check_quote(quote: Quote, *, source: str) -> Quote:
    """``quote`` if every number is one a market can have, else ``ParseError``."""
    limits = (
        ("price", quote.price, 1, MAX_PRICE_WON),
        ("volume", quote.volume, 0, MAX_VOLUME),
        ("market_cap", quote.market_cap_eok, 0, MAX_MARKET_CAP_EOK),
    )
    for name, value, low, high in limits:
        if value is not None and not low <= value <= high:
            raise ParseError(
                f"{value} is outside {low:,}..{high:,}, no market has it",
                source=source,
                field=name,
            )
    return quote


@dataclass(frozen=True, slots=True)
class Row:
    """One company of a finished snapshot (the CSV columns, in order)."""

    name: str
    code: str
    market: str
    price: int
    market_cap_eok: int
    volume: int


@dataclass(frozen=True, slots=True)
class Failure:
    """A listed company that has no row, and why."""

    code: str
    name: str
    reason: str


ROW_FIELDS = ("name", "code", "market", "price", "market_cap_eok", "volume")
FAILURE_FIELDS = ("code", "name", "reason")
