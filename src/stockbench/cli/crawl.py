"""``stockbench crawl``: a market snapshot of every listed company, saved to CSV."""

from __future__ import annotations

import argparse
import sys
import unicodedata
from contextlib import AbstractContextManager, nullcontext
from pathlib import Path
from typing import Any

from tqdm import tqdm

from stockbench.cli.common import (
    EXIT_CODES_HELP,
    EXIT_INTERRUPTED,
    CliError,
    add_http_knobs,
    add_origin,
    add_server_knobs,
    http_config,
    market_origin,
    non_negative_float,
    server_config,
)
from stockbench.downloads import fetch_listing
from stockbench.errors import StockbenchError
from stockbench.market.crawl import (
    DEFAULT_OUT,
    CrawlPlan,
    CrawlResult,
    check_output,
    run_crawl,
    select,
)
from stockbench.market.sources import SOURCE_NAMES
from stockbench.net import HttpClient
from stockbench.units import format_mb


def register(sub: Any) -> None:
    crawl = sub.add_parser(
        "crawl", help="snapshot every listed company to CSV", epilog=EXIT_CODES_HELP
    )
    add_origin(crawl)
    crawl.add_argument(
        "--source",
        choices=SOURCE_NAMES,
        default="ranking",
        help="ranking (bulk JSON, then polling) or per-item (the original's "
        "one page per company); default: %(default)s",
    )
    crawl.add_argument("--codes", help="only these listed companies, comma-separated")
    crawl.add_argument("--limit", type=int, help="only the first N companies of the list")
    crawl.add_argument(
        "--out", type=Path, default=DEFAULT_OUT, help="rows CSV (default: %(default)s)"
    )
    crawl.add_argument(
        "--resume",
        action="store_true",
        help="keep every row already in --out and fetch only the selected companies that have none",
    )
    crawl.add_argument(
        "--rate",
        type=non_negative_float,
        default=3.0,
        help="requests per second per host, 0 = no cap (default: %(default)s, "
        "the original's 0.3 s pause)",
    )
    add_http_knobs(crawl)
    crawl.add_argument("--quiet", action="store_true", help="no progress bar")
    add_server_knobs(crawl)
    crawl.set_defaults(run=cmd_crawl)


def progress_bar(total: int, quiet: bool) -> AbstractContextManager[Any]:
    """A progress bar with ETA on stderr, shown only for runs longer than two seconds."""
    if quiet:
        return nullcontext(None)
    bar: AbstractContextManager[Any] = tqdm(
        total=total, unit="co", delay=2.0, file=sys.stderr, dynamic_ncols=True
    )
    return bar


def pad(text: str, width: int) -> str:
    """Left-align ``text`` in ``width`` terminal columns; Hangul takes two columns each."""
    cols = sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)
    return text + " " * max(width - cols, 1)


def print_summary(result: CrawlResult) -> None:
    snap = result.snapshot
    top = snap.top_by_market_cap(10)
    if top:
        print("\nTop 10 by market cap (억원):")
        print(
            f"{pad('name', 24)}{'code':<8}{'market':<8}{'price':>12}{'market_cap_eok':>16}"
            f"{'volume':>14}"
        )
        for r in top:
            print(
                f"{pad(r.name, 24)}{r.code:<8}{r.market:<8}{r.price:>12,}"
                f"{r.market_cap_eok:>16,}{r.volume:>14,}"
            )
    per = result.elapsed_s / result.companies if result.companies else 0.0
    print("\nSummary")
    print(f"  companies      {result.companies:,}")
    print(f"  elapsed        {result.elapsed_s:.2f} s ({per * 1000:.2f} ms per company)")
    print(
        f"  requests       {result.stats.requests:,} ({result.stats.retries:,} retries, "
        f"{format_mb(result.stats.bytes_received)} received)"
    )
    saved = result.saved
    if result.written:
        kept = f" ({result.rows_kept:,} kept from before)" if result.rows_kept else ""
        print(f"  rows written   {saved.rows_ok:,} -> {result.out}{kept}")
        print(f"  failures       {len(saved.failures):,} -> {result.failures_out}")
    elif result.rows_before:
        print(f"  rows written   none: {result.out} left as it was ({result.rows_before:,} rows)")
    else:
        print("  rows written   none")
    if snap.rows_by_source:
        print("  by source      " + ", ".join(f"{k} {v:,}" for k, v in snap.rows_by_source.items()))


def parse_codes(text: str | None) -> tuple[str, ...] | None:
    """``--codes``: None when absent; every non-blank item otherwise (maybe none)."""
    if text is None:
        return None
    return tuple(c.strip() for c in text.split(",") if c.strip())


def interrupted_note(result: CrawlResult) -> str:
    if result.written:
        return (
            f"interrupted: {result.out} holds {result.saved.rows_ok:,} rows "
            f"({result.rows_fetched:,} fetched by this run); run again with --resume "
            "to fetch the rest"
        )
    if result.rows_before:
        return f"interrupted before anything new was priced: {result.out} left as it was"
    return "interrupted before any company was priced: nothing saved"


def nothing_priced(result: CrawlResult) -> str:
    failures = result.snapshot.failures
    first = f" (first: {failures[0].code} {failures[0].reason})" if failures else ""
    if result.rows_before:
        where = f"{result.out} keeps its {result.rows_before:,} earlier rows"
    else:
        where = f"reasons in {result.failures_out}"
    return f"no company could be priced{first}; {where}"


def cmd_crawl(args: argparse.Namespace) -> int:
    plan = CrawlPlan(args.source, parse_codes(args.codes), args.limit, args.out, args.resume)
    config = http_config(args, max_rate_per_host=args.rate or None)
    on_disk = check_output(plan)  # before the first request
    with (
        market_origin(args.live, args.origin, server_config(args)) as endpoints,
        HttpClient(config, endpoints=endpoints) as client,
    ):
        try:
            full = fetch_listing(client)
        except StockbenchError as exc:
            raise CliError(f"could not get the KRX company list: {exc}") from exc
        listing = select(full, plan)
        if listing.rejected:
            print(
                f"note: {len(listing.rejected)} rows of the KRX list were unusable", file=sys.stderr
            )
        with progress_bar(len(listing), args.quiet) as bar:
            result = run_crawl(
                listing,
                plan,
                client,
                progress=bar.update if bar else None,
                on_disk=on_disk,
                order=[c.code for c in full],
            )
    print_summary(result)
    for warning in result.snapshot.warnings:
        print(f"note: {warning}", file=sys.stderr)
    if result.interrupted:
        print(f"\n{interrupted_note(result)}", file=sys.stderr)
        return EXIT_INTERRUPTED
    if result.snapshot.rows_ok == 0:
        raise CliError(nothing_priced(result))
    return 0
