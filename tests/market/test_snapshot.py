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


@responses.activate(assert_all_requests_are_fired=True)
def test_when_the_ranking_failed_the_reason_says_so_not_only_polling() -> None:
    listing = [Company("a", "000001", Market.KOSPI), Company("b", "000002", Market.KOSPI)]
    responses.get(ranking_url("KOSPI", 1, 100), status=503)
    responses.get(NAVER_POLLING_URL.format(codes="000001,000002"), status=500)
    snap = snapshot_market(
        listing, [RankingSource(markets=(Market.KOSPI,)), PollingSource()], HttpClient(FAST)
    )
    assert snap.rows == []
    for failure in snap.failures:
        first, second = failure.reason.split("; ")
        assert first.startswith("ranking: 1 of 1 KOSPI pages failed (first: FetchError: HTTP 503")
        assert second.startswith("polling: FetchError: HTTP 500")
        assert len(failure.reason) < 500
    (warning,) = snap.warnings
    assert warning.startswith("ranking: skipped 1 of 1 KOSPI pages (first: FetchError: HTTP 503")


@responses.activate(assert_all_requests_are_fired=True)
def test_an_absurd_ranking_entry_falls_back_to_polling_and_fails_with_both_reasons() -> None:
    listing = [Company("a", "000001", Market.KOSPI), Company("b", "000002", Market.KOSPI)]
    page = {"stocks": [stock("000001", cap="9" * 5000), stock("000002")], "totalCount": 2}
    responses.get(ranking_url("KOSPI", 1, 100), body=json.dumps(page))
    absurd = {**stock("000001"), "closePrice": "-1"}
    responses.get(NAVER_POLLING_URL.format(codes="000001"), body=json.dumps({"datas": [absurd]}))
    snap = snapshot_market(
        listing, [RankingSource(markets=(Market.KOSPI,)), PollingSource()], HttpClient(FAST)
    )
    assert [r.code for r in snap.rows] == ["000002"]
    (failure,) = snap.failures
    assert failure.code == "000001"
    assert failure.reason.startswith(
        "ranking: ranking KOSPI page 1 000001: marketValue: 5000 digits, more than any quote has"
    )
    assert "; polling: ParseError: polling batch 1 000001: closePrice: '-1'" in failure.reason
    assert snap.warnings == [
        "ranking: rejected 1 entries (first: ranking KOSPI page 1 000001: marketValue: "
        "5000 digits, more than any quote has)"
    ]
