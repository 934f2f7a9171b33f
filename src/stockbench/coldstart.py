"""One job from a cold process: import, load, first result; prints one JSON line.

``python -m stockbench.coldstart {lstm,market,sentiment} [--samples N]`` is what the
``cold_start`` benchmark group runs in a fresh subprocess per round: what a cron job
on a small instance pays. The process's own peak RSS (VmHWM) is in the report. The
market job needs ``STOCKBENCH_ORIGIN`` (the benchmark's loopback server).
"""

from __future__ import annotations

import argparse
import json
import os
import sys
import time
from collections.abc import Callable
from typing import Any

# Nothing heavy above this line: the import phase is part of what is measured.
from stockbench.metrics import peak_rss_bytes, process_cpu_seconds, rss_bytes

JOBS = ("lstm", "market", "sentiment")


def _lstm(samples: int | None) -> tuple[Callable[[], Any], Callable[[Any], int]]:
    from stockbench import lstm

    def load() -> Any:
        config = lstm.LstmConfig(batch_size=samples or 1024)
        return lstm.build_model(config), lstm.make_batch(config)

    def first(state: Any) -> int:
        model, batch = state
        return int(lstm.infer(model, batch).shape[0])

    return load, first


def _market(samples: int | None) -> tuple[Callable[[], Any], Callable[[Any], int]]:
    from stockbench import downloads, net
    from stockbench.market import snapshot, sources

    def load() -> Any:
        client = net.HttpClient(
            net.HttpConfig(max_rate_per_host=None), endpoints=net.Endpoints.from_env()
        )
        listing = downloads.fetch_listing(client).select(limit=samples)
        return client, listing

    def first(state: Any) -> int:
        client, listing = state
        snap = snapshot.snapshot_market(listing, sources.default_chain("ranking"), client)
        return len(snap.rows) + len(snap.failures)

    return load, first


def _sentiment(samples: int | None) -> tuple[Callable[[], Any], Callable[[Any], int]]:
    from stockbench.data import news_feed
    from stockbench.news import feed, sentiment

    def load() -> Any:
        titles = feed.parse_feed(news_feed(), limit=samples or feed.DEFAULT_LIMIT).titles
        return sentiment.load_replica(int8=True), titles

    def first(state: Any) -> int:
        model, titles = state
        return len(sentiment.classify(model, titles))

    return load, first


def run(job: str, samples: int | None = None) -> dict[str, Any]:
    rss_start = rss_bytes()
    t0 = time.perf_counter()
    load, first = {"lstm": _lstm, "market": _market, "sentiment": _sentiment}[job](samples)
    t1 = time.perf_counter()
    state = load()
    t2 = time.perf_counter()
    count = first(state)
    t3 = time.perf_counter()
    return {
        "job": job,
        "samples": count,
        "import_s": t1 - t0,
        "load_s": t2 - t1,
        "first_result_s": t3 - t2,
        "total_s": t3 - t0,
        "cpu_s": process_cpu_seconds(),
        "rss_start_bytes": rss_start,
        "peak_rss_bytes": peak_rss_bytes() or rss_bytes(),
        "pid": os.getpid(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stockbench.coldstart")
    parser.add_argument("job", choices=JOBS)
    parser.add_argument("--samples", type=int)
    args = parser.parse_args(argv)
    print(json.dumps(run(args.job, args.samples)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
