from __future__ import annotations

import contextlib
import json

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stockbench.errors import ParseError, StockbenchError
from stockbench.fakemarket import EMPTY_SHELL, generate_market, render_item_page
from stockbench.fakemarket.pages import eok_text
from stockbench.market.naver import (
    MAX_TOTAL_COUNT,
    parse_eok,
    parse_item_page,
    parse_polling,
    parse_ranking_page,
)

from ..hostile import HOSTILE, deep_json, digit_strings, huge_ints, json_doc, json_with_huge_int
from .jsondocs import stock


def test_real_capture_of_005930(raw_fixture) -> None:
    quote = parse_item_page(raw_fixture("naver_item_main_005930_2026-03-04.html"), code="005930")
    assert (quote.price, quote.market_cap_eok, quote.volume) == (187100, 11075643, 23787856)
    assert quote.name == "삼성전자"


@pytest.mark.parametrize(
    ("text", "eok"),
    [
        ("\n\t\t1,107조\n\t\t\t5,643\n\t", 11_075_643),
        ("5,643", 5_643),
        ("3조 80", 30_080),
        ("3조", 30_000),
        ("1,102조 2,366억", 11_022_366),
        ("737억원", 737),
        ("0", 0),
    ],
)
def test_parse_eok_examples(text: str, eok: int) -> None:
    assert parse_eok(text, source="t") == eok


@pytest.mark.parametrize("text", ["", "조", "1.5조", "3조 12,000", "-5", "abc", "1,10조"])
def test_parse_eok_rejects(text: str) -> None:
    with pytest.raises(ParseError, match="market_cap"):
        parse_eok(text, source="t")


@given(st.integers(min_value=0, max_value=10**12))
def test_eok_round_trip_with_the_fake_markets_spelling(value: int) -> None:
    assert parse_eok(eok_text(value), source="t") == value


@given(st.binary(max_size=2000))
def test_item_parser_raises_only_parse_error(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_item_page(data, code="005930")


@given(st.binary(max_size=500) | st.text(max_size=300).map(str.encode))
def test_json_parsers_raise_only_parse_error(data: bytes) -> None:
    for parse in (parse_ranking_page, parse_polling):
        with contextlib.suppress(ParseError):
            parse(data)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=8),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=8,
)


@given(
    st.fixed_dictionaries(
        {
            "stocks": st.lists(
                st.dictionaries(
                    st.sampled_from(
                        ["itemCode", "closePrice", "marketValue", "accumulatedTradingVolume"]
                    ),
                    json_values,
                ),
                max_size=3,
            ),
            "totalCount": json_values,
        }
    )
)
def test_ranking_parser_on_json_shaped_garbage(doc: dict[str, object]) -> None:
    with contextlib.suppress(ParseError):
        parse_ranking_page(json.dumps(doc).encode())


def test_generated_pages_parse_to_the_truth_and_nxt_is_ignored() -> None:
    market = generate_market(seed=3, n_kospi=20, n_kosdaq=20, n_konex=5, n_etf=0, n_alphanumeric=5)
    for company in market.companies[:25]:
        page = render_item_page(company)
        assert 150_000 < len(page) < 250_000
        quote = parse_item_page(page, code=company.code)
        assert (quote.price, quote.market_cap_eok, quote.volume) == (
            company.price,
            company.market_cap_eok,
            company.volume,
        )
        assert company.nxt_price != company.price


def test_cp949_page_is_sniffed() -> None:
    company = generate_market(seed=5, n_kospi=3, n_kosdaq=0, n_konex=0, n_etf=0).companies[0]
    page = render_item_page(company).decode("utf-8").replace("charset=utf-8", "charset=euc-kr")
    quote = parse_item_page(page.encode("cp949"), code=company.code)
    assert quote.price == company.price
    assert quote.name == company.name


def test_empty_shell_names_the_missing_block() -> None:
    with pytest.raises(ParseError, match=r"item page 123456: rate_info_krx"):
        parse_item_page(EMPTY_SHELL, code="123456")


def test_missing_volume_cell_is_a_structural_error() -> None:
    company = generate_market(seed=5, n_kospi=3, n_kosdaq=0, n_konex=0, n_etf=0).companies[0]
    page = render_item_page(company).replace("거래량".encode(), b"xx")
    with pytest.raises(ParseError, match="volume"):
        parse_item_page(page, code=company.code)


def test_ranking_page_fields() -> None:
    doc = {
        "stocks": [
            {
                "itemCode": "005930",
                "stockName": "삼성전자",
                "closePrice": "187,100",
                "marketValue": "11,075,643",
                "accumulatedTradingVolume": "23,787,856",
                "stockEndType": "stock",
            },
            {
                "itemCode": "069500",
                "stockName": "KODEX 200",
                "closePrice": "6,200",
                "marketValue": "737",
                "accumulatedTradingVolume": "10,229",
                "stockEndType": "etf",
            },
        ],
        "totalCount": 2,
    }
    page = parse_ranking_page(json.dumps(doc).encode())
    assert page.total_count == 2
    assert [e.end_type for e in page.entries] == ["stock", "etf"]
    assert page.entries[0].quote.market_cap_eok == 11_075_643
    assert page.entries[0].quote.volume == 23_787_856


def test_polling_market_value_is_optional_but_code_is_validated() -> None:
    ok = {"datas": [{"itemCode": "0088M0", "closePrice": "9,990", "accumulatedTradingVolume": "5"}]}
    (quote,) = parse_polling(json.dumps(ok).encode()).quotes
    assert quote.code == "0088M0"
    assert quote.market_cap_eok is None
    bad = {"datas": [{"itemCode": 5930, "closePrice": "1", "accumulatedTradingVolume": "1"}]}
    answer = parse_polling(json.dumps(bad).encode())
    assert answer.quotes == ()
    ((code, reason),) = [(r.code, r.reason) for r in answer.rejected]
    assert code is None
    assert "'5930' is not a 6-character stock code" in reason


def test_parse_error_is_part_of_the_tree() -> None:
    assert issubclass(ParseError, StockbenchError)


# --- hostile answers: only ParseError, whatever the shape ------------------------------


@HOSTILE
@given(deep_json | huge_ints.map(json_with_huge_int))
def test_json_parsers_raise_only_parse_error_on_deep_nesting_and_huge_numbers(
    data: bytes,
) -> None:
    for parse in (parse_ranking_page, parse_polling):
        with contextlib.suppress(ParseError):
            parse(data)


@pytest.mark.parametrize(
    ("data", "meaning"),
    [
        (b"[" * 100_000 + b"]" * 100_000, "nested too deep"),
        (json_with_huge_int("9" * 5000), "unreadable JSON"),
        (b"\xff\xfe\x00garbage", "not"),
    ],
)
def test_hostile_documents_are_short_parse_errors(data: bytes, meaning: str) -> None:
    with pytest.raises(ParseError, match=meaning) as info:
        parse_ranking_page(data, source="ranking KOSPI page 1")
    assert len(str(info.value)) < 200


@HOSTILE
@given(
    st.sampled_from(["closePrice", "marketValue", "accumulatedTradingVolume"]),
    digit_strings | huge_ints,
)
def test_an_absurd_number_rejects_its_entry_and_spares_the_others(key: str, text: str) -> None:
    bad = {**stock("005930"), key: text}
    doc = json_doc({"stocks": [bad, stock("000660")], "totalCount": 2})
    page = parse_ranking_page(doc)
    assert [e.quote.code for e in page.entries] == ["000660"] or (
        # a few such texts are real numbers no market forbids (a volume of 0)
        len(page.entries) == 2 and not page.rejected
    )
    for rejected in page.rejected:
        assert rejected.code == "005930"
        assert len(rejected.reason) < 200


@pytest.mark.parametrize(
    ("key", "text", "why"),
    [
        ("closePrice", "0", "price: 0 is outside 1..1,000,000,000"),
        ("closePrice", "1" + "0" * 12, "price: 1000000000000 is outside"),
        ("closePrice", "-5", "not a whole number"),
        ("accumulatedTradingVolume", "9" * 14, "volume: 99999999999999 is outside"),
        ("marketValue", "99,999,999조", "market_cap: 999999990000 is outside"),
        ("closePrice", "9" * 500, "500 digits, more than any quote has"),
    ],
)
def test_values_no_market_has_are_parse_failures_with_their_reason(
    key: str, text: str, why: str
) -> None:
    answer = parse_polling(json_doc({"datas": [{**stock("005930"), key: text}]}))
    assert answer.quotes == ()
    ((code, reason),) = [(r.code, r.reason) for r in answer.rejected]
    assert code == "005930"
    assert why in reason


def test_item_page_with_an_absurd_price_is_a_parse_error() -> None:
    company = generate_market(seed=5, n_kospi=3, n_kosdaq=0, n_konex=0, n_etf=0).companies[0]
    page = render_item_page(company).decode()
    price = f'<span class="blind">{company.price:,}</span>'
    start = page.index(price, page.index('id="rate_info_krx"'))
    absurd = page[:start] + f'<span class="blind">{"9" * 5000}</span>' + page[start + len(price) :]
    with pytest.raises(ParseError, match="price: 5000 digits"):
        parse_item_page(absurd.encode(), code=company.code)


@HOSTILE
@given(st.integers(min_value=MAX_TOTAL_COUNT + 1, max_value=10**4000))
def test_a_total_count_no_market_has_is_a_parse_error(total: int) -> None:
    with pytest.raises(ParseError, match="totalCount"):
        parse_ranking_page(json_doc({"stocks": [], "totalCount": total}))
