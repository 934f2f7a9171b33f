"""``stockbench news``: today's headlines, their labels, and the mood."""

from __future__ import annotations

import argparse
import json
import sys
from typing import Any

from stockbench.cli.common import EXIT_USAGE, CliError, add_origin, market_origin
from stockbench.net import YONHAP_FEEDS, HttpClient
from stockbench.news import DEFAULT_LIMIT, Feed, fetch_feed
from stockbench.server import ServerConfig


def register(sub: Any) -> None:
    news = sub.add_parser("news", help="classify today's headlines and sum up the mood")
    add_origin(news)
    news.add_argument(
        "--feed",
        choices=sorted(YONHAP_FEEDS),
        default="latest",
        help="which Yonhap News TV feed (default: %(default)s)",
    )
    news.add_argument(
        "--model",
        default="replica",
        help="'replica' (offline default: the original's architecture, random "
        "weights), a hub id such as snunlp/KR-FinBert-SC, or a directory written "
        "by save_pretrained",
    )
    news.add_argument("--int8", action="store_true", help="int8 Linear layers, fp16 embeddings")
    news.add_argument(
        "--limit", type=int, default=DEFAULT_LIMIT, help="headlines (default: %(default)s)"
    )
    news.add_argument("--batch-size", type=int, default=32)
    news.add_argument("--threads", type=int, help="torch intra-op threads (default: torch's)")
    news.add_argument("--json", action="store_true", help="one JSON object on stdout")
    news.add_argument(
        "--check-agreement",
        action="store_true",
        help="with --int8: classify with fp32 first (then free it) and report how "
        "often int8 keeps fp32's label",
    )
    news.set_defaults(run=cmd_news)


def _fetch(args: argparse.Namespace) -> Feed:
    offline = ServerConfig(latency_ms=0)  # one request: latency would only add noise
    with (
        market_origin(args.live, args.origin, offline) as endpoints,
        HttpClient(endpoints=endpoints) as client,
    ):
        return fetch_feed(client, args.feed, limit=args.limit)


def cmd_news(args: argparse.Namespace) -> int:
    if args.limit < 1 or args.batch_size < 1 or (args.threads is not None and args.threads < 1):
        raise CliError("--limit, --batch-size and --threads must be >= 1", EXIT_USAGE)
    if args.check_agreement and not args.int8:
        raise CliError("--check-agreement compares int8 with fp32: add --int8", EXIT_USAGE)
    # torch and transformers take seconds to import: only this command pays for them.
    from transformers.utils import logging as hf_logging

    from stockbench.lstm import torch_threads
    from stockbench.metrics import trim_heap
    from stockbench.sentiment import agreement, classify, load_model, max_logit_diff, mood

    feed = _fetch(args)
    if not feed.headlines:
        raise CliError(f"the feed has no usable headline ({len(feed.skipped)} items skipped)")
    if args.json:
        hf_logging.disable_progress_bar()  # keep stderr to the one warning line
    check: dict[str, Any] | None = None
    with torch_threads(args.threads):
        if args.check_agreement:
            fp32 = load_model(args.model)
            reference = classify(fp32, feed.titles, batch_size=args.batch_size)
            del fp32
            trim_heap()  # never hold the fp32 and int8 weights at once
        sm = load_model(args.model, int8=args.int8)
        predictions = classify(sm, feed.titles, batch_size=args.batch_size)
    if args.check_agreement:
        check = {
            "label_agreement": agreement(reference, predictions),
            "max_abs_logit_diff": max_logit_diff(reference, predictions),
        }
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
        if check is not None:
            doc["int8_vs_fp32"] = check
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
    if check is not None:
        print(
            f"\nint8 keeps fp32's label on {check['label_agreement']:.1%} of the headlines; "
            f"largest logit difference {check['max_abs_logit_diff']:.4f}"
        )
    return 0
