from __future__ import annotations

from datetime import date

import pytest

from stockbench.errors import ParseError
from stockbench.fakemarket import generate_market, render_krx_list
from stockbench.fakemarket.pages import LIST_HEADERS
from stockbench.market import original
from stockbench.market.krx import parse_listing
from stockbench.market.records import Market


def _table(head: str, *rows: str) -> bytes:
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    return f"<html><body><table><tr>{head}</tr>{body}</table></body></html>".encode("cp949")


# The list's ten columns as the fake market spells them (not taken from the parser).
HEAD10 = "".join(f"<th>{h}</th>" for h in LIST_HEADERS)


def _row10(name: str, market: str, code: str, listed: str = "2020-01-02") -> str:
    cells = [name, market, code, "업종", "제품", listed, "12월", "대표", "", "서울"]
    return "".join(f"<td>{c}</td>" for c in cells)


def test_real_2026_list_keeps_alphanumeric_codes(raw_fixture) -> None:
    listing = parse_listing(raw_fixture("krx_corplist_2026-04.xls"))
    assert len(listing) == 2767
    assert listing.rejected == ()
    alpha = [c.code for c in listing if not c.code.isdigit()]
    assert len(alpha) == 39
    assert {"0088M0", "0130H0"} <= set(alpha)
    first = listing.companies[0]
    assert (first.name, first.code, first.market) == ("엔에이치스팩33호", "0130H0", Market.KOSDAQ)
    assert first.listed_on == date(2026, 3, 27)
    assert {c.market for c in listing} == {Market.KOSPI, Market.KOSDAQ, Market.KONEX}


def test_real_2019_list_keeps_leading_zeros(raw_fixture) -> None:
    listing = parse_listing(raw_fixture("krx_corplist_2019-08.xls"))
    assert len(listing) == 2280
    assert listing.rejected == ()
    assert not listing.has_market_column
    gs = next(c for c in listing if c.name == "GS글로벌")
    assert gs.code == "001250"
    assert gs.market is None
    assert all(len(c.code) == 6 for c in listing)


def test_bad_rows_are_rejected_with_reasons_not_dropped() -> None:
    data = _table(
        HEAD10,
        _row10("좋은회사", "유가", "005930"),
        _row10("숫자회사", "코스닥", "1250"),
        _row10("이상시장", "나스닥", "000660"),
        _row10("중복회사", "코넥스", "005930"),
        "<td>짧은행</td>",
    )
    listing = parse_listing(data)
    assert [c.code for c in listing] == ["005930"]
    reasons = {r.row: r.reason for r in listing.rejected}
    assert "not a 6-character stock code" in reasons[2]
    assert "unknown market '나스닥'" in reasons[3]
    assert "duplicate code 005930" in reasons[4]
    assert "1 cells" in reasons[5]


def test_missing_table_and_header_and_encoding_errors_name_the_source() -> None:
    with pytest.raises(ParseError, match=r"my list: table"):
        parse_listing(b"<html>no table</html>", source="my list")
    with pytest.raises(ParseError, match="header"):
        parse_listing(_table("<th>a</th><th>b</th>", "<td>1</td><td>2</td>"))
    with pytest.raises(ParseError, match="cp949"):
        parse_listing(b"\xff\xfe\xff<table>")


def test_generated_list_round_trips_both_layouts() -> None:
    market = generate_market(seed=7, n_kospi=30, n_kosdaq=40, n_konex=5, n_etf=3, n_alphanumeric=6)
    for with_market in (True, False):
        listing = parse_listing(render_krx_list(market.companies, with_market=with_market))
        assert [c.code for c in listing] == [c.code for c in market.companies]
        assert [c.name for c in listing] == [c.name for c in market.companies]
        if with_market:
            assert [c.market for c in listing] == [c.market for c in market.companies]


def test_select_by_codes_and_limit_keeps_list_order() -> None:
    data = _table(HEAD10, *(_row10(f"회사{i}", "유가", f"00000{i}") for i in range(1, 6)))
    listing = parse_listing(data)
    assert [c.code for c in listing.select(codes=["000004", "000002"])] == ["000002", "000004"]
    assert [c.code for c in listing.select(limit=2)] == ["000001", "000002"]


def test_the_original_list_step_crashes_on_alphanumeric_codes(raw_fixture) -> None:
    """Why the project parses the list itself: the study's own step, on real lists."""
    with pytest.raises(ValueError, match="Unknown format code 'd'"):
        original.krx_stock_list(raw_fixture("krx_corplist_2026-04.xls"))
    old = original.krx_stock_list(raw_fixture("krx_corplist_2019-08.xls"))
    assert len(old) == 2280
    assert "001250" in set(old["종목코드"])  # int64 column, zeros padded back by 06d
