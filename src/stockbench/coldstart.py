"""One job from a cold process: import, load, first result; prints one JSON line.

``python -m stockbench.coldstart JOB [--variant V] [--samples N] [--no-pause]`` runs
one way of doing one job in a process of its own and reports each phase, the CPU time
and the process's own peak RSS (VmHWM). The benchmark suite uses it twice:

- the ``cold_start`` group runs it in a fresh subprocess per round: what a cron job on
  a small instance pays, start-up included;
- every other case runs it once for its memory figure: a job's peak in a process of
  its own, not the pytest process's (which holds every other job's libraries).

Jobs and their variants (the first is the default)::

    lstm       torch, original
    market     ranking, per-item, original      (needs STOCKBENCH_ORIGIN)
    parse      project, original                 (one ~190 kB legacy item page)
    sentiment  int8, fp32, original

``--no-pause`` drops the politeness pauses of the market crawls (the original's 0.3 s
sleep, the 3 requests/s cap): for memory figures, which do not depend on pacing.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

# Nothing heavy above this line: the import phase is part of what is measured.
from stockbench.metrics import peak_rss_bytes, process_cpu_seconds, rss_bytes

Load = Callable[[], Any]
First = Callable[[Any], int]


@dataclass(frozen=True, slots=True)
class Options:
    samples: int | None = None  # None: the job's own default size
    pause: bool = True


def _lstm(variant: str, opts: Options) -> tuple[Load, First]:
    from stockbench import lstm

    infer = lstm.infer_original if variant == "original" else lstm.infer

    def load() -> Any:
        config = lstm.LstmConfig(batch_size=opts.samples or lstm.LstmConfig().batch_size)
        return lstm.build_model(config), lstm.make_batch(config)

    def first(state: Any) -> int:
        model, batch = state
        return int(infer(model, batch).shape[0])

    return load, first


def _market(variant: str, opts: Options) -> tuple[Load, First]:
    from stockbench import downloads, net
    from stockbench.market import original, snapshot, sources

    def load() -> Any:
        rate = net.HttpConfig().max_rate_per_host if opts.pause else None
        client = net.HttpClient(
            net.HttpConfig(max_rate_per_host=rate), endpoints=net.Endpoints.from_env()
        )
        listing = downloads.fetch_listing(client).select(limit=opts.samples)
        return client, listing

    def first(state: Any) -> int:
        client, listing = state
        if variant == "original":
            pairs = [(c.code, c.name) for c in listing]
            pause = original.ORIGINAL_PAUSE_S if opts.pause else 0.0
            original.crawl(
                pairs,
                lambda code: client.endpoints.url(net.NAVER_ITEM_URL.format(code=code)),
                pause,
            )
            return len(pairs)
        snap = snapshot.snapshot_market(listing, sources.default_chain(variant), client)
        return len(snap.rows) + len(snap.failures)

    return load, first


def _parse(variant: str, opts: Options) -> tuple[Load, First]:
    from stockbench.fakemarket import generate_market, render_item_page
    from stockbench.market import naver, original

    def load() -> Any:
        giant = max(generate_market().companies, key=lambda c: c.market_cap_eok)
        return giant.code, render_item_page(giant)

    def first(state: Any) -> int:
        code, page = state
        for _ in range(opts.samples or 1):
            if variant == "original":
                original.parse_page(page.decode("utf-8"), code)
            else:
                naver.parse_item_page(page, code=code)
        return opts.samples or 1

    return load, first


def _sentiment(variant: str, opts: Options) -> tuple[Load, First]:
    from stockbench.data import news_feed
    from stockbench.news import feed, sentiment

    def load() -> Any:
        titles = feed.parse_feed(news_feed(), limit=opts.samples or feed.DEFAULT_LIMIT).titles
        model = sentiment.load_replica(int8=variant == "int8")
        run = (
            sentiment.original_pipeline(model)
            if variant == "original"
            else lambda texts: sentiment.classify(model, texts)
        )
        return run, titles

    def first(state: Any) -> int:
        run, titles = state
        return len(run(titles))

    return load, first


JOBS: dict[str, tuple[Callable[[str, Options], tuple[Load, First]], tuple[str, ...]]] = {
    "lstm": (_lstm, ("torch", "original")),
    "market": (_market, ("ranking", "per-item", "original")),
    "parse": (_parse, ("project", "original")),
    "sentiment": (_sentiment, ("int8", "fp32", "original")),
}


def variants(job: str) -> tuple[str, ...]:
    return JOBS[job][1]


def run(
    job: str, variant: str | None = None, samples: int | None = None, *, pause: bool = True
) -> dict[str, Any]:
    """Run ``variant`` of ``job`` (default: its first) in this process; phases and peak."""
    factory, known = JOBS[job]
    variant = variant or known[0]
    if variant not in known:
        raise ValueError(f"{job} has no variant {variant!r}; choose from {', '.join(known)}")
    if samples is not None and samples < 1:
        raise ValueError(f"samples must be >= 1, got {samples}")
    rss_start = rss_bytes()
    t0 = time.perf_counter()
    load, first = factory(variant, Options(samples, pause))
    t1 = time.perf_counter()
    state = load()
    t2 = time.perf_counter()
    count = first(state)
    t3 = time.perf_counter()
    return {
        "job": job,
        "variant": variant,
        "samples": count,
        "import_s": t1 - t0,
        "load_s": t2 - t1,
        "first_result_s": t3 - t2,
        "total_s": t3 - t0,
        "cpu_s": process_cpu_seconds(),
        "rss_start_bytes": rss_start,
        "peak_rss_bytes": peak_rss_bytes() or rss_bytes(),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stockbench.coldstart")
    parser.add_argument("job", choices=sorted(JOBS))
    parser.add_argument("--variant", help="how the job is done (default: the job's first)")
    parser.add_argument("--samples", type=int)
    parser.add_argument("--no-pause", action="store_true", help="no politeness pauses")
    args = parser.parse_args(argv)
    try:
        report = run(args.job, args.variant, args.samples, pause=not args.no_pause)
    except ValueError as exc:
        parser.error(str(exc))
    print(json.dumps(report))
    return 0


if __name__ == "__main__":
    sys.exit(main())
