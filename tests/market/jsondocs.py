"""Naver JSON documents for ``responses`` mocks: ranking entries and their URLs."""

from __future__ import annotations

from stockbench.net import NAVER_RANKING_URL


def stock(code: str, price: int = 1_000, cap: str = "1,234", end: str = "stock") -> dict[str, str]:
    return {
        "itemCode": code,
        "stockName": f"회사{code}",
        "closePrice": f"{price:,}",
        "marketValue": cap,
        "accumulatedTradingVolume": "10,229",
        "stockEndType": end,
    }


def ranking_url(market: str, page: int, size: int = 2) -> str:
    return NAVER_RANKING_URL.format(market=market, page=page, size=size)
