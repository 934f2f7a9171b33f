from __future__ import annotations

import json
from pathlib import Path

import pytest
import responses

from stockbench.errors import ParseError
from stockbench.fakemarket import generate_market, render_item_page
from stockbench.net import (
    NAVER_ITEM_URL,
    NAVER_POLLING_URL,
    NAVER_RANKING_URL,
    HttpClient,
    HttpConfig,
)
from stockbench.records import Company, Market, Row
from stockbench.snapshot import (
    NOT_COVERED,
    Snapshot,
    failures_path,
    read_rows,
    snapshot_market,
    write_snapshot,
)
from stockbench.sources import NOT_IN_POLLING, PerItemSource, PollingSource, RankingSource

FAST = HttpConfig(retries=1, backoff_factor_s=0.0, max_rate_per_host=None)


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


@responses.activate(assert_all_requests_are_fired=True)
def test_ranking_pages_until_total_count_and_skips_etfs() -> None:
    pages = [
        [stock("005930", cap="1,107조 5,643"), stock("069500", end="etf")],
        [stock("000660"), stock("0088M0")],
        [stock("001250")],
    ]
    for n, rows in enumerate(pages, start=1):
        body = json.dumps({"stocks": rows, "totalCount": 5})
        responses.get(ranking_url("KOSPI", n), body=body)
    # page 4 is never asked for: an unregistered call would fail as a page error
    source = RankingSource(markets=(Market.KOSPI,), page_size=2)
    wanted = [Company("가", c, Market.KOSPI) for c in ("005930", "0088M0", "001250", "999999")]
    got = source.fetch_quotes(wanted, HttpClient(FAST))
    assert sorted(got.quotes) == ["001250", "005930", "0088M0"]
    assert got.quotes["005930"].market_cap_eok == 11_075_643
    assert source.skipped_non_stock == 1
    assert source.page_errors == []
    assert len(responses.calls) == 3


@responses.activate(assert_all_requests_are_fired=True)
def test_polling_batches_split_and_unknown_codes_fail_with_reason() -> None:
    codes = ["000001", "000002", "000003", "0126Z0", "000005"]
    known = {"000001", "000003", "0126Z0"}

    for start in range(0, 5, 2):
        batch = codes[start : start + 2]
        datas = [{**stock(c), "marketValue": "5억"} for c in batch if c in known]
        url = NAVER_POLLING_URL.format(codes=",".join(batch))
        responses.get(url, body=json.dumps({"datas": datas}))
    got = PollingSource(batch_size=2).fetch_quotes(
        [Company("x", c, Market.KONEX) for c in codes], HttpClient(FAST)
    )
    assert sorted(got.quotes) == sorted(known)
    assert got.failures == {"000002": NOT_IN_POLLING, "000005": NOT_IN_POLLING}
    assert [len(c.request.url.rsplit("/", 1)[1].split(",")) for c in responses.calls] == [2, 2, 1]


@responses.activate(assert_all_requests_are_fired=True)
def test_failed_polling_batch_fails_each_code_with_the_http_reason() -> None:
    url = NAVER_POLLING_URL.format(codes="000001,000002")
    responses.get(url, status=500)
    got = PollingSource().fetch_quotes(
        [Company("x", c, Market.KONEX) for c in ("000001", "000002")], HttpClient(FAST)
    )
    assert got.quotes == {}
    assert all("HTTP 500" in r for r in got.failures.values())
    assert len(got.failures) == 2


@responses.activate(assert_all_requests_are_fired=True)
def test_alphanumeric_code_end_to_end_through_ranking_and_polling(tmp_path: Path) -> None:
    listing = [
        Company("메쥬", "0088M0", Market.KOSDAQ),
        Company("코넥스회사", "0126Z0", Market.KONEX),
        Company("사라진회사", "000777", Market.KONEX),
    ]
    responses.get(
        ranking_url("KOSDAQ", 1, 100),
        body=json.dumps({"stocks": [stock("0088M0", 9_990)], "totalCount": 1}),
    )
    responses.get(
        NAVER_POLLING_URL.format(codes="0126Z0,000777"),
        body=json.dumps({"datas": [{**stock("0126Z0", 2_500), "marketValue": "1조 5억"}]}),
    )
    snap = snapshot_market(
        listing, [RankingSource(markets=(Market.KOSDAQ,)), PollingSource()], HttpClient(FAST)
    )
    assert [(r.code, r.price) for r in snap.rows] == [("0088M0", 9_990), ("0126Z0", 2_500)]
    assert snap.rows[1].market_cap_eok == 10_005
    assert [(f.code, f.reason) for f in snap.failures] == [("000777", f"polling: {NOT_IN_POLLING}")]
    assert snap.rows_by_source == {"ranking": 1, "polling": 1}
    out = tmp_path / "snap.csv"
    write_snapshot(snap, out)
    assert out.read_bytes().startswith(
        b"\xef\xbb\xbfname,code,market,price,market_cap_eok,volume\n"
    )
    assert "메쥬,0088M0,KOSDAQ,9990,1234,10229" in out.read_text(encoding="utf-8-sig")
    assert read_rows(out) == snap.rows
    assert "000777,사라진회사" in failures_path(out).read_text(encoding="utf-8-sig")


@responses.activate
def test_per_item_every_company_ends_as_row_or_failure() -> None:
    market = generate_market(seed=11, n_kospi=6, n_kosdaq=0, n_konex=0, n_etf=0, n_delisted=0)
    companies = [Company(c.name, c.code, c.market) for c in market.companies]
    ok, gone, broken = companies[0], companies[1], companies[2]
    for c in companies:
        url = NAVER_ITEM_URL.format(code=c.code)
        if c is gone:
            responses.get(url, status=409)
        elif c is broken:
            responses.get(url, body=b"<html><body>maintenance</body></html>")
        else:
            responses.get(url, body=render_item_page(market.by_code[c.code]))
    snap = snapshot_market(companies, [PerItemSource()], HttpClient(FAST))
    assert len(snap.rows) + len(snap.failures) == len(companies)
    assert {r.code for r in snap.rows} == {c.code for c in companies} - {gone.code, broken.code}
    reasons = {f.code: f.reason for f in snap.failures}
    assert "delisted (HTTP 409)" in reasons[gone.code]
    assert "rate_info_krx" in reasons[broken.code]
    truth = market.by_code[ok.code]
    row = next(r for r in snap.rows if r.code == ok.code)
    assert (row.price, row.market_cap_eok, row.volume) == (
        truth.price,
        truth.market_cap_eok,
        truth.volume,
    )


def test_uncovered_companies_fail_and_resumed_rows_are_not_fetched() -> None:
    listing = [Company("a", "000001", Market.KOSPI), Company("b", "000002", Market.KOSPI)]
    done = [Row("a", "000001", "KOSPI", 1, 2, 3)]
    with responses.RequestsMock(assert_all_requests_are_fired=True):
        snap = snapshot_market(listing, [], HttpClient(FAST), done=done)
    assert snap.rows == done
    assert [(f.code, f.reason) for f in snap.failures] == [("000002", NOT_COVERED)]


def test_top_by_market_cap() -> None:
    rows = [Row(str(i), f"00000{i}", "KOSPI", 1, cap, 1) for i, cap in enumerate([5, 50, 7, 50])]
    assert [r.code for r in Snapshot(rows=rows).top_by_market_cap(3)] == [
        "000001",
        "000003",
        "000002",
    ]


def test_read_rows_rejects_foreign_csv(tmp_path: Path) -> None:
    path = tmp_path / "x.csv"
    path.write_text("a,b\n1,2\n", encoding="utf-8-sig")
    with pytest.raises(ParseError, match="columns"):
        read_rows(path)
