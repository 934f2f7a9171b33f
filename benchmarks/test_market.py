"""Market snapshot: the whole bundled market through the project's sources, against the
original per-company crawl; and one legacy page parsed both ways."""

from __future__ import annotations

from functools import partial
from typing import Any

import pytest

from stockbench.downloads import fetch_listing
from stockbench.fakemarket import FakeMarket, MarketServer, render_item_page
from stockbench.market import original
from stockbench.market.krx import Listing
from stockbench.market.naver import parse_item_page
from stockbench.market.snapshot import snapshot_market
from stockbench.market.sources import default_chain
from stockbench.net import NAVER_ITEM_URL, Endpoints, HttpClient, HttpConfig

from .conftest import BASELINE, HEADLINE, Measure, Sizes

EOK_PER_JO = 10_000


@pytest.fixture(scope="module")
def listing(market_server: MarketServer) -> Listing:
    client = HttpClient(
        HttpConfig(max_rate_per_host=None), endpoints=Endpoints(market_server.origin)
    )
    return fetch_listing(client)


def polite_client(server: MarketServer) -> HttpClient:
    """The default client: no faster than the original's pace (3 requests/s per host)."""
    return HttpClient(HttpConfig(), endpoints=Endpoints(server.origin))


@pytest.mark.benchmark(group="market")
def test_market_snapshot_ranking(
    measure: Measure,
    benchmark: Any,
    market_server: MarketServer,
    listing: Listing,
    market: FakeMarket,
    sizes: Sizes,
) -> None:
    client = polite_client(market_server)
    snap = measure(
        snapshot_market,
        listing,
        default_chain("ranking"),
        client,
        samples=len(listing),
        rounds=sizes.rounds(3),
        role=HEADLINE,
        memory_of=("market", "ranking"),
    )
    assert snap.rows_ok + len(snap.failures) == len(listing)
    assert {f.code for f in snap.failures} == market.delisted_codes
    benchmark.extra_info["requests_per_round"] = client.stats.requests / max(1, sizes.rounds(3))
    benchmark.extra_info["max_rate_per_host"] = client.config.max_rate_per_host


def _subset(listing: Listing, sizes: Sizes) -> Listing:
    return listing.select(limit=sizes.original_companies(len(listing)))


@pytest.mark.benchmark(group="market")
def test_market_snapshot_original(
    measure: Measure,
    benchmark: Any,
    market_server: MarketServer,
    listing: Listing,
    market: FakeMarket,
    sizes: Sizes,
) -> None:
    subset = _subset(listing, sizes)
    endpoints = Endpoints(market_server.origin)
    pairs = [(c.code, c.name) for c in subset]
    results = measure(
        original.crawl,
        pairs,
        lambda code: endpoints.url(NAVER_ITEM_URL.format(code=code)),
        samples=len(pairs),
        rounds=sizes.rounds(2),
        role=BASELINE,
        memory_of=("market", "original"),
    )
    # What the original returns is right; what it loses, it loses silently: delisted
    # codes and every company worth 1조 or more (its market-cap parse cannot read 조).
    truth = market.by_code
    kept = {
        c.code
        for c in subset
        if not truth[c.code].delisted and truth[c.code].market_cap_eok < EOK_PER_JO
    }
    assert {r["code"] for r in results} == kept
    assert all(r["price"] == truth[r["code"]].price for r in results)
    per_company = benchmark.extra_info["time_per_sample_s"]
    benchmark.extra_info["rows_lost_silently"] = len(pairs) - len(results)
    benchmark.extra_info["projected_full_market_s"] = per_company * len(listing)


@pytest.mark.benchmark(group="market")
def test_market_snapshot_per_item(
    measure: Measure,
    market_server: MarketServer,
    listing: Listing,
    market: FakeMarket,
    sizes: Sizes,
) -> None:
    """The project's per-item source on the original's subset, at the original's pace."""
    subset = _subset(listing, sizes)
    snap = measure(
        snapshot_market,
        subset,
        default_chain("per-item"),
        polite_client(market_server),
        samples=len(subset),
        rounds=sizes.rounds(2),
        memory_of=("market", "per-item"),
    )
    assert snap.rows_ok + len(snap.failures) == len(subset)
    assert {f.code for f in snap.failures} == market.delisted_codes & {c.code for c in subset}


@pytest.fixture(scope="module")
def page(market: FakeMarket) -> tuple[str, bytes]:
    giant = max(market.companies, key=lambda c: c.market_cap_eok)
    return giant.code, render_item_page(giant)


@pytest.mark.benchmark(group="parse")
def test_parse_page_original(measure: Measure, page: tuple[str, bytes], sizes: Sizes) -> None:
    code, data = page
    result = measure(
        lambda: original.parse_page(data.decode("utf-8"), code),
        samples=1,
        rounds=sizes.rounds(30),
        warmup_rounds=2,
        role=BASELINE,
        memory_of=("parse", "original"),
    )  # decoding included in both
    assert result is None  # the original cannot read a 조 market cap: this page is lost


@pytest.mark.benchmark(group="parse")
def test_parse_page(
    measure: Measure, page: tuple[str, bytes], market: FakeMarket, sizes: Sizes
) -> None:
    code, data = page
    quote = measure(
        partial(parse_item_page, code=code),
        data,
        samples=1,
        rounds=sizes.rounds(300),
        warmup_rounds=10,
        role=HEADLINE,
        memory_of=("parse", "project"),
    )
    truth = market.by_code[code]
    assert (quote.price, quote.market_cap_eok, quote.volume) == (
        truth.price,
        truth.market_cap_eok,
        truth.volume,
    )
