"""``stockbench news``: today's headlines, their labels, and the mood;
``stockbench news export``: the model's int8 ONNX export, made once into the cache."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from stockbench.cli.common import (
    EXIT_CODES_HELP,
    EXIT_USAGE,
    CliError,
    add_http_knobs,
    add_origin,
    http_config,
    market_origin,
    progress_printer,
)
from stockbench.downloads import fetch_feed
from stockbench.fakemarket import ServerConfig
from stockbench.net import YONHAP_FEEDS, HttpClient
from stockbench.news.feed import DEFAULT_LIMIT, Feed
from stockbench.news.models import REPLICA
from stockbench.news.mood import BACKENDS

MODEL_HELP = (
    "'replica' (offline default: the original's architecture, random weights), a hub id "
    "such as snunlp/KR-FinBert-SC, or a directory written by save_pretrained"
)


def register(sub: Any) -> None:
    news = sub.add_parser(
        "news", help="classify today's headlines and sum up the mood", epilog=EXIT_CODES_HELP
    )
    add_origin(news)
    news.add_argument(
        "--feed",
        choices=sorted(YONHAP_FEEDS),
        default="latest",
        help="which Yonhap News TV feed (default: %(default)s)",
    )
    news.add_argument("--model", default=REPLICA, help=MODEL_HELP)
    news.add_argument(
        "--backend",
        choices=BACKENDS,
        default="onnx",
        help="onnx (default): the model's int8 ONNX export on ONNX Runtime, exported on "
        "first use; torch: the model in torch, for comparison",
    )
    news.add_argument(
        "--int8",
        action="store_true",
        help="torch backend: int8 Linear layers, fp16 embeddings (onnx is always int8)",
    )
    news.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help="headlines (default: %(default)s)"
    )
    news.add_argument("--batch-size", type=int, default=32)
    news.add_argument("--threads", type=int, help="intra-op threads (default: the backend's)")
    news.add_argument("--json", action="store_true", help="one JSON object on stdout")
    add_http_knobs(news)
    news.add_argument(
        "--check-agreement",
        action="store_true",
        help="int8 (onnx, or torch with --int8): classify with torch fp32 first (then "
        "free it) and report how often int8 keeps fp32's label",
    )
    news.set_defaults(run=cmd_news)
    actions = news.add_subparsers(dest="news_action", metavar="{export}")
    export = actions.add_parser(
        "export",
        help="export the model to int8 ONNX into the cache (once; again when stale)",
        description="Write the model's int8 ONNX export, tokenizer and labels into "
        "$STOCKBENCH_CACHE (default: the user's cache folder). Needs torch, "
        "transformers, onnx and onnxscript; running the export needs onnxruntime only.",
        epilog=EXIT_CODES_HELP,
    )
    export.add_argument("--model", default=REPLICA, help=MODEL_HELP)
    export.set_defaults(run=cmd_export)


def _fetch(args: argparse.Namespace) -> Feed:
    offline = ServerConfig(latency_ms=0)  # one request: latency would only add noise
    with (
        market_origin(args.live, args.origin, offline) as endpoints,
        HttpClient(http_config(args), endpoints=endpoints) as client,
    ):
        return fetch_feed(client, args.feed, limit=args.limit)


def cmd_news(args: argparse.Namespace) -> int:
    if args.limit < 1 or args.batch_size < 1 or (args.threads is not None and args.threads < 1):
        raise CliError("--limit, --batch-size and --threads must be >= 1", EXIT_USAGE)
    torch = args.backend == "torch"
    if args.check_agreement and torch and not args.int8:
        raise CliError("--check-agreement compares int8 with fp32: add --int8", EXIT_USAGE)
    feed = _fetch(args)
    from stockbench.news.mood import news_mood

    if args.json and (torch or args.check_agreement):
        # transformers takes seconds to import: only the torch paths pay for it
        from transformers.utils import logging as hf_logging

        hf_logging.disable_progress_bar()  # keep stderr to the one warning line
    report = news_mood(
        feed,
        args.model,
        backend=args.backend,
        int8=args.int8,
        batch_size=args.batch_size,
        threads=args.threads,
        check_agreement=args.check_agreement,
        progress=progress_printer("stockbench news: export"),
    )
    if report.warning:
        print(f"warning: {report.warning}", file=sys.stderr)
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, indent=2))
        return 0
    for s in report.skipped:
        print(f"skipped item {s.index}: {s.reason}", file=sys.stderr)
    for p in report.predictions:
        print(f'- "{p.title}" → {p.label} ({p.score:.2f})')
    caveat = "" if report.labels_meaningful else "  [labels meaningless: see warning]"
    print(
        f"\nMood of {len(report.predictions)} headlines "
        f"({report.model}, {report.backend}{', int8' if report.int8 else ''}):{caveat}"
    )
    for m in report.mood:
        print(f"  {m.label:<12}{m.count:>5}  {m.share:6.1%}")
    if report.int8_vs_fp32 is not None:
        check = report.int8_vs_fp32
        corr = (
            ""
            if check.margin_correlation is None
            else f"; margins correlate {check.margin_correlation:.3f}"
        )
        print(
            f"\nint8 keeps fp32's label on {check.label_agreement:.1%} of the headlines; "
            f"largest logit difference {check.max_abs_logit_diff:.4f}{corr}"
        )
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    from stockbench.news.onnx_runtime import ensure_export, sentiment_slot

    manifest, made = ensure_export(args.model, progress=progress_printer("stockbench news export"))
    where = sentiment_slot(args.model).path
    state = "exported" if made else "up to date, nothing to do"
    print(f"{manifest.meta['name']}: {state} ({manifest.size_bytes() / 1e6:.0f} MB in {where})")
    return 0
