"""A market snapshot saved to CSV as it goes: the listing, the chosen sources, resumable."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from stockbench.errors import ConfigError
from stockbench.market.csvfile import read_rows, write_snapshot
from stockbench.market.krx import Listing
from stockbench.market.records import CODE_PATTERN, Row
from stockbench.market.snapshot import Snapshot, snapshot_market
from stockbench.market.sources import Progress, default_chain
from stockbench.net import FetchStats, HttpClient

DEFAULT_OUT = Path("krx_analysis_result.csv")


@dataclass(frozen=True, slots=True)
class CrawlPlan:
    source: str = "ranking"
    codes: tuple[str, ...] | None = None
    limit: int | None = None
    out: Path = DEFAULT_OUT
    resume: bool = False

    def __post_init__(self) -> None:
        if self.limit is not None and self.limit < 1:
            raise ConfigError(f"must be >= 1, got {self.limit}", setting="limit")
        for code in self.codes or ():
            if not CODE_PATTERN.match(code):
                raise ConfigError(f"{code!r} is not a 6-character stock code", setting="codes")
        default_chain(self.source)  # raises ValueError on an unknown name


@dataclass
class CrawlResult:
    snapshot: Snapshot
    companies: int
    elapsed_s: float
    stats: FetchStats
    out: Path
    failures_out: Path
    interrupted: bool = False


def select(listing: Listing, plan: CrawlPlan) -> Listing:
    if plan.codes is not None:
        missing = sorted(set(plan.codes) - {c.code for c in listing})
        if missing:
            raise ConfigError(f"not on the KRX list: {', '.join(missing)}", setting="codes")
    return listing.select(codes=plan.codes, limit=plan.limit)


def run_crawl(
    listing: Listing, plan: CrawlPlan, client: HttpClient, *, progress: Progress | None = None
) -> CrawlResult:
    """Price ``listing`` with ``plan.source`` and write both CSVs atomically.

    Chunked sources (per-item) save the CSVs after every chunk, so the file on disk is
    always a valid partial result; Ctrl-C stops after the last save, and ``resume``
    keeps the rows already written instead of fetching them again.
    """
    done: list[Row] = []
    if plan.resume and plan.out.exists():
        wanted = {c.code for c in listing}
        done = [r for r in read_rows(plan.out) if r.code in wanted]
    saved = Snapshot(rows=list(done))

    def checkpoint(snap: Snapshot) -> None:
        nonlocal saved
        write_snapshot(snap, plan.out)
        saved = Snapshot(list(snap.rows), list(snap.failures), dict(snap.rows_by_source))

    start = time.perf_counter()
    interrupted = False
    try:
        snap = snapshot_market(
            listing,
            default_chain(plan.source),
            client,
            done=done,
            progress=progress,
            checkpoint=checkpoint,
        )
        out, fail = write_snapshot(snap, plan.out)
    except KeyboardInterrupt:
        interrupted = True
        snap = saved
        out, fail = write_snapshot(snap, plan.out)
    return CrawlResult(
        snap, len(listing), time.perf_counter() - start, client.stats, out, fail, interrupted
    )
