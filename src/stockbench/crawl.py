"""``stockbench crawl``: the listing, the chosen sources, and the CSVs, resumable."""

from __future__ import annotations

import time
from dataclasses import dataclass
from pathlib import Path

from stockbench.errors import ConfigError
from stockbench.krx import Listing, parse_listing
from stockbench.net import KRX_LIST_URL, FetchStats, HttpClient
from stockbench.records import Row, validate_code
from stockbench.snapshot import Snapshot, read_rows, snapshot_market, write_snapshot
from stockbench.sources import Progress, default_chain

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
            raise ConfigError(f"--limit must be >= 1, got {self.limit}")
        for code in self.codes or ():
            validate_code(code, source="--codes")
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


def fetch_listing(client: HttpClient) -> Listing:
    return parse_listing(
        client.get(KRX_LIST_URL), source=f"KRX list {client.endpoints.url(KRX_LIST_URL)}"
    )


def select(listing: Listing, plan: CrawlPlan) -> Listing:
    if plan.codes is not None:
        missing = sorted(set(plan.codes) - {c.code for c in listing})
        if missing:
            raise ConfigError(f"--codes not on the KRX list: {', '.join(missing)}")
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
