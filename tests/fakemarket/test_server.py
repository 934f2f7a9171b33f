"""The offline market's routes and its fault schedule (no sockets needed for either)."""

from __future__ import annotations

import pytest

from stockbench.fakemarket import FakeMarket, MarketSite, ServerConfig, generate_market, pick_fault


@pytest.fixture(scope="module")
def market() -> FakeMarket:
    return generate_market()


def test_faults_are_deterministic_by_seed() -> None:
    def faults(seed: int) -> list[str | None]:
        config = ServerConfig(seed=seed, fault_rate=0.3)
        return [pick_fault(config, f"/item/main.naver?code={i:06d}", 1) for i in range(200)]

    assert faults(1) == faults(1)
    assert faults(1) != faults(2)
    share = sum(f is not None for f in faults(1)) / 200
    assert 0.15 < share < 0.45


def test_site_routes(market: FakeMarket) -> None:
    site = MarketSite(market)
    assert site.route("/nowhere").status == 404
    assert site.route("/api/stocks/marketValue/KONEX?page=1&pageSize=100").status == 400
    assert site.route("/api/stocks/marketValue/KOSPI?page=x").status == 400
    krx = site.route("/corpgeneral/corpList.do?method=download&searchType=13")
    assert 900_000 < len(krx.body) < 1_400_000  # the real file's size class
    page = site.route(f"/item/main.naver?code={market.companies[5].code}")
    assert 150_000 < len(page.body) < 250_000
