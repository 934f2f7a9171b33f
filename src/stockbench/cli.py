"""The ``stockbench`` command: crawl, serve (and the benchmark-side commands)."""

from __future__ import annotations

import argparse
import json
import sys
import unicodedata
from collections.abc import Iterator, Sequence
from contextlib import contextmanager, nullcontext, suppress
from pathlib import Path

from tqdm import tqdm

from stockbench import __version__
from stockbench.crawl import DEFAULT_OUT, CrawlPlan, CrawlResult, fetch_listing, run_crawl, select
from stockbench.errors import ConfigError, StockbenchError
from stockbench.fakemarket import DEFAULT_SEED
from stockbench.net import YONHAP_FEEDS, Endpoints, HttpClient, HttpConfig
from stockbench.news import DEFAULT_LIMIT, fetch_feed
from stockbench.server import FAULT_KINDS, ServerConfig, serve_market
from stockbench.sources import SOURCE_NAMES

EXIT_NOTHING = 1
EXIT_USAGE = 2
EXIT_INTERRUPTED = 130


class CliError(Exception):
    """A message for the user and an exit status; raised only inside this module."""

    def __init__(self, message: str, status: int = EXIT_NOTHING) -> None:
        super().__init__(message)
        self.status = status


def _positive_float(text: str) -> float:
    value = float(text)
    if value < 0:
        raise argparse.ArgumentTypeError(f"must be >= 0, got {text}")
    return value


def _fraction(text: str) -> float:
    value = float(text)
    if not 0 <= value <= 1:
        raise argparse.ArgumentTypeError(f"must be within 0..1, got {text}")
    return value


def _add_server_knobs(p: argparse.ArgumentParser) -> None:
    g = p.add_argument_group("offline server")
    g.add_argument(
        "--latency-ms",
        type=_positive_float,
        default=30.0,
        help="added latency per request (default: %(default)s)",
    )
    g.add_argument(
        "--fault-rate",
        type=_fraction,
        default=0.0,
        help="share of requests that fail: 5xx, 429, reset, stall, truncated body",
    )
    g.add_argument("--seed", type=int, default=DEFAULT_SEED, help="market and fault seed")


def _add_origin(p: argparse.ArgumentParser) -> None:
    p.add_argument(
        "--live",
        action="store_true",
        help="use the configured endpoints (the real sites, or STOCKBENCH_ORIGIN / "
        "--origin) instead of the bundled offline server",
    )
    p.add_argument("--origin", help="send every request to this origin (implies --live)")


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="stockbench", description=__doc__)
    parser.add_argument("--version", action="version", version=f"stockbench {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    crawl = sub.add_parser("crawl", help="snapshot every listed company to CSV")
    _add_origin(crawl)
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
        help="keep the rows already in --out and fetch only the rest",
    )
    crawl.add_argument(
        "--rate",
        type=_positive_float,
        default=3.0,
        help="requests per second per host, 0 = no cap (default: %(default)s, "
        "the original's 0.3 s pause)",
    )
    crawl.add_argument("--retries", type=int, default=3, help="retries per request")
    crawl.add_argument("--quiet", action="store_true", help="no progress bar")
    _add_server_knobs(crawl)

    news = sub.add_parser("news", help="classify today's headlines and sum up the mood")
    _add_origin(news)
    news.add_argument(
        "--feed",
        choices=sorted(YONHAP_FEEDS),
        default="latest",
        help="which Yonhap News TV feed (default: %(default)s)",
    )
    news.add_argument(
        "--model",
        default="replica",
        help="'replica' (offline default: the original's architecture, random weights), "
        "a hub id such as snunlp/KR-FinBert-SC, or a directory written by save_pretrained",
    )
    news.add_argument("--int8", action="store_true", help="int8 Linear layers, fp16 embeddings")
    news.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help="headlines (default: %(default)s)"
    )
    news.add_argument("--batch-size", type=int, default=32)
    news.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's)")
    news.add_argument("--json", action="store_true", help="one JSON object on stdout")

    bench = sub.add_parser(
        "bench",
        help="run the benchmark suite offline and save it under this machine's instance type",
        description="Any argument not listed here goes to pytest (e.g. -k lstm).",
    )
    bench.add_argument(
        "--save-name",
        help="save name (default: the EC2 instance type, or local-<arch>-<N>cpu off EC2)",
    )
    bench.add_argument(
        "--benchmarks",
        type=Path,
        help="the benchmarks/ folder (default: found beside the package or in the current folder)",
    )

    report = sub.add_parser("report", help="compare saved runs across instances")
    report.add_argument(
        "paths",
        nargs="*",
        type=Path,
        default=[Path(".benchmarks")],
        help="saved pytest-benchmark JSON files or folders (default: .benchmarks)",
    )
    report.add_argument(
        "--out",
        type=Path,
        default=Path("stockbench-report"),
        help="folder for report.md, report.csv and the PNG charts",
    )
    report.add_argument("--baseline", help="instance the ratios are against (default: first)")
    report.add_argument("--region", help="price region (default: the runs' own, else us-east-1)")
    report.add_argument(
        "--prices",
        type=Path,
        help="JSON price overrides, same shape as the "
        'bundled table: {"regions": {REGION: {INSTANCE: USD_PER_HOUR}}}',
    )
    report.add_argument(
        "--target-ms",
        action="append",
        default=[],
        metavar="CASE=MS",
        help="latency target of a job or case, per round (repeatable)",
    )
    report.add_argument("--no-charts", action="store_true", help="tables only")

    machine = sub.add_parser("machine", help="what the suite records about this machine")
    machine.add_argument("--json", action="store_true", help="print JSON")

    serve = sub.add_parser("serve", help="run the bundled market on loopback until Ctrl-C")
    serve.add_argument("--port", type=int, default=8000)
    _add_server_knobs(serve)
    return parser


@contextmanager
def market_origin(args: argparse.Namespace) -> Iterator[Endpoints]:
    """The endpoints a command uses: live ones, or a bundled server for the block."""
    if args.live or args.origin:
        yield Endpoints.from_env(args.origin)
        return
    config = ServerConfig(seed=args.seed, latency_ms=args.latency_ms, fault_rate=args.fault_rate)
    with serve_market(config) as server:
        yield Endpoints(server.origin)


def _progress_bar(total: int, quiet: bool):  # type: ignore[no-untyped-def]
    if quiet:
        return nullcontext(None)
    return tqdm(total=total, unit="co", delay=2.0, file=sys.stderr, dynamic_ncols=True)


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
            f"{'name':<24}{'code':<8}{'market':<8}{'price':>12}{'market_cap_eok':>16}{'volume':>14}"
        )
        for r in top:
            print(
                f"{r.name:<24}{r.code:<8}{r.market:<8}{r.price:>12,}{r.market_cap_eok:>16,}{r.volume:>14,}"
            )
    per = result.elapsed_s / result.companies if result.companies else 0.0
    print("\nSummary")
    print(f"  companies      {result.companies:,}")
    print(f"  elapsed        {result.elapsed_s:.2f} s ({per * 1000:.2f} ms per company)")
    print(f"  requests       {result.stats.requests:,} ({result.stats.retries:,} retries)")
    print(f"  rows written   {snap.rows_ok:,} -> {result.out}")
    print(f"  failures       {len(snap.failures):,} -> {result.failures_out}")
    if snap.rows_by_source:
        print("  by source      " + ", ".join(f"{k} {v:,}" for k, v in snap.rows_by_source.items()))


def cmd_crawl(args: argparse.Namespace) -> int:
    codes = tuple(c.strip() for c in args.codes.split(",") if c.strip()) if args.codes else None
    try:
        plan = CrawlPlan(args.source, codes, args.limit, args.out, args.resume)
        config = HttpConfig(max_rate_per_host=args.rate or None, retries=args.retries)
    except (StockbenchError, ValueError) as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    with market_origin(args) as endpoints, HttpClient(config, endpoints=endpoints) as client:
        try:
            listing = select(fetch_listing(client), plan)
        except ConfigError as exc:
            raise CliError(str(exc), EXIT_USAGE) from exc
        except StockbenchError as exc:
            raise CliError(f"could not get the KRX company list: {exc}") from exc
        if listing.rejected:
            print(
                f"note: {len(listing.rejected)} rows of the KRX list were unusable", file=sys.stderr
            )
        with _progress_bar(len(listing), args.quiet) as bar:
            result = run_crawl(listing, plan, client, progress=bar.update if bar else None)
    print_summary(result)
    if result.interrupted:
        print(
            "\ninterrupted: partial results saved; run again with --resume to finish",
            file=sys.stderr,
        )
        return EXIT_INTERRUPTED
    if result.snapshot.rows_ok == 0:
        raise CliError(f"no company could be priced; reasons in {result.failures_out}")
    return 0


def cmd_news(args: argparse.Namespace) -> int:
    if args.limit < 1 or args.batch_size < 1 or (args.threads is not None and args.threads < 1):
        raise CliError("--limit, --batch-size and --threads must be >= 1", EXIT_USAGE)
    from transformers.utils import logging as hf_logging

    from stockbench.lstm import torch_threads
    from stockbench.sentiment import classify, load_model, mood

    args.seed, args.latency_ms, args.fault_rate = DEFAULT_SEED, 0.0, 0.0
    with market_origin(args) as endpoints, HttpClient(endpoints=endpoints) as client:
        feed = fetch_feed(client, args.feed, limit=args.limit)
    if not feed.headlines:
        raise CliError(f"the feed has no usable headline ({len(feed.skipped)} items skipped)")
    if args.json:
        hf_logging.disable_progress_bar()  # keep stderr to the one warning line
    with torch_threads(args.threads):
        sm = load_model(args.model, int8=args.int8)
        predictions = classify(sm, feed.titles, batch_size=args.batch_size)
    warning = sm.warning()
    if warning:
        print(f"warning: {warning}", file=sys.stderr)
    shares = mood(predictions, list(sm.id2label.values()))
    if args.json:
        doc = {
            "model": sm.name,
            "weights_trained": sm.weights_trained,
            "head_trained": sm.head_trained,
            "labels_meaningful": sm.labels_meaningful,
            "int8": sm.int8,
            "headlines": [
                {"title": p.title, "label": p.label, "score": round(p.score, 6)}
                for p in predictions
            ],
            "mood": {m.label: {"count": m.count, "share": round(m.share, 4)} for m in shares},
            "skipped": [{"index": s.index, "reason": s.reason} for s in feed.skipped],
        }
        print(json.dumps(doc, ensure_ascii=False, indent=2))
        return 0
    for s in feed.skipped:
        print(f"skipped item {s.index}: {s.reason}", file=sys.stderr)
    for p in predictions:
        print(f'- "{p.title}" → {p.label} ({p.score:.2f})')
    caveat = "" if sm.labels_meaningful else "  [labels meaningless: see warning]"
    print(
        f"\nMood of {len(predictions)} headlines ({sm.name}{', int8' if sm.int8 else ''}):{caveat}"
    )
    for m in shares:
        print(f"  {m.label:<12}{m.count:>5}  {m.share:6.1%}")
    return 0


def find_benchmarks(explicit: Path | None) -> Path:
    candidates = (
        [explicit]
        if explicit
        else [
            Path.cwd() / "benchmarks",
            Path(__file__).resolve().parents[2] / "benchmarks",  # an editable install's checkout
        ]
    )
    for path in candidates:
        if path is not None and (path / "conftest.py").is_file():
            return path
    raise CliError(
        "no benchmarks/ folder found: run from the stockbench checkout or pass --benchmarks DIR",
        EXIT_USAGE,
    )


def cmd_bench(args: argparse.Namespace, pytest_args: Sequence[str]) -> int:
    import subprocess
    import tempfile

    from stockbench.machine import local_name, machine_info
    from stockbench.runsummary import format_summary, load_run, summarize

    bench_dir = find_benchmarks(args.benchmarks)
    name = args.save_name or local_name(machine_info())
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "run.json"
        argv = [
            sys.executable,
            "-m",
            "pytest",
            str(bench_dir),
            f"--benchmark-save={name}",
            "--benchmark-save-data",
            f"--benchmark-json={report}",
            *pytest_args,
        ]
        print("+ " + " ".join(argv), flush=True)
        status = subprocess.call(argv, cwd=bench_dir.parent)
        if report.is_file():
            print(f"\nSaved as {name!r}. Each case against its group's baseline (same run):")
            print(format_summary(summarize(load_run(report))))
            print(
                "\nCompare instances: pytest-benchmark compare --group-by group "
                "--columns min,median,mean  (or stockbench report)"
            )
    return status


def cmd_report(args: argparse.Namespace) -> int:
    from stockbench import report
    from stockbench.snapshot import atomic_write_text

    try:
        targets = report.parse_targets(args.target_ms)
        prices = report.load_prices(args.prices)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    runs, skipped = report.load_runs(args.paths)
    for item in skipped:
        print(f"stockbench report: {item}", file=sys.stderr)
    if not runs:
        raise CliError(f"no readable benchmark run in {', '.join(map(str, args.paths))}")
    region = report.pick_region(runs, args.region)
    try:
        results = report.aggregate(runs, prices, region, args.baseline)
    except ConfigError as exc:
        raise CliError(str(exc), EXIT_USAGE) from exc
    baseline = args.baseline or sorted({r.instance for r in runs})[0]
    verdicts = report.verdicts(results, targets)
    charts: dict[str, str] = {}
    if not args.no_charts:
        from stockbench.charts import render_charts

        for chart in render_charts(results, args.out):
            charts[chart.title] = chart.path.name
    atomic_write_text(args.out / "report.csv", report.results_csv(results), encoding="utf-8")
    atomic_write_text(
        args.out / "report.md",
        report.markdown(results, verdicts, charts, prices, region, baseline, skipped),
        encoding="utf-8",
    )
    print(
        f"{len(runs)} runs, {len({r.instance for r in runs})} instances; baseline {baseline}; "
        f"prices {region} ({prices.as_of})"
    )
    print(report.terminal_table(results))
    print("\nVerdicts")
    for line in report.verdict_lines(verdicts):
        print(f"  {line}")
    print(
        f"\nWrote {args.out / 'report.md'}, {args.out / 'report.csv'}"
        f"{' and ' + str(len(charts)) + ' charts' if charts else ''}"
    )
    return 0


def cmd_machine(args: argparse.Namespace) -> int:
    from stockbench.machine import machine_info

    info = machine_info()
    if args.json:
        print(json.dumps(info, indent=2, ensure_ascii=False))
    else:
        for key, value in info.items():
            print(f"{key:<28}{value}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    config = ServerConfig(
        seed=args.seed, latency_ms=args.latency_ms, fault_rate=args.fault_rate, port=args.port
    )
    with serve_market(config) as server:
        print(
            f"serving the bundled market ({len(server.market.companies):,} companies) "
            f"at {server.origin}"
        )
        print(f"  export STOCKBENCH_ORIGIN={server.origin}")
        print(
            f"  latency {config.latency_ms} ms, faults {config.fault_rate:.0%} "
            f"({', '.join(FAULT_KINDS)}); Ctrl-C stops"
        )
        with suppress(KeyboardInterrupt):
            server.wait()
    return 0


COMMANDS = {
    "crawl": cmd_crawl,
    "news": cmd_news,
    "report": cmd_report,
    "machine": cmd_machine,
    "serve": cmd_serve,
}


def main(argv: Sequence[str] | None = None) -> int:
    parser = build_parser()
    args, rest = parser.parse_known_args(argv)
    if rest and args.command != "bench":
        parser.error(f"unrecognized arguments: {' '.join(rest)}")
    try:
        if args.command == "bench":
            return cmd_bench(args, rest)
        return COMMANDS[args.command](args)
    except CliError as exc:
        print(f"stockbench {args.command}: error: {exc}", file=sys.stderr)
        return exc.status
    except StockbenchError as exc:
        print(f"stockbench {args.command}: error: {exc}", file=sys.stderr)
        return EXIT_NOTHING


if __name__ == "__main__":
    sys.exit(main())
