"""The market snapshot workload: a listing and a chain of quote sources in, rows and
failures out. Every listed company ends in exactly one of the two."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field

from stockbench.market.krx import Listing
from stockbench.market.records import Company, Failure, Quote, Row
from stockbench.market.sources import Progress, QuoteSource
from stockbench.net import HttpClient

NOT_COVERED = "no source covered this code"
RESUMED = "resumed"  # rows_by_source key of the rows a resumed crawl kept


@dataclass
class Snapshot:
    rows: list[Row] = field(default_factory=list)
    failures: list[Failure] = field(default_factory=list)
    rows_by_source: dict[str, int] = field(default_factory=dict)
    warnings: list[str] = field(default_factory=list)  # pages skipped, entries rejected

    @property
    def rows_ok(self) -> int:
        return len(self.rows)

    def top_by_market_cap(self, n: int = 10) -> list[Row]:
        return sorted(self.rows, key=lambda r: (-r.market_cap_eok, r.code))[:n]


def _row(company: Company, quote: Quote) -> Row | str:
    if quote.market_cap_eok is None:
        return "the source gave no market cap"
    market = company.market.value if company.market else ""
    return Row(company.name, company.code, market, quote.price, quote.market_cap_eok, quote.volume)


def snapshot_market(
    listing: Listing | Sequence[Company],
    sources: Sequence[QuoteSource],
    client: HttpClient,
    *,
    done: Iterable[Row] = (),
    progress: Progress | None = None,
    checkpoint: Callable[[Snapshot], None] | None = None,
) -> Snapshot:
    """Price every company of ``listing`` through ``sources`` in order.

    A company a source does not cover is asked of the next one; what none covers, and
    every error, becomes a ``Failure`` with its reason, which also says why the earlier
    sources did not cover it when they said (a failed ranking page). ``done`` rows (a resumed crawl)
    are kept and not fetched again. ``checkpoint`` is called after every chunk of a
    chunked source, with the snapshot so far, so long crawls can be saved as they go.
    """
    companies = list(listing)
    snap = Snapshot()
    kept = {r.code: r for r in done}
    result_rows: dict[str, Row] = {c.code: kept[c.code] for c in companies if c.code in kept}
    if result_rows:
        snap.rows_by_source[RESUMED] = len(result_rows)
        if progress:
            progress(len(result_rows))
    failed: dict[str, str] = {}
    notes: dict[str, list[str]] = {}
    pending = [c for c in companies if c.code not in result_rows]
    order = {c.code: i for i, c in enumerate(companies)}

    def publish() -> None:
        snap.rows = sorted(result_rows.values(), key=lambda r: order[r.code])
        snap.failures = [
            Failure(c.code, c.name, failed[c.code]) for c in companies if c.code in failed
        ]

    def fail(code: str, reason: str) -> None:
        failed[code] = "; ".join([*notes.get(code, ()), reason])

    for source in sources:
        if not pending:
            break
        step = source.chunk_size or len(pending)
        uncovered: list[Company] = []
        for start in range(0, len(pending), step):
            chunk = pending[start : start + step]
            got = source.fetch_quotes(chunk, client, progress)
            snap.warnings.extend(got.warnings)
            for code, note in got.notes.items():
                notes.setdefault(code, []).append(note)
            for company in chunk:
                quote = got.quotes.get(company.code)
                if quote is not None:
                    row = _row(company, quote)
                    if isinstance(row, Row):
                        result_rows[company.code] = row
                        snap.rows_by_source[source.name] = (
                            snap.rows_by_source.get(source.name, 0) + 1
                        )
                    else:
                        fail(company.code, f"{source.name}: {row}")
                elif company.code in got.failures:
                    fail(company.code, f"{source.name}: {got.failures[company.code]}")
                else:
                    uncovered.append(company)
            if checkpoint and source.chunk_size:
                publish()
                checkpoint(snap)
        pending = uncovered
    for company in pending:
        fail(company.code, NOT_COVERED)
    publish()
    return snap
