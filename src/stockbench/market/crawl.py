"""A market snapshot saved to CSV as it goes: the listing, the chosen sources, resumable.

What is on disk is never less than before. ``check_output`` runs before the first
request: it refuses an ``out`` that cannot be written or holds something other than a
snapshot, and returns what it holds. Then:

- a crawl that finishes, prices at least one company and is not ``resume`` *replaces*
  the files with its snapshot (the failures file gives the reason for every company
  without a row);
- every other run *adds to* them: a resumed crawl, an interrupted one, one that priced
  nothing. Rows already in the file stay unless this run fetched the same company
  again; rows of companies outside the selection always stay. An interrupted run that
  fetched nothing new writes nothing.

Rows are kept in KRX list order (``order``); rows of codes no longer listed follow, in
the order the file had them.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path

from stockbench.errors import ConfigError, ParseError, clip
from stockbench.files import why_unwritable
from stockbench.market.csvfile import failures_path, parse_failures, parse_rows, write_snapshot
from stockbench.market.krx import Listing
from stockbench.market.records import CODE_PATTERN, Failure, Row
from stockbench.market.snapshot import RESUMED, Snapshot, snapshot_market
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
        if self.codes is not None and not self.codes:
            raise ConfigError("no stock code given", setting="codes")
        for code in self.codes or ():
            if not CODE_PATTERN.match(code):
                raise ConfigError(
                    f"{clip(code, 20)!r} is not a 6-character stock code", setting="codes"
                )
        default_chain(self.source)  # raises ValueError on an unknown name


@dataclass(frozen=True, slots=True)
class OnDisk:
    """What the rows file and its failures file held before this run."""

    rows: tuple[Row, ...] = ()
    failures: tuple[Failure, ...] = ()


@dataclass
class CrawlResult:
    snapshot: Snapshot  # this run's: fetched rows (and resumed ones), failures
    companies: int
    elapsed_s: float
    stats: FetchStats
    out: Path
    failures_out: Path
    interrupted: bool = False
    written: bool = True  # False: the files were left exactly as they were
    saved: Snapshot = field(default_factory=Snapshot)  # what the files hold now
    rows_before: int = 0

    @property
    def rows_fetched(self) -> int:
        """Rows this run fetched (resumed ones not counted)."""
        return self.snapshot.rows_ok - self.snapshot.rows_by_source.get(RESUMED, 0)

    @property
    def rows_kept(self) -> int:
        """Rows in the file that this run did not fetch: resumed, or kept from before."""
        return self.saved.rows_ok - self.rows_fetched


def _read_bytes(path: Path) -> bytes | None:
    """The bytes of ``path``; None when it is absent."""
    try:
        return path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read it ({exc.strerror or exc})", setting="out") from exc


def check_output(plan: CrawlPlan) -> OnDisk:
    """What ``plan.out`` holds, after checking it can be written: before any request.

    ``ConfigError`` when the rows file or its failures file cannot be written, or when
    the rows file holds something other than a snapshot (it is never overwritten then).
    A failures file that does not read back is replaced (it only repeats reasons).
    """
    fail = failures_path(plan.out)
    for path in (plan.out, fail):
        reason = why_unwritable(path)
        if reason:
            raise ConfigError(f"{path}: {reason}", setting="out")
    try:
        rows = parse_rows(_read_bytes(plan.out) or b"", source=str(plan.out))
    except ParseError as exc:
        raise ConfigError(
            f"not a snapshot this program wrote: {exc}; choose another file or move it away",
            setting="out",
        ) from exc
    try:
        failures = parse_failures(_read_bytes(fail) or b"", source=str(fail))
    except ParseError:
        failures = []
    return OnDisk(tuple(rows), tuple(failures))


def merge(snap: Snapshot, before: OnDisk, order: Sequence[str]) -> Snapshot:
    """``before`` with ``snap`` added: ``snap``'s rows win, other rows stay, and failures
    are kept for the companies that still have no row (this run's reason first)."""
    rows = {r.code: r for r in before.rows}
    rows.update((r.code, r) for r in snap.rows)
    failures = {f.code: f for f in snap.failures if f.code not in rows}
    for f in before.failures:
        if f.code not in rows:
            failures.setdefault(f.code, f)
    rank = {code: i for i, code in enumerate(order)}

    def place(code: str) -> int:
        return rank.get(code, len(rank))

    return Snapshot(
        sorted(rows.values(), key=lambda r: place(r.code)),
        sorted(failures.values(), key=lambda f: place(f.code)),
        dict(snap.rows_by_source),
        list(snap.warnings),
    )


def _same(a: Snapshot, b: Snapshot) -> bool:
    """The same rows and failures, whatever their order."""
    return {r.code: r for r in a.rows} == {r.code: r for r in b.rows} and {
        f.code: f for f in a.failures
    } == {f.code: f for f in b.failures}


def select(listing: Listing, plan: CrawlPlan) -> Listing:
    if plan.codes is not None:
        missing = sorted(set(plan.codes) - {c.code for c in listing})
        if missing:
            raise ConfigError(f"not on the KRX list: {', '.join(missing)}", setting="codes")
    return listing.select(codes=plan.codes, limit=plan.limit)


def run_crawl(
    listing: Listing,
    plan: CrawlPlan,
    client: HttpClient,
    *,
    progress: Progress | None = None,
    on_disk: OnDisk | None = None,
    order: Sequence[str] | None = None,
) -> CrawlResult:
    """Price ``listing`` with ``plan.source`` and write both CSVs atomically.

    ``on_disk`` is what ``check_output(plan)`` returned (called here when not given);
    ``order`` is the code order of the whole KRX list (default: ``listing``'s).
    Chunked sources (per-item) save after every chunk, so the file on disk is always a
    valid result; Ctrl-C stops after the last save, and ``resume`` keeps the rows
    already written instead of fetching them again.
    """
    before = check_output(plan) if on_disk is None else on_disk
    order = [c.code for c in listing] if order is None else order
    wanted = {c.code for c in listing}
    done = [r for r in before.rows if r.code in wanted] if plan.resume else []
    saved = Snapshot(list(before.rows), list(before.failures))
    written = False

    def save(snap: Snapshot, *, finished: bool) -> None:
        nonlocal saved, written
        replace = finished and not plan.resume and snap.rows_ok > 0
        new = snap if replace else merge(snap, before, order)
        if not finished and _same(new, saved):
            return  # nothing new: leave the files exactly as they are
        write_snapshot(new, plan.out)
        saved, written = new, True

    start = time.perf_counter()
    interrupted = False
    snap = Snapshot(rows=list(done))
    last = snap  # the most complete snapshot known, for a save after Ctrl-C
    finished = False

    def checkpoint(partial: Snapshot) -> None:
        nonlocal last
        last = Snapshot(list(partial.rows), list(partial.failures), dict(partial.rows_by_source))
        save(last, finished=False)

    try:
        snap = snapshot_market(
            listing,
            default_chain(plan.source),
            client,
            done=done,
            progress=progress,
            checkpoint=checkpoint,
        )
        last, finished = snap, True
        save(snap, finished=True)
    except KeyboardInterrupt:
        interrupted = True
        snap = last
        save(snap, finished=finished)  # a Ctrl-C during the final save saves it again
    return CrawlResult(
        snap,
        len(listing),
        time.perf_counter() - start,
        client.stats,
        plan.out,
        failures_path(plan.out),
        interrupted,
        written,
        saved,
        len(before.rows),
    )
