"""Whole flows against the real loopback server: every company accounted for."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from stockbench.cli import main
from stockbench.crawl import CrawlPlan, fetch_listing, run_crawl
from stockbench.fakemarket import FakeMarket, generate_market
from stockbench.krx import Listing
from stockbench.net import Endpoints, HttpClient, HttpConfig
from stockbench.server import MarketServer, MarketSite, ServerConfig, pick_fault, serve_market
from stockbench.snapshot import Snapshot, failures_path, read_rows

FAST = HttpConfig(retries=3, backoff_factor_s=0.0, max_rate_per_host=None, read_timeout_s=0.4)
QUIET = ServerConfig(latency_ms=0)
FAULTY = ServerConfig(latency_ms=0, fault_rate=0.10, stall_s=0.8, retry_after_s=1)


@pytest.fixture(scope="module")
def market() -> FakeMarket:
    return generate_market()


@pytest.fixture
def quiet_server(market: FakeMarket) -> Iterator[MarketServer]:
    with serve_market(QUIET, market) as server:
        yield server


def client_for(server: MarketServer, config: HttpConfig = FAST) -> HttpClient:
    return HttpClient(config, endpoints=Endpoints(server.origin))


def assert_accounted(snap: Snapshot, listing: Listing, market: FakeMarket) -> None:
    """Each company is a row with the truth's values or a failure with a reason; never both."""
    row_codes = [r.code for r in snap.rows]
    fail_codes = [f.code for f in snap.failures]
    assert len(set(row_codes)) == len(row_codes)
    assert not set(row_codes) & set(fail_codes)
    assert sorted(row_codes + fail_codes) == sorted(c.code for c in listing)
    for row in snap.rows:
        truth = market.by_code[row.code]
        assert not truth.delisted
        assert (row.name, row.market, row.price, row.market_cap_eok, row.volume) == (
            truth.name,
            truth.market.value,
            truth.price,
            truth.market_cap_eok,
            truth.volume,
        )
    assert all(f.reason for f in snap.failures)
    for code in market.delisted_codes & {c.code for c in listing}:
        reason = next(f.reason for f in snap.failures if f.code == code)
        assert "delisted" in reason


def per_item_subset(listing: Listing, market: FakeMarket, n: int) -> Listing:
    """The first ``n`` companies plus every delisted one, in list order."""
    keep = {c.code for c in listing.companies[:n]} | market.delisted_codes
    return listing.select(codes=[c.code for c in listing if c.code in keep])


def test_whole_market_through_ranking(
    quiet_server: MarketServer, market: FakeMarket, tmp_path: Path
) -> None:
    client = client_for(quiet_server)
    listing = fetch_listing(client)
    assert len(listing) == len(market.companies)
    result = run_crawl(listing, CrawlPlan(out=tmp_path / "all.csv"), client)
    snap = result.snapshot
    assert_accounted(snap, listing, market)
    assert len(snap.failures) == len(market.delisted_codes)
    assert (
        snap.rows_by_source["polling"]
        >= sum(1 for c in market.companies if c.market == "KONEX") - 6
    )
    assert read_rows(result.out) == snap.rows
    failures_text = failures_path(result.out).read_text(encoding="utf-8-sig")
    assert failures_text.count("\n") == len(snap.failures) + 1
    # KOSPI + KOSDAQ ranking pages, one polling batch or two, and the list: not one per company
    assert client.stats.requests < 40


def test_per_item_subset(quiet_server: MarketServer, market: FakeMarket, tmp_path: Path) -> None:
    client = client_for(quiet_server)
    listing = per_item_subset(fetch_listing(client), market, 60)
    result = run_crawl(listing, CrawlPlan("per-item", out=tmp_path / "p.csv"), client)
    assert_accounted(result.snapshot, listing, market)
    assert len(result.snapshot.failures) == len(market.delisted_codes)


@pytest.mark.parametrize(("source", "size"), [("ranking", None), ("per-item", 200)])
def test_ten_percent_faults_lose_nothing_and_retries_are_bounded(
    market: FakeMarket, tmp_path: Path, source: str, size: int | None
) -> None:
    with serve_market(FAULTY, market) as server:
        client = client_for(server)
        listing = fetch_listing(client)
        if size:
            listing = per_item_subset(listing, market, size)
        result = run_crawl(listing, CrawlPlan(source, out=tmp_path / "f.csv"), client)
        stats = server.stats
    assert_accounted(result.snapshot, listing, market)
    assert sum(stats.faults.values()) > 0
    assert max(stats.hits.values()) <= FAST.retries + 1
    assert client.stats.retries > 0
    # What was lost to faults beyond the retry budget is reported, with the HTTP reason.
    non_delisted = [f for f in result.snapshot.failures if f.code not in market.delisted_codes]
    assert all(
        "Fetch" in f.reason or "ParseError" in f.reason or "polling" in f.reason
        for f in non_delisted
    )


def test_resume_after_interrupt_matches_an_uninterrupted_run(
    quiet_server: MarketServer, market: FakeMarket, tmp_path: Path
) -> None:
    client = client_for(quiet_server)
    listing = per_item_subset(fetch_listing(client), market, 50)
    whole = run_crawl(listing, CrawlPlan("per-item", out=tmp_path / "whole.csv"), client)

    out = tmp_path / "resumed.csv"
    seen = 0

    def ctrl_c_after_30(n: int) -> None:
        nonlocal seen
        seen += n
        if seen >= 30:
            raise KeyboardInterrupt

    first = run_crawl(listing, CrawlPlan("per-item", out=out), client, progress=ctrl_c_after_30)
    assert first.interrupted
    partial = read_rows(out)  # a valid CSV on disk
    assert 0 < len(partial) < len(whole.snapshot.rows)

    hits_before = quiet_server.stats.hits.copy()
    second = run_crawl(listing, CrawlPlan("per-item", out=out, resume=True), client)
    assert not second.interrupted
    assert out.read_bytes() == whole.out.read_bytes()
    assert failures_path(out).read_bytes() == failures_path(whole.out).read_bytes()
    for row in partial:  # nothing already saved was fetched again
        target = f"/item/main.naver?code={row.code}"
        assert quiet_server.stats.hits[target] == hits_before[target]
    assert second.snapshot.rows_by_source["resumed"] == len(partial)


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


def test_cli_crawl_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.csv"
    code = main(
        ["crawl", "--limit", "25", "--quiet", "--latency-ms", "0", "--rate", "0", "--out", str(out)]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "Top 10 by market cap" in printed
    assert "rows written   25" in printed
    assert len(read_rows(out)) == 25


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["--codes", "12345"], 2, "not a 6-character stock code"),
        (["--codes", "ZZZZZ0"], 2, "not on the KRX list: ZZZZZ0"),
        (["--limit", "0"], 2, "--limit must be >= 1"),
        (
            ["--live", "--origin", "http://127.0.0.1:9", "--retries", "0"],
            1,
            "could not get the KRX company list",
        ),
    ],
)
def test_cli_crawl_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int, message: str
) -> None:
    code = main(["crawl", "--quiet", "--latency-ms", "0", "--out", str(tmp_path / "x.csv"), *argv])
    assert code == status
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()
