"""Whole flows against the real loopback server: every company accounted for."""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import replace
from pathlib import Path

import pytest

from stockbench.downloads import fetch_listing
from stockbench.errors import ConfigError
from stockbench.fakemarket import (
    FakeMarket,
    MarketServer,
    ServerConfig,
    generate_market,
    serve_market,
)
from stockbench.market.crawl import CrawlPlan, check_output, run_crawl, select
from stockbench.market.csvfile import failures_path, read_rows, write_snapshot
from stockbench.market.krx import Listing
from stockbench.market.records import Market
from stockbench.market.snapshot import Snapshot
from stockbench.market.sources import PollingSource, RankingSource
from stockbench.net import Endpoints, HttpClient, HttpConfig

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
    konex = [c for c in market.companies if c.market == Market.KONEX]
    assert snap.rows_by_source["polling"] == sum(not c.delisted for c in konex)
    assert read_rows(result.out) == snap.rows
    failures_text = failures_path(result.out).read_text(encoding="utf-8-sig")
    assert failures_text.count("\n") == len(snap.failures) + 1
    # the list, every ranking page of KOSPI and KOSDAQ, then polling batches for what the
    # ranking does not hold (KONEX, delisted codes): not one request per company
    ranking, polling = RankingSource(), PollingSource()
    pages = sum(
        math.ceil(len(market.ranking(m)) / ranking.page_size) for m in (Market.KOSPI, Market.KOSDAQ)
    )
    uncovered = len(konex) + sum(c.delisted and c.market != Market.KONEX for c in market.companies)
    assert client.stats.requests == 1 + pages + math.ceil(uncovered / polling.batch_size)


def test_per_item_subset(quiet_server: MarketServer, market: FakeMarket, tmp_path: Path) -> None:
    client = client_for(quiet_server)
    listing = per_item_subset(fetch_listing(client), market, 60)
    result = run_crawl(listing, CrawlPlan("per-item", out=tmp_path / "p.csv"), client)
    assert_accounted(result.snapshot, listing, market)
    assert len(result.snapshot.failures) == len(market.delisted_codes)


@pytest.mark.slow
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


# What a fault that outlasts the retries leaves as a reason, by fault kind.
FAULT_REASONS = {
    "500": "FetchError: HTTP 500 ",
    "503": "FetchError: HTTP 503 ",
    "reset": "Connection reset by peer",
    "truncate": "FetchError: body cut short",
    "stall": "FetchTimeout: read timed out",
}


def test_faults_beyond_the_retry_budget_fail_with_the_http_reason(
    market: FakeMarket, tmp_path: Path
) -> None:
    heavy = ServerConfig(
        latency_ms=0, fault_rate=0.6, fault_kinds=tuple(FAULT_REASONS), stall_s=0.8
    )
    one_retry = replace(FAST, retries=1)
    with serve_market(QUIET, market) as quiet:
        listing = fetch_listing(client_for(quiet)).select(limit=40)
    with serve_market(heavy, market) as server:
        result = run_crawl(
            listing, CrawlPlan("per-item", out=tmp_path / "f.csv"), client_for(server, one_retry)
        )
        faults = server.stats.faults
    assert_accounted(result.snapshot, listing, market)
    lost = [f for f in result.snapshot.failures if f.code not in market.delisted_codes]
    assert lost, "60 % faults with one retry must lose some companies"
    for failure in lost:
        kinds = [k for k, text in FAULT_REASONS.items() if text in failure.reason]
        assert failure.reason.startswith("per-item: ")
        assert len(kinds) == 1, failure.reason
        assert faults[kinds[0]] > 0


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


# --- never less than before -------------------------------------------------------------


def ctrl_c_at(n: int) -> Callable[[int], None]:
    """A progress callback that presses Ctrl-C once ``n`` companies are done."""
    seen = 0

    def progress(k: int) -> None:
        nonlocal seen
        seen += k
        if seen >= n:
            raise KeyboardInterrupt

    return progress


def test_an_interrupted_ranking_crawl_leaves_a_complete_file_as_it_was(
    quiet_server: MarketServer, tmp_path: Path
) -> None:
    client = client_for(quiet_server)
    listing = fetch_listing(client).select(limit=300)
    out = tmp_path / "all.csv"
    run_crawl(listing, CrawlPlan(out=out), client)
    before = (out.read_bytes(), failures_path(out).read_bytes())
    # the ranking reports its progress once, at the end of all its pages: Ctrl-C there
    result = run_crawl(listing, CrawlPlan(out=out), client, progress=ctrl_c_at(1))
    assert result.interrupted
    assert not result.written
    assert result.rows_before == len(read_rows(out)) > 0
    assert (out.read_bytes(), failures_path(out).read_bytes()) == before


def test_an_interrupted_fresh_crawl_adds_to_the_file_and_never_drops(
    quiet_server: MarketServer, market: FakeMarket, tmp_path: Path
) -> None:
    client = client_for(quiet_server)
    listing = per_item_subset(fetch_listing(client), market, 60)
    out = tmp_path / "p.csv"
    run_crawl(listing, CrawlPlan("per-item", out=out), client)
    # yesterday's file: every price 1 won, so today's rows can be told apart
    yesterday = [replace(r, price=1) for r in read_rows(out)]
    write_snapshot(Snapshot(rows=yesterday), out)
    result = run_crawl(listing, CrawlPlan("per-item", out=out), client, progress=ctrl_c_at(30))
    assert result.interrupted
    assert result.written
    rows = read_rows(out)
    assert [r.code for r in rows] == [r.code for r in yesterday]  # nothing dropped
    fetched = [r for r in rows if r.price != 1]
    assert len(fetched) == result.rows_fetched == 20  # one per-item chunk saved before Ctrl-C
    assert all(market.by_code[r.code].price == r.price for r in fetched)
    assert result.rows_kept == len(yesterday) - 20


def test_resume_with_a_narrower_selection_keeps_every_other_row(
    quiet_server: MarketServer, tmp_path: Path
) -> None:
    client = client_for(quiet_server)
    full = fetch_listing(client)
    out = tmp_path / "five.csv"
    run_crawl(full.select(limit=5), CrawlPlan(out=out, limit=5), client)
    five = out.read_bytes()
    plan = CrawlPlan(out=out, limit=2, resume=True)
    result = run_crawl(select(full, plan), plan, client, order=[c.code for c in full])
    assert out.read_bytes() == five
    assert result.rows_kept == 5
    # a narrower resume that adds a company puts it in list order, keeping the others
    plan = CrawlPlan(out=out, codes=(full.companies[7].code,), resume=True)
    run_crawl(select(full, plan), plan, client, order=[c.code for c in full])
    assert [r.code for r in read_rows(out)] == [c.code for c in full.companies[:5]] + [
        full.companies[7].code
    ]


def test_a_crawl_that_prices_nothing_keeps_the_rows_before(
    market: FakeMarket, tmp_path: Path
) -> None:
    out = tmp_path / "keep.csv"
    with serve_market(QUIET, market) as server:
        client = client_for(server)
        listing = fetch_listing(client).select(limit=30)
        run_crawl(listing, CrawlPlan(out=out), client)
    kept = out.read_bytes()
    down = ServerConfig(latency_ms=0, fault_rate=1.0, fault_kinds=("500",))
    with serve_market(down, market) as server:
        result = run_crawl(
            listing, CrawlPlan(out=out), client_for(server, replace(FAST, retries=0))
        )
    assert result.snapshot.rows_ok == 0
    assert out.read_bytes() == kept
    assert result.rows_before == 30
    # every company still has a row, so none is listed as a failure in the file
    assert failures_path(out).read_text(encoding="utf-8-sig").count("\n") == 1


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d, "is a folder, not a file"),
        (lambda d: d / "missing" / "x.csv", "does not exist"),
        (lambda d: Path("/proc/stockbench.csv"), "cannot write in /proc"),
    ],
)
def test_an_unwritable_out_is_found_before_any_request(
    tmp_path: Path, make: Callable[[Path], Path], message: str
) -> None:
    with pytest.raises(ConfigError, match=message) as info:
        check_output(CrawlPlan(out=make(tmp_path)))
    assert info.value.setting == "out"


def test_a_file_that_is_no_snapshot_is_never_overwritten(tmp_path: Path) -> None:
    out = tmp_path / "notes.csv"
    out.write_bytes(b"\xff\xfe my own notes")
    with pytest.raises(ConfigError, match="not a snapshot this program wrote") as info:
        check_output(CrawlPlan(out=out, resume=True))
    assert "not UTF-8 text" in str(info.value)
    assert out.read_bytes() == b"\xff\xfe my own notes"
