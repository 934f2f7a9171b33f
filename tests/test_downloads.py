"""Whole documents fetched and parsed: the KRX list and each Yonhap feed path."""

from __future__ import annotations

import pytest

from stockbench.downloads import fetch_feed, fetch_listing
from stockbench.fakemarket import ServerConfig, generate_market, serve_market
from stockbench.net import Endpoints, HttpClient, HttpConfig


@pytest.mark.parametrize("which", ["latest", "economy", "stocks"])
def test_each_yonhap_feed_path_is_served_and_parsed(which: str) -> None:
    with serve_market(ServerConfig(latency_ms=0)) as server:
        client = HttpClient(HttpConfig(max_rate_per_host=None), endpoints=Endpoints(server.origin))
        feed = fetch_feed(client, which, limit=5)
        hits = list(server.stats.hits)
    assert len(feed.headlines) == 5
    assert hits[-1].endswith("/feed/")
    with pytest.raises(ValueError, match="unknown feed"):
        fetch_feed(client, "sports")


def test_the_krx_list_comes_back_as_the_markets_companies() -> None:
    market = generate_market(n_kospi=30, n_kosdaq=20, n_konex=5, n_etf=2, n_alphanumeric=4)
    with serve_market(ServerConfig(latency_ms=0), market) as server:
        client = HttpClient(HttpConfig(max_rate_per_host=None), endpoints=Endpoints(server.origin))
        listing = fetch_listing(client)
    assert [c.code for c in listing] == [c.code for c in market.companies]
    assert listing.rejected == ()
