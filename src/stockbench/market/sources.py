"""Quote sources: one interface, three ways to price a list of companies.

A source is asked for some companies and answers, for each, a quote, a failure with
its reason, or nothing (not covered: the next source in the chain is asked). A company
left uncovered *because something went wrong* (its ranking page failed, its entry was
not a usable quote) carries a note saying so, which ends up in its failure reason if
no later source prices it. One bad answer or entry never stops a source: it becomes
failures or notes, and the source goes on.

- ``PerItemSource``  the original study's method: one legacy item page per company.
- ``RankingSource``  the bulk market-value ranking, 100 rows a request, KOSPI and KOSDAQ.
- ``PollingSource``  the realtime endpoint, many codes a request; an omitted code fails.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from stockbench.errors import FetchError, ParseError, clip
from stockbench.market.naver import parse_item_page, parse_polling, parse_ranking_page
from stockbench.market.records import Company, Market, Quote
from stockbench.net import (
    NAVER_ITEM_URL,
    NAVER_POLLING_URL,
    NAVER_RANKING_URL,
    URL_CHARS,
    HttpClient,
)

Progress = Callable[[int], None]
NOT_IN_POLLING = "not in the polling response (unknown or delisted code)"


@dataclass
class SourceResult:
    quotes: dict[str, Quote] = field(default_factory=dict)
    failures: dict[str, str] = field(default_factory=dict)
    # Uncovered codes -> why this source could not cover them (for a later failure reason).
    notes: dict[str, str] = field(default_factory=dict)
    # One line each for the user: pages skipped, entries rejected.
    warnings: list[str] = field(default_factory=list)


class QuoteSource(Protocol):
    name: str
    # Companies per call when a crawl checkpoints; None = all at once (bulk sources).
    chunk_size: int | None

    def fetch_quotes(
        self, companies: Sequence[Company], client: HttpClient, progress: Progress | None = None
    ) -> SourceResult:
        """Quotes and failures for ``companies``; codes in neither are not covered."""
        ...


def _reason(exc: FetchError | ParseError) -> str:
    """A short reason: what failed, the HTTP status and URL where there were any."""
    if isinstance(exc, FetchError) and exc.status == 409:
        return f"delisted (HTTP 409): {clip(exc.url, URL_CHARS)}"
    return f"{type(exc).__name__}: {exc}"


@dataclass
class PerItemSource:
    """One legacy item page per company, in list order, at the client's rate cap."""

    name: str = "per-item"
    chunk_size: int | None = 20  # checkpoint granularity of a long crawl

    def fetch_quotes(
        self, companies: Sequence[Company], client: HttpClient, progress: Progress | None = None
    ) -> SourceResult:
        result = SourceResult()
        for company in companies:
            try:
                data = client.get(NAVER_ITEM_URL.format(code=company.code))
                result.quotes[company.code] = parse_item_page(data, code=company.code)
            except (FetchError, ParseError) as exc:
                result.failures[company.code] = _reason(exc)
            if progress:
                progress(1)
        return result


@dataclass
class RankingSource:
    """Every page of the market-value ranking of each market, until ``totalCount``.

    Non-stock rows (ETFs, ETNs, ...) are counted and ignored. A page that fails leaves
    its companies uncovered, for the next source in the chain, with a note saying the
    ranking failed; the pages after it are still read when ``totalCount`` is known. A
    page that only repeats codes already seen ends the market (a server looping).
    """

    markets: tuple[Market, ...] = (Market.KOSPI, Market.KOSDAQ)
    page_size: int = 100
    name: str = "ranking"
    chunk_size: int | None = None
    skipped_non_stock: int = 0
    page_errors: list[str] = field(default_factory=list)
    pages_read: dict[Market, int] = field(default_factory=dict)
    failed_pages: dict[Market, list[str]] = field(default_factory=dict)
    rejected: dict[str, str] = field(default_factory=dict)  # code -> why its entry was refused
    rejected_without_code: list[str] = field(default_factory=list)

    def _page_failed(self, market: Market, reason: str) -> None:
        self.page_errors.append(reason)
        self.failed_pages.setdefault(market, []).append(reason)

    def market_quotes(self, client: HttpClient, market: Market) -> list[Quote]:
        quotes: list[Quote] = []
        seen: set[str] = set()
        page, total = 1, None
        while total is None or (page - 1) * self.page_size < total:
            self.pages_read[market] = self.pages_read.get(market, 0) + 1
            url = NAVER_RANKING_URL.format(market=market.value, page=page, size=self.page_size)
            try:
                doc = parse_ranking_page(client.get(url), source=f"ranking {market} page {page}")
            except (FetchError, ParseError) as exc:
                self._page_failed(market, _reason(exc))
                if total is None:
                    return quotes
                page += 1
                continue
            total = doc.total_count
            codes = {e.quote.code for e in doc.entries} | {r.code for r in doc.rejected if r.code}
            if codes and codes <= seen:
                self._page_failed(market, f"ranking {market} page {page} repeats earlier entries")
                break
            seen |= codes
            for rejected in doc.rejected:
                if rejected.code:
                    self.rejected[rejected.code] = rejected.reason
                else:
                    self.rejected_without_code.append(rejected.reason)
            for entry in doc.entries:
                if entry.end_type == "stock":
                    quotes.append(entry.quote)
                else:
                    self.skipped_non_stock += 1
            if not doc.entries and not doc.rejected:
                break
            page += 1
        return quotes

    def _note(self, company: Company) -> str | None:
        """Why ``company`` may be missing from the ranking, when something went wrong."""
        if company.code in self.rejected:
            return f"{self.name}: {self.rejected[company.code]}"
        markets = [company.market] if company.market else list(self.failed_pages)
        for market in markets:
            failed = self.failed_pages.get(market)
            if failed:
                read = self.pages_read.get(market, len(failed))
                return (
                    f"{self.name}: {len(failed)} of {read} {market} pages failed "
                    f"(first: {clip(failed[0], 200)})"
                )
        return None

    def fetch_quotes(
        self, companies: Sequence[Company], client: HttpClient, progress: Progress | None = None
    ) -> SourceResult:
        wanted = {c.code for c in companies}
        markets = {c.market for c in companies}
        result = SourceResult()
        for market in self.markets:
            if None not in markets and market not in markets:
                continue  # nothing asked for lives there
            for quote in self.market_quotes(client, market):
                if quote.code in wanted and quote.code not in result.quotes:
                    result.quotes[quote.code] = quote
        for company in companies:
            note = None if company.code in result.quotes else self._note(company)
            if note:
                result.notes[company.code] = note
        for market, failed in self.failed_pages.items():
            result.warnings.append(
                f"{self.name}: skipped {len(failed)} of {self.pages_read[market]} {market} "
                f"pages (first: {clip(failed[0], 200)})"
            )
        bad = len(self.rejected) + len(self.rejected_without_code)
        if bad:
            first = next(iter(self.rejected.values()), None) or self.rejected_without_code[0]
            result.warnings.append(
                f"{self.name}: rejected {bad} entries (first: {clip(first, 200)})"
            )
        if progress:
            progress(len(result.quotes))
        return result


@dataclass
class PollingSource:
    """The realtime endpoint, ``batch_size`` codes a request."""

    batch_size: int = 200
    name: str = "polling"
    chunk_size: int | None = None

    def fetch_quotes(
        self, companies: Sequence[Company], client: HttpClient, progress: Progress | None = None
    ) -> SourceResult:
        result = SourceResult()
        codes = [c.code for c in companies]
        for start in range(0, len(codes), self.batch_size):
            batch = codes[start : start + self.batch_size]
            url = NAVER_POLLING_URL.format(codes=",".join(batch))
            try:
                source = f"polling batch {start // self.batch_size + 1}"
                answer = parse_polling(client.get(url), source=source)
            except (FetchError, ParseError) as exc:
                for code in batch:
                    result.failures[code] = _reason(exc)
            else:
                got = {q.code: q for q in answer.quotes}
                refused = {r.code: r.reason for r in answer.rejected if r.code}
                for code in batch:
                    if code in got:
                        result.quotes[code] = got[code]
                    elif code in refused:
                        result.failures[code] = f"ParseError: {refused[code]}"
                    else:
                        result.failures[code] = NOT_IN_POLLING
            if progress:
                progress(len(batch))
        return result


SOURCE_NAMES = ("ranking", "per-item", "polling")


def default_chain(name: str) -> list[QuoteSource]:
    """The sources a named crawl asks, in order. ``ranking`` falls back to polling."""
    if name == "ranking":
        return [RankingSource(), PollingSource()]
    if name == "per-item":
        return [PerItemSource()]
    if name == "polling":
        return [PollingSource()]
    raise ValueError(f"unknown source {name!r}; choose from {', '.join(SOURCE_NAMES)}")
