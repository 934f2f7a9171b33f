"""Quote sources against mocked HTTP: pagination, batches, failures with reasons."""

from __future__ import annotations

import json

import responses

from stockbench.fakemarket import generate_market, render_item_page
from stockbench.market.records import Company, Market
from stockbench.market.sources import NOT_IN_POLLING, PerItemSource, PollingSource, RankingSource
from stockbench.net import NAVER_ITEM_URL, NAVER_POLLING_URL, HttpClient, HttpConfig

from .jsondocs import ranking_url, stock

FAST = HttpConfig(retries=1, backoff_factor_s=0.0, max_rate_per_host=None)


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
    got = PerItemSource().fetch_quotes(companies, HttpClient(FAST))
    assert sorted([*got.quotes, *got.failures]) == sorted(c.code for c in companies)
    assert set(got.quotes) == {c.code for c in companies} - {gone.code, broken.code}
    reasons = got.failures
    assert "delisted (HTTP 409)" in reasons[gone.code]
    assert "rate_info_krx" in reasons[broken.code]
    truth = market.by_code[ok.code]
    quote = got.quotes[ok.code]
    assert (quote.price, quote.market_cap_eok, quote.volume) == (
        truth.price,
        truth.market_cap_eok,
        truth.volume,
    )


@responses.activate(assert_all_requests_are_fired=True)
def test_a_ranking_that_repeats_itself_ends_instead_of_looping() -> None:
    body = json.dumps({"stocks": [stock("005930"), stock("000660")], "totalCount": 100_000})
    responses.get(ranking_url("KOSPI", 1), body=body)
    responses.get(ranking_url("KOSPI", 2), body=body)  # page 3 is never asked for
    source = RankingSource(markets=(Market.KOSPI,), page_size=2)
    got = source.fetch_quotes([Company("가", "005930", Market.KOSPI)], HttpClient(FAST))
    assert sorted(got.quotes) == ["005930"]
    assert source.page_errors == ["ranking KOSPI page 2 repeats earlier entries"]
    assert len(responses.calls) == 2
