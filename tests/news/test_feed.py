from __future__ import annotations

import contextlib
import html
from datetime import UTC, datetime

import pytest
from hypothesis import given
from hypothesis import strategies as st

from stockbench.data import news_feed
from stockbench.errors import ParseError
from stockbench.news.feed import DEFAULT_LIMIT, SkippedItem, parse_feed

from ..hostile import HOSTILE, extreme_dates


def rss(items: str, encoding: str = "UTF-8") -> str:
    return (
        f'<?xml version="1.0" encoding="{encoding}"?>\n<rss version="2.0"><channel>'
        f"<title>t</title>{items}</channel></rss>"
    )


def test_news_feed_has_enough_realistic_korean_headlines() -> None:
    feed = parse_feed(news_feed(), limit=None)
    assert len(feed.headlines) >= 150
    assert feed.skipped == ()
    lengths = [len(t) for t in feed.titles]
    assert min(lengths) >= 15
    assert max(lengths) <= 80
    assert all(any("\uac00" <= ch <= "\ud7a3" for ch in t) for t in feed.titles)
    assert all(
        h.published is not None and h.published.utcoffset().total_seconds() == 9 * 3600
        for h in feed.headlines
    )
    assert len(set(feed.titles)) > 140


def test_limit_keeps_the_first_n_like_the_original() -> None:
    assert len(parse_feed(news_feed()).headlines) == DEFAULT_LIMIT
    assert parse_feed(news_feed(), limit=3).titles == parse_feed(news_feed(), limit=None).titles[:3]


def test_cdata_entities_and_whitespace() -> None:
    items = (
        "<item><title><![CDATA[  코스피 <급등>  마감 ]]></title><link>http://x/1</link>"
        "<pubDate>Wed, 25 Nov 2026 09:10:00 +0900</pubDate>"
        "<category><![CDATA[경제]]></category></item>"
        "<item><title>S&amp;P500 &#8216;사상 최고&#8217; &amp;quot;랠리&amp;quot;</title></item>"
    )
    feed = parse_feed(rss(items).encode())
    first, second = feed.headlines
    assert first.title == "코스피 <급등> 마감"
    assert first.link == "http://x/1"
    assert first.category == "경제"
    assert first.published == datetime(2026, 11, 25, 0, 10, tzinfo=UTC)
    assert second.title == 'S&P500 \u2018사상 최고\u2019 "랠리"'
    assert (second.link, second.published, second.category) == (None, None, None)


def test_blank_and_missing_titles_are_reported_not_dropped() -> None:
    items = (
        "<item><title>  </title></item><item><link>http://x</link></item>"
        "<item><title><![CDATA[]]></title></item><item><title>남은 기사</title></item>"
    )
    feed = parse_feed(rss(items).encode())
    assert feed.titles == ["남은 기사"]
    assert [(s.index, s.reason) for s in feed.skipped] == [
        (0, "blank <title>"),
        (1, "no <title>"),
        (2, "blank <title>"),
    ]


def test_bad_date_is_none_not_an_error() -> None:
    feed = parse_feed(rss("<item><title>a</title><pubDate>어제</pubDate></item>").encode())
    assert feed.headlines[0].published is None


def test_declared_euc_kr_feed() -> None:
    data = rss("<item><title>원·달러 환율 하락</title></item>", encoding="EUC-KR").encode("cp949")
    assert parse_feed(data).titles == ["원·달러 환율 하락"]


def test_empty_feed() -> None:
    feed = parse_feed(rss("").encode())
    assert feed.headlines == ()
    assert feed.title == "t"


@pytest.mark.parametrize(
    ("data", "field"),
    [
        (b"<rss><channel><item><title>x</title></channel></rss>", "xml"),
        (b"", "xml"),
        (b"<html><body>not rss</body></html>", "rss"),
        (b"<rss version='2.0'></rss>", "channel"),
        (b'<?xml version="1.0" encoding="NO-SUCH-CODEC"?><rss/>', None),
    ],
)
def test_malformed_documents_raise_parse_error_naming_the_source(
    data: bytes, field: str | None
) -> None:
    with pytest.raises(ParseError, match=r"^my feed: ") as info:
        parse_feed(data, source="my feed")
    if field:
        assert info.value.field == field


def test_external_entities_are_not_resolved(tmp_path) -> None:  # type: ignore[no-untyped-def]
    secret = tmp_path / "secret.txt"
    secret.write_text("TOP-SECRET")
    data = (
        f'<?xml version="1.0"?><!DOCTYPE rss [<!ENTITY x SYSTEM "file://{secret}">]>'
        "<rss><channel><item><title>a&x;</title></item></channel></rss>"
    ).encode()
    try:
        feed = parse_feed(data)
    except ParseError:
        return
    assert "TOP-SECRET" not in " ".join(feed.titles)


@given(st.binary(max_size=1000))
def test_arbitrary_bytes_raise_only_parse_error(data: bytes) -> None:
    with contextlib.suppress(ParseError):
        parse_feed(data)


# --- hostile feeds: extreme dates, deep nesting, titles that are no headlines ----------


@HOSTILE
@given(extreme_dates)
def test_a_date_no_calendar_holds_is_none_and_the_item_stays(text: str) -> None:
    item = f"<item><title>a</title><pubDate>{html.escape(text)}</pubDate></item>"
    (headline,) = parse_feed(rss(item).encode()).headlines
    assert headline.title == "a"
    if headline.published is not None:
        assert headline.published.utcoffset() is not None


@pytest.mark.parametrize(
    "date",
    [
        "Mon, 01 Jan 99999999999999999999 00:00:00 +0900",  # past a C long
        "Mon, 01 Jan 10000 00:00:00 +0900",  # past datetime's year 9999
        "Mon, 01 Jan 2026 00:00:00 +9999",  # an offset of four days
        "Mon, 01 Jan 2026 00:00:00 -99999999999999999999999",
        "Mon, 99 Jan 2026 00:00:00 +0900",
        "Mon, 01 Jan 2026 00:00:00 -0000",  # a zone unknown: not a moment
    ],
)
def test_extreme_dates_and_zones(date: str) -> None:
    feed = parse_feed(rss(f"<item><title>a</title><pubDate>{date}</pubDate></item>").encode())
    assert feed.headlines[0].published is None


@HOSTILE
@given(st.integers(min_value=1, max_value=50_000) | st.integers(min_value=248, max_value=258))
def test_nesting_of_any_depth_is_a_headline_or_a_parse_error(depth: int) -> None:
    title = "<b>" * depth + "x" + "</b>" * depth
    data = rss(f"<item><title>{title}</title></item>").encode()
    if depth <= 252:  # lxml's limit is 256 levels, rss/channel/item/title and text included
        assert parse_feed(data).titles == ["x"]
        return
    with pytest.raises(ParseError, match="Excessive depth") as info:
        parse_feed(data)
    assert len(str(info.value)) < 200


def test_a_title_no_headline_has_is_skipped_and_counted() -> None:
    items = f"<item><title>{'가' * 5000}</title></item><item><title>남은 기사</title></item>"
    feed = parse_feed(rss(items).encode())
    assert feed.titles == ["남은 기사"]
    assert feed.skipped == (SkippedItem(0, "<title> of 5,000 characters is no headline"),)
