"""One job from a cold process: import, load, first result; prints one JSON line.

``python -m stockbench.coldstart JOB [--variant V] [--samples N] [--no-pause]
[--model SPEC] [--feed-file PATH]`` runs one way of doing one job in a process of its own
and reports each phase, the CPU time, the process's own peak RSS (VmHWM) and what it
computed (``result``: counts, the LSTM's checksum, the headlines' labels and logits), so
that a caller can check the answer as well as the time. ``run_fresh`` starts it and
adds what only the parent sees: the process's whole wall time and CPU time, interpreter
start and exit included. Its users:

- the ``cold_start`` benchmark group, a fresh process per round: what a cron job on a
  small instance pays, start-up included;
- every other benchmark case, once, for its memory figure: a job's peak in a process of
  its own, not the pytest process's (which holds every other job's libraries);
- ``stockbench daily``: the three jobs as a cron job runs them.

Jobs and their variants (the first is the default)::

    lstm       torch, original, onnx
    market     ranking, per-item, original      (needs STOCKBENCH_ORIGIN)
    parse      project, original                 (one ~190 kB legacy item page)
    sentiment  int8, fp32, original, onnx

``onnx`` runs a cached export (``stockbench news export``) and never imports torch; it
fails with a message when there is no usable export. ``--no-pause`` drops the politeness
pauses of the market crawls (for memory figures, which do not depend on pacing).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

# Nothing heavy above this line: the import phase is part of what is measured.
from stockbench.errors import StockbenchError
from stockbench.metrics import peak_rss_bytes, process_cpu_seconds, rss_bytes

Load = Callable[[], Any]
First = Callable[[Any], Any]
Describe = Callable[[Any, Any], dict[str, Any]]  # (state, result) -> {"samples": n, ...}
DEFAULT_MODEL = "replica"


@dataclass(frozen=True, slots=True)
class Options:
    samples: int | None = None  # None: the job's own default size
    pause: bool = True
    model: str = DEFAULT_MODEL  # sentiment only
    feed_file: Path | None = None  # sentiment only: headlines from this RSS file


def _lstm(variant: str, opts: Options) -> tuple[Load, First, Describe]:
    from stockbench.lstm.data import LstmConfig, checksum_array

    config = LstmConfig(batch_size=opts.samples or LstmConfig().batch_size)
    if variant == "onnx":
        from stockbench.lstm import onnx_runtime as lstm_onnx
        from stockbench.lstm.data import make_inputs

        def load() -> Any:
            return lstm_onnx.load_lstm(config), make_inputs(config)

        def first(state: Any) -> Any:
            return lstm_onnx.infer_onnx(*state)

        def digest(output: Any) -> Any:
            return checksum_array(output)

    else:
        from stockbench.lstm import model as lstm

        infer = lstm.infer_original if variant == "original" else lstm.infer

        def load() -> Any:
            return lstm.build_model(config), lstm.make_batch(config)

        def first(state: Any) -> Any:
            return infer(*state)

        def digest(output: Any) -> Any:
            return lstm.checksum(output)

    def describe(state: Any, output: Any) -> dict[str, Any]:
        check = digest(output)
        return {"samples": check.shape[0], "checksum": [check.total, check.abs_total]}

    return load, first, describe


def _market(variant: str, opts: Options) -> tuple[Load, First, Describe]:
    from stockbench import downloads, net
    from stockbench.market import snapshot, sources

    if variant == "original":  # pandas and BeautifulSoup: only the original pays for them
        from stockbench.market import original

    def load() -> Any:
        rate = net.HttpConfig().max_rate_per_host if opts.pause else None
        client = net.HttpClient(
            net.HttpConfig(max_rate_per_host=rate), endpoints=net.Endpoints.from_env()
        )
        listing = downloads.fetch_listing(client).select(limit=opts.samples)
        return client, listing

    def first(state: Any) -> Any:
        client, listing = state
        if variant == "original":
            pairs = [(c.code, c.name) for c in listing]
            pause = original.ORIGINAL_PAUSE_S if opts.pause else 0.0
            rows = original.crawl(
                pairs,
                lambda code: client.endpoints.url(net.NAVER_ITEM_URL.format(code=code)),
                pause,
            )
            return len(pairs), len(rows)
        snap = snapshot.snapshot_market(listing, sources.default_chain(variant), client)
        return len(snap.rows) + len(snap.failures), len(snap.rows)

    def describe(state: Any, counts: Any) -> dict[str, Any]:
        total, rows = counts
        return {"samples": total, "rows": rows, "failures": total - rows}

    return load, first, describe


def _parse(variant: str, opts: Options) -> tuple[Load, First, Describe]:
    from stockbench.fakemarket import generate_market, render_item_page
    from stockbench.market import naver, original

    def load() -> Any:
        giant = max(generate_market().companies, key=lambda c: c.market_cap_eok)
        return giant.code, render_item_page(giant)

    def first(state: Any) -> Any:
        code, page = state
        for _ in range(opts.samples or 1):
            if variant == "original":
                original.parse_page(page.decode("utf-8"), code)
            else:
                naver.parse_item_page(page, code=code)
        return opts.samples or 1

    return load, first, lambda state, count: {"samples": count}


def _sentiment(variant: str, opts: Options) -> tuple[Load, First, Describe]:
    from stockbench.data import news_feed
    from stockbench.news import feed

    if variant == "onnx":
        from stockbench.news import onnx_runtime

        def build() -> Any:
            model = onnx_runtime.load_onnx(opts.model)
            return model, lambda texts: onnx_runtime.classify_onnx(model, texts)

    else:
        from stockbench.news import sentiment

        def build() -> Any:
            model = sentiment.load_model(opts.model, int8=variant == "int8")
            if variant == "original":
                return model, sentiment.original_pipeline(model)
            return model, lambda texts: sentiment.classify(model, texts)

    def load() -> Any:
        raw = opts.feed_file.read_bytes() if opts.feed_file else news_feed()
        titles = feed.parse_feed(raw, limit=opts.samples or feed.DEFAULT_LIMIT).titles
        model, run = build()
        return model, run, titles

    def first(state: Any) -> Any:
        _, run, titles = state
        return run(titles)

    def describe(state: Any, preds: Any) -> dict[str, Any]:
        model = state[0]
        return {
            "samples": len(preds),
            "model": model.name,
            "label_names": list(model.id2label.values()),
            "labels": [p.label for p in preds],
            "logits": [list(p.logits) for p in preds],
            "warning": model.warning(),
        }

    return load, first, describe


JOBS: dict[str, tuple[Callable[[str, Options], tuple[Load, First, Describe]], tuple[str, ...]]] = {
    "lstm": (_lstm, ("torch", "original", "onnx")),
    "market": (_market, ("ranking", "per-item", "original")),
    "parse": (_parse, ("project", "original")),
    "sentiment": (_sentiment, ("int8", "fp32", "original", "onnx")),
}


def variants(job: str) -> tuple[str, ...]:
    return JOBS[job][1]


def run(
    job: str,
    variant: str | None = None,
    samples: int | None = None,
    *,
    pause: bool = True,
    model: str = DEFAULT_MODEL,
    feed_file: Path | None = None,
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
    load, first, describe = factory(variant, Options(samples, pause, model, feed_file))
    t1 = time.perf_counter()
    state = load()
    t2 = time.perf_counter()
    result = first(state)
    t3 = time.perf_counter()
    cpu = process_cpu_seconds()
    peak = peak_rss_bytes() or rss_bytes()
    described = describe(state, result)  # after the clock: not part of the job
    return {
        "job": job,
        "variant": variant,
        "samples": described.pop("samples"),
        "import_s": t1 - t0,
        "load_s": t2 - t1,
        "first_result_s": t3 - t2,
        "total_s": t3 - t0,
        "cpu_s": cpu,
        "rss_start_bytes": rss_start,
        "peak_rss_bytes": peak,
        "result": described,
    }


def run_fresh(
    job: str,
    variant: str,
    samples: int | None = None,
    *,
    pause: bool = True,
    model: str | None = None,
    feed_file: Path | None = None,
    env: Mapping[str, str] | None = None,
    timeout_s: float = 1800,
) -> dict[str, Any]:
    """``run`` in a fresh ``python -m stockbench.coldstart`` process, as a cron job runs it.

    Adds ``process_wall_s`` and ``process_cpu_s``: the whole process, interpreter start
    and exit included (torch's exit alone takes about a second). One job at a time: the
    CPU time is this process's children's, before and after.
    """
    argv = [sys.executable, "-m", "stockbench.coldstart", job, "--variant", variant]
    if samples is not None:
        argv += ["--samples", str(samples)]
    argv += [] if pause else ["--no-pause"]
    argv += ["--model", model] if model else []
    argv += ["--feed-file", str(feed_file)] if feed_file else []
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    start = time.perf_counter()
    done = subprocess.run(
        argv,
        env=dict(env or os.environ),
        capture_output=True,
        text=True,
        timeout=timeout_s,
        check=False,
    )
    wall = time.perf_counter() - start
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    what = " ".join(argv[3:])
    if done.returncode != 0:
        tail = done.stderr.strip().splitlines()[-1:] or [f"exit status {done.returncode}"]
        raise StockbenchError(f"{what} failed: {tail[0]}")
    report: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    if (report["job"], report["variant"]) != (job, variant) or (
        samples is not None and report["samples"] != samples
    ):
        raise StockbenchError(f"{what} answered for something else: {report}")
    report["process_wall_s"] = wall
    report["process_cpu_s"] = (after.ru_utime - before.ru_utime) + (
        after.ru_stime - before.ru_stime
    )
    return report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m stockbench.coldstart")
    parser.add_argument("job", choices=sorted(JOBS))
    parser.add_argument("--variant", help="how the job is done (default: the job's first)")
    parser.add_argument("--samples", type=int)
    parser.add_argument("--no-pause", action="store_true", help="no politeness pauses")
    parser.add_argument("--model", default=DEFAULT_MODEL, help="sentiment model spec")
    parser.add_argument("--feed-file", type=Path, help="sentiment: headlines from this RSS file")
    args = parser.parse_args(argv)
    try:
        report = run(
            args.job,
            args.variant,
            args.samples,
            pause=not args.no_pause,
            model=args.model,
            feed_file=args.feed_file,
        )
    except ValueError as exc:
        parser.error(str(exc))
    except StockbenchError as exc:
        print(f"{parser.prog} {args.job}: error: {exc}", file=sys.stderr)
        return 1
    print(json.dumps(report, ensure_ascii=False))
    return 0


if __name__ == "__main__":
    sys.exit(main())
