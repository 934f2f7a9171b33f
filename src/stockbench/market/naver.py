"""Parsers for Naver Finance formats. Bytes in, typed records out; no I/O here.

- the legacy PC item page (``/item/main.naver``, retired 2026-09-10, still the original
  study's method and an offline format);
- the bulk market-value ranking JSON (``m.stock.naver.com/api/stocks/marketValue``);
- the realtime polling JSON (``polling.finance.naver.com/api/realtime/...``).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any

from selectolax.lexbor import LexborHTMLParser, LexborNode

from stockbench.errors import ForeignErrors, ParseError, clip, parse_error
from stockbench.market.records import CODE_PATTERN, Quote, check_quote, validate_code

EOK_PER_JO = 10_000
# More digits than any real quote has (see records.MAX_*): refused before int() is
# asked to convert them, so a hostile number of any length is a ParseError.
MAX_DIGITS = 15
_INT = re.compile(r"^[0-9]{1,3}(,[0-9]{3})*$|^[0-9]+$")
_EOK = re.compile(r"^(?:(?P<jo>[0-9,]+)\s*조)?\s*(?P<eok>[0-9,]+)?\s*(?:억원|억)?$")


def parse_int(text: str, *, source: str, field: str) -> int:
    """``"23,787,856"`` -> 23787856. Anything else is a ``ParseError``."""
    cleaned = text.strip()
    if not _INT.match(cleaned):
        raise ParseError(f"{clip(text)!r} is not a whole number", source=source, field=field)
    digits = cleaned.replace(",", "")
    if len(digits) > MAX_DIGITS:
        raise ParseError(
            f"{len(digits)} digits, more than any quote has", source=source, field=field
        )
    return int(digits)


def parse_eok(text: str, *, source: str, field: str = "market_cap") -> int:
    """A market cap in 억원 from Naver's text: ``"1,107조 5,643"`` -> 11075643.

    The 조 part is absent below 1조 (``"5,643"``), the 억 part may be absent on round
    values (``"3조"``), and whitespace of any kind (the page wraps it in tabs and
    newlines) and a trailing ``억원``/``억`` are allowed.
    """
    compact = " ".join(text.split())
    m = _EOK.match(compact)
    if not compact or m is None or (m["jo"] is None and m["eok"] is None):
        raise ParseError(f"{clip(compact)!r} is not a 조/억 amount", source=source, field=field)
    jo = parse_int(m["jo"], source=source, field=field) if m["jo"] else 0
    eok = parse_int(m["eok"], source=source, field=field) if m["eok"] else 0
    if m["jo"] and eok >= EOK_PER_JO:
        raise ParseError(f"{clip(compact)!r}: 억 part exceeds 9,999", source=source, field=field)
    return jo * EOK_PER_JO + eok


def decode_page(data: bytes, *, source: str) -> str:
    """Decode a page by trying UTF-8 then cp949; headers are not trusted (they lie)."""
    for encoding in ("utf-8", "cp949"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise ParseError("neither UTF-8 nor cp949 text", source=source, field="encoding")


def _blind(node: LexborNode | None) -> str | None:
    if node is None:
        return None
    span = node.css_first("span.blind")
    return None if span is None else span.text()


def parse_item_page(data: bytes, *, code: str) -> Quote:
    """Price, market cap and volume of the KRX session from a legacy item page.

    Selectors are scoped to ``#rate_info_krx``: the page also carries a Nextrade block
    (``#rate_info_nxt``) whose ``p.no_today`` would otherwise match first-or-second.
    """
    source = f"item page {code}"
    tree = LexborHTMLParser(decode_page(data, source=source))
    krx = tree.css_first("#rate_info_krx")
    if krx is None:
        raise ParseError(
            "no KRX price block (#rate_info_krx); retired or delisted page?",
            source=source,
            field="rate_info_krx",
        )
    price_text = _blind(krx.css_first("p.no_today"))
    if price_text is None:
        raise ParseError("no price in p.no_today", source=source, field="price")
    volume_text = None
    for td in krx.css("table.no_info td"):
        label = td.css_first("span.sptxt")
        if label is not None and label.text().strip() == "거래량":
            volume_text = _blind(td)
            break
    if volume_text is None:
        raise ParseError("no 거래량 cell in table.no_info", source=source, field="volume")
    cap_node = tree.css_first("em#_market_sum")
    if cap_node is None:
        raise ParseError("no em#_market_sum", source=source, field="market_cap")
    name_node = tree.css_first("div.wrap_company h2 a")
    quote = Quote(
        code=code,
        price=parse_int(price_text, source=source, field="price"),
        market_cap_eok=parse_eok(cap_node.text(), source=source),
        volume=parse_int(volume_text, source=source, field="volume"),
        name=name_node.text().strip() if name_node is not None else None,
    )
    return check_quote(quote, source=source)


# --- JSON endpoints -------------------------------------------------------------------

# No market lists more companies than this; a larger totalCount is not a ranking.
MAX_TOTAL_COUNT = 100_000
JSON_ERRORS: ForeignErrors = {
    RecursionError: "nested too deep",
    UnicodeDecodeError: "not UTF-8 text",
    json.JSONDecodeError: "not JSON",
    ValueError: "unreadable JSON",  # e.g. an integer of thousands of digits
}


@dataclass(frozen=True, slots=True)
class RejectedEntry:
    """An entry of a JSON answer that is not a usable quote; ``code`` when it had one."""

    code: str | None
    reason: str


@dataclass(frozen=True, slots=True)
class RankingEntry:
    quote: Quote
    end_type: str  # "stock", "etf", "etn", ...


@dataclass(frozen=True, slots=True)
class RankingPage:
    entries: tuple[RankingEntry, ...]
    total_count: int
    rejected: tuple[RejectedEntry, ...] = ()


@dataclass(frozen=True, slots=True)
class PollingAnswer:
    quotes: tuple[Quote, ...]
    rejected: tuple[RejectedEntry, ...] = ()


def _load_json(data: bytes, *, source: str) -> Any:
    try:
        return json.loads(data)
    except tuple(JSON_ERRORS) as exc:
        raise parse_error(exc, JSON_ERRORS, source=source, field="body") from exc


def _require(obj: dict[str, Any], key: str, *, source: str) -> Any:
    if key not in obj:
        raise ParseError(f"missing key {key!r}", source=source, field=key)
    return obj[key]


def _as_str(value: Any, *, source: str, field: str) -> str:
    if isinstance(value, bool) or not isinstance(value, (str, int)):
        raise ParseError(
            f"expected a string, got {type(value).__name__}", source=source, field=field
        )
    return str(value)


def _json_quote(item: Any, *, source: str, cap_required: bool) -> Quote:
    if not isinstance(item, dict):
        raise ParseError(
            f"entry is a {type(item).__name__}, not an object", source=source, field="entry"
        )
    code = validate_code(
        _as_str(_require(item, "itemCode", source=source), source=source, field="itemCode"),
        source=source,
    )
    src = f"{source} {code}"

    def num(key: str) -> int:
        raw = _as_str(_require(item, key, source=src), source=src, field=key)
        return parse_int(raw, source=src, field=key)

    cap: int | None
    if cap_required or item.get("marketValue") is not None:
        cap = parse_eok(
            _as_str(_require(item, "marketValue", source=src), source=src, field="marketValue"),
            source=src,
            field="marketValue",
        )
    else:
        cap = None
    name = item.get("stockName")
    quote = Quote(
        code,
        num("closePrice"),
        cap,
        num("accumulatedTradingVolume"),
        name if isinstance(name, str) else None,
    )
    return check_quote(quote, source=src)


def _entry_code(item: Any) -> str | None:
    """The entry's stock code when it has a valid one (to fail that company by name)."""
    code = item.get("itemCode") if isinstance(item, dict) else None
    return code if isinstance(code, str) and CODE_PATTERN.match(code) else None


def _quotes(
    items: list[Any], *, source: str, cap_required: bool
) -> tuple[list[tuple[Quote, Any]], list[RejectedEntry]]:
    """Each entry as a quote, or rejected with its reason: one bad entry spoils no other."""
    good: list[tuple[Quote, Any]] = []
    rejected: list[RejectedEntry] = []
    for item in items:
        try:
            good.append((_json_quote(item, source=source, cap_required=cap_required), item))
        except ParseError as exc:
            rejected.append(RejectedEntry(_entry_code(item), str(exc)))
    return good, rejected


def _object_with_list(data: bytes, key: str, *, source: str) -> tuple[dict[str, Any], list[Any]]:
    """A JSON object and its list under ``key``; anything else is a ``ParseError``."""
    doc = _load_json(data, source=source)
    if not isinstance(doc, dict):
        raise ParseError("top level is not an object", source=source, field="body")
    items = _require(doc, key, source=source)
    if not isinstance(items, list):
        raise ParseError(f"{key!r} is not a list", source=source, field=key)
    return doc, items


def parse_ranking_page(data: bytes, *, source: str = "ranking") -> RankingPage:
    """One page of ``/api/stocks/marketValue/{market}``: entries and ``totalCount``.

    An entry that is not a usable quote is rejected with its reason; the page's other
    entries stand. A page that is not a ranking (not JSON, no list, a ``totalCount``
    no market has) is a ``ParseError``.
    """
    doc, stocks = _object_with_list(data, "stocks", source=source)
    total = _require(doc, "totalCount", source=source)
    if isinstance(total, bool) or not isinstance(total, int) or not 0 <= total <= MAX_TOTAL_COUNT:
        raise ParseError(f"bad totalCount {clip(total, 30)}", source=source, field="totalCount")
    good, rejected = _quotes(stocks, source=source, cap_required=True)
    entries = []
    for quote, item in good:
        end_type = item.get("stockEndType", "stock")
        entries.append(RankingEntry(quote, end_type if isinstance(end_type, str) else "?"))
    return RankingPage(tuple(entries), total, tuple(rejected))


def parse_polling(data: bytes, *, source: str = "polling") -> PollingAnswer:
    """The realtime polling answer: one quote per known code (unknown ones are absent),
    and the entries that are not usable quotes, with their reasons."""
    _, datas = _object_with_list(data, "datas", source=source)
    good, rejected = _quotes(datas, source=source, cap_required=False)
    return PollingAnswer(tuple(q for q, _ in good), tuple(rejected))
