"""The snapshot job: every company a row or a failure, through a chain of sources."""

from __future__ import annotations

import json
from pathlib import Path

import responses

from stockbench.market.csvfile import failures_path, read_rows, write_snapshot
from stockbench.market.records import Company, Market, Row
from stockbench.market.snapshot import NOT_COVERED, Snapshot, snapshot_market
from stockbench.market.sources import NOT_IN_POLLING, PollingSource, RankingSource
from stockbench.net import NAVER_POLLING_URL, HttpClient, HttpConfig

from .jsondocs import ranking_url, stock

FAST = HttpConfig(retries=1, backoff_factor_s=0.0, max_rate_per_host=None)


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
