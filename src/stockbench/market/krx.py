"""The KRX (KIND) company list: an EUC-KR HTML table served with an ``.xls`` name.

``parse_listing`` takes the downloaded bytes and returns every company, plus every row
it could not use and why. Both layouts are read by header name: the 10-column list
(with 시장구분, since about 2023) and the older 9-column one without it.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import date

from selectolax.lexbor import LexborHTMLParser, LexborNode

from stockbench.errors import ParseError
from stockbench.market.records import Company, Market, validate_code

KRX_ENCODING = "cp949"  # superset of EUC-KR; KIND declares euc-kr but uses cp949 names

MARKET_NAMES: dict[str, Market] = {
    "유가": Market.KOSPI,
    "유가증권": Market.KOSPI,
    "코스피": Market.KOSPI,
    "코스닥": Market.KOSDAQ,
    "코넥스": Market.KONEX,
}

COL_NAME = "회사명"
COL_MARKET = "시장구분"
COL_CODE = "종목코드"
COL_SECTOR = "업종"
COL_LISTED = "상장일"


@dataclass(frozen=True, slots=True)
class RejectedRow:
    """A table row that is not a usable company; ``row`` counts data rows from 1."""

    row: int
    text: str
    reason: str


@dataclass(frozen=True, slots=True)
class Listing:
    companies: tuple[Company, ...]
    rejected: tuple[RejectedRow, ...] = field(default=())
    has_market_column: bool = True

    def __len__(self) -> int:
        return len(self.companies)

    def __iter__(self) -> Iterator[Company]:
        return iter(self.companies)

    def select(self, *, codes: Sequence[str] | None = None, limit: int | None = None) -> Listing:
        """The companies with the given codes (in list order), then the first ``limit``."""
        chosen: Sequence[Company] = self.companies
        if codes is not None:
            wanted = set(codes)
            chosen = [c for c in chosen if c.code in wanted]
        if limit is not None:
            chosen = chosen[:limit]
        return Listing(tuple(chosen), self.rejected, self.has_market_column)


def decode_listing(data: bytes, *, source: str = "KRX list") -> str:
    try:
        return data.decode(KRX_ENCODING)
    except UnicodeDecodeError as exc:
        raise ParseError(
            f"not {KRX_ENCODING} text (byte {exc.start}: {data[exc.start : exc.start + 4]!r})",
            source=source,
        ) from exc


def _cell_text(node: LexborNode) -> str:
    return " ".join(node.text(deep=True).split())


def _header(table: LexborNode, source: str) -> list[str]:
    heads = [_cell_text(th) for th in table.css("th")]
    if COL_NAME not in heads or COL_CODE not in heads:
        raise ParseError(
            f"header {heads!r} lacks {COL_NAME} or {COL_CODE}", source=source, field="header"
        )
    return heads


def _parse_date(text: str) -> date | None:
    try:
        return date.fromisoformat(text)
    except ValueError:
        return None


def parse_listing(data: bytes, *, source: str = "KRX list") -> Listing:
    """Parse a KIND company-list download into companies and rejected rows."""
    text = decode_listing(data, source=source)
    tree = LexborHTMLParser(text)
    table = tree.css_first("table")
    if table is None:
        raise ParseError("no <table> in the document", source=source, field="table")
    heads = _header(table, source)
    col = {name: i for i, name in enumerate(heads)}
    has_market = COL_MARKET in col
    companies: list[Company] = []
    rejected: list[RejectedRow] = []
    seen: set[str] = set()
    row_no = 0
    for tr in table.css("tr"):
        cells = [_cell_text(td) for td in tr.css("td")]
        if not cells:
            continue  # the header row
        row_no += 1
        if len(cells) != len(heads):
            rejected.append(
                RejectedRow(
                    row_no, " | ".join(cells), f"{len(cells)} cells, header has {len(heads)}"
                )
            )
            continue
        name = cells[col[COL_NAME]]
        try:
            code = validate_code(cells[col[COL_CODE]], source=source)
        except ParseError as exc:
            rejected.append(RejectedRow(row_no, name, str(exc)))
            continue
        market: Market | None = None
        if has_market:
            label = cells[col[COL_MARKET]]
            market = MARKET_NAMES.get(label)
            if market is None:
                rejected.append(RejectedRow(row_no, name, f"unknown market {label!r}"))
                continue
        if not name:
            rejected.append(RejectedRow(row_no, code, "empty company name"))
            continue
        if code in seen:
            rejected.append(RejectedRow(row_no, name, f"duplicate code {code}"))
            continue
        seen.add(code)
        sector = cells[col[COL_SECTOR]] or None if COL_SECTOR in col else None
        listed = _parse_date(cells[col[COL_LISTED]]) if COL_LISTED in col else None
        companies.append(Company(name, code, market, sector, listed))
    if not companies and not rejected:
        raise ParseError("the table has no data rows", source=source, field="rows")
    return Listing(tuple(companies), tuple(rejected), has_market)
