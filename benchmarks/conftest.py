"""Benchmark plumbing: the suite's options and machine info, sizes per mode, and
``measure``, which times a workload with pytest-benchmark and records what the original
study measured around it.

Each case records in ``extra_info`` (units in the key names): what it is (``job``, and
``role``: ``baseline`` for the original study's method, ``headline`` for the case that
answers its job), samples, time per sample and samples per second (from the median
round), CPU % of the process over the case, RSS before and peak RSS during the case
(the kernel's VmHWM, reset at the start, or a 10 ms sampler), system-wide steal %,
threads, rounds and p50/p90/p99 of round times. The report reads ``job`` and ``role``;
it knows no test names.
"""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from stockbench.coldstart import run_fresh
from stockbench.data import news_feed
from stockbench.fakemarket import (
    FakeMarket,
    MarketServer,
    ServerConfig,
    generate_market,
    serve_market,
)
from stockbench.lstm.data import Checksum, checksum_array
from stockbench.lstm.onnx_runtime import ensure_lstm_export
from stockbench.machine import available_memory_bytes
from stockbench.machine import machine_info as collect_machine_info
from stockbench.metrics import (
    PeakRssMeter,
    process_cpu_seconds,
    quantile,
    steal_percent,
    system_cpu_times,
    trim_heap,
)
from stockbench.news.feed import parse_feed
from stockbench.news.models import REPLICA
from stockbench.news.onnx_runtime import ensure_export
from stockbench.news.predictions import Prediction, agreement, margin_correlation, max_logit_diff

# int8 against torch fp32 on the 100 bundled headlines (replica): torch int8 keeps every
# label, largest logit difference 0.037, margins correlate 0.97; ONNX int8 keeps every
# label, 0.017, 0.99. The bounds leave room for other CPUs' int8 kernels.
MIN_LABEL_AGREEMENT = 0.95
MAX_LOGIT_DIFF = 0.25
MIN_MARGIN_CORRELATION = {"onnx": 0.98, "int8": 0.95}
SMOKE_MARGIN_CORRELATION = 0.9  # 8 headlines in a smoke run: fewer points, more noise
BENCH_LATENCY_MS = 30.0
BASELINE = "baseline"  # the original study's method, or a sweep's reference point
HEADLINE = "headline"  # the case whose numbers answer "which instance for this job"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--stockbench-full",
        action="store_true",
        help="benchmarks: run the original per-company crawl over the whole bundled market "
        "(about 17 minutes at its 0.3 s pause) instead of a subset",
    )


AVAILABLE_AT_START = pytest.StashKey[int | None]()


def pytest_configure(config: pytest.Config) -> None:
    # What a job could use on this machine: read before the suite loads anything itself.
    config.stash[AVAILABLE_AT_START] = available_memory_bytes()


def pytest_benchmark_update_machine_info(config: pytest.Config, machine_info: dict) -> None:  # type: ignore[type-arg]
    """Add stockbench's keys (EC2 identity, CPU, memory, torch, model) to the saved JSON.

    Collected once per session; every collector is best-effort, so this never fails a run.
    ``available_memory_bytes`` is the reading at the start of the run, what the report
    compares each job's peak with.
    """
    brand = (machine_info.get("cpu") or {}).get("brand_raw")
    machine_info.update(collect_machine_info(cpu_model_hint=brand))
    machine_info["available_memory_bytes"] = config.stash.get(AVAILABLE_AT_START, None)


@dataclass(frozen=True)
class Sizes:
    """Workload sizes: real ones, or small ones when timing is off (a smoke run)."""

    smoke: bool
    full_original: bool

    @property
    def market(self) -> dict[str, int]:
        if self.smoke:
            return {"n_kospi": 40, "n_kosdaq": 80, "n_konex": 10, "n_etf": 5, "n_alphanumeric": 6}
        return {}

    def original_companies(self, total: int) -> int:
        if self.full_original:
            return total
        return 3 if self.smoke else 40

    @property
    def headlines(self) -> int:
        return 8 if self.smoke else 100

    def rounds(self, normal: int) -> int:
        return 1 if self.smoke else normal


@pytest.fixture(scope="session")
def sizes(request: pytest.FixtureRequest) -> Sizes:
    return Sizes(
        smoke=bool(request.config.getoption("benchmark_disable")),
        full_original=bool(request.config.getoption("stockbench_full")),
    )


@pytest.fixture(scope="session")
def market(sizes: Sizes) -> FakeMarket:
    return generate_market(**sizes.market)


@pytest.fixture(scope="session")
def market_server(market: FakeMarket) -> Iterator[MarketServer]:
    """The bundled market on loopback at a fixed, realistic latency."""
    with serve_market(ServerConfig(latency_ms=BENCH_LATENCY_MS), market) as server:
        yield server


Measure = Callable[..., Any]
JobProcess = Callable[..., dict[str, Any]]


@pytest.fixture(scope="session")
def onnx_exports() -> None:
    """The ONNX exports the onnx cases run (the replica, the LSTM), made before any clock
    starts: once per cache (``$STOCKBENCH_CACHE``), as a user's first run would."""
    ensure_export(REPLICA)
    ensure_lstm_export()


@pytest.fixture(scope="session")
def headlines(sizes: Sizes) -> list[str]:
    return parse_feed(news_feed(), limit=sizes.headlines).titles


@pytest.fixture(scope="session")
def fp32_reference(headlines: list[str]) -> list[Prediction]:
    """The replica in torch fp32 on the headlines: what every other way must agree with.
    The model is freed before any case runs."""
    from stockbench.news.sentiment import classify, load_replica  # noqa: PLC0415 (torch)

    reference = classify(load_replica(), headlines)
    trim_heap()
    return reference


@pytest.fixture(scope="session")
def lstm_reference() -> Checksum:
    """The torch model's output on the shared seeded inputs (1024 sequences)."""
    from stockbench.lstm.model import build_model, infer, make_batch  # noqa: PLC0415 (torch)

    return checksum_array(infer(build_model(), make_batch()).numpy())


@pytest.fixture(scope="session")
def job_process(market_server: MarketServer) -> JobProcess:
    """``job_process(job, variant, samples, pause=True)`` -> the report of one run of that
    job in a fresh process (``coldstart.run_fresh``): phases, CPU, own peak, result."""
    env = {**os.environ, "STOCKBENCH_ORIGIN": market_server.origin}

    def run(job: str, variant: str, samples: int, *, pause: bool = True) -> dict[str, Any]:
        return run_fresh(job, variant, samples, pause=pause, env=env)

    return run


@pytest.fixture
def measure(benchmark: Any, job_process: JobProcess) -> Measure:
    """``measure(fn, *args, samples=N, rounds=R, warmup_rounds=W, threads=T, role=ROLE,
    job=JOB, memory_of=(JOB, VARIANT))`` -> fn's result. ``job`` defaults to the group.

    ``fn`` is timed by ``benchmark.pedantic``; everything else here happens around it.
    The case's memory (``peak_rss_bytes``) is the peak of ``memory_of`` (the same work)
    run once in a fresh process of its own: what the job needs, whatever else this
    pytest process has imported or run. The pytest process's own peak during the case
    is kept as ``process_peak_rss_bytes``.
    """

    def run(
        fn: Callable[..., Any],
        *args: Any,
        samples: int,
        rounds: int = 5,
        warmup_rounds: int = 0,
        threads: int | None = None,
        role: str | None = None,
        job: str | None = None,
        memory_of: tuple[str, str] | None = None,
    ) -> Any:
        if role not in (None, BASELINE, HEADLINE):
            raise ValueError(f"role must be {BASELINE!r}, {HEADLINE!r} or None, got {role!r}")
        if samples < 1:
            raise ValueError(f"samples must be >= 1, got {samples}")
        times: list[float] = []

        def timed(*a: Any) -> Any:
            start = time.perf_counter()
            out = fn(*a)
            times.append(time.perf_counter() - start)
            return out

        cpu0, steal0, wall0 = process_cpu_seconds(), system_cpu_times(), time.perf_counter()
        with PeakRssMeter() as mem:
            result = benchmark.pedantic(
                timed, args=args, rounds=rounds, warmup_rounds=warmup_rounds, iterations=1
            )
        wall = time.perf_counter() - wall0
        cpu = process_cpu_seconds() - cpu0
        measured = times[-rounds:] if len(times) >= rounds else times
        median = statistics.median(measured)
        p50, p90, p99 = (quantile(measured, q) for q in (50, 90, 99))
        own = job_process(*memory_of, samples, pause=False) if memory_of else None
        benchmark.extra_info.update(
            {
                "job": job or benchmark.group,
                "role": role,
                "samples": samples,
                "time_per_sample_s": median / samples,
                "samples_per_s": samples / median if median > 0 else None,
                "cpu_percent": 100.0 * cpu / wall if wall > 0 else None,
                "rss_before_bytes": own["rss_start_bytes"] if own else mem.rss_before_bytes,
                "peak_rss_bytes": own["peak_rss_bytes"] if own else mem.peak_bytes,
                "peak_rss_method": "job_process_vmhwm" if own else f"process_{mem.method}",
                "process_peak_rss_bytes": mem.peak_bytes,
                "process_rss_before_bytes": mem.rss_before_bytes,
                "steal_percent": steal_percent(steal0, system_cpu_times()),
                "threads": threads,
                "rounds_measured": len(measured),
                "round_p50_s": p50,
                "round_p90_s": p90,
                "round_p99_s": p99,
            }
        )
        return result

    return run


def check_sentiment(
    variant: str, result: dict[str, Any], reference: list[Prediction], info: dict[str, Any]
) -> None:
    preds = [
        Prediction(r.title, label, 0.0, tuple(logits))
        for r, label, logits in zip(reference, result["labels"], result["logits"], strict=True)
    ]
    kept = agreement(reference, preds)
    info["label_agreement_vs_fp32"] = kept
    if variant == "original":  # the pipeline in fp32 gives no logits, only labels
        assert kept == 1.0
        return
    diff, corr = max_logit_diff(reference, preds), margin_correlation(reference, preds)
    info["max_abs_logit_diff_vs_fp32"] = diff
    info["margin_correlation_vs_fp32"] = corr
    assert kept >= MIN_LABEL_AGREEMENT
    assert diff <= MAX_LOGIT_DIFF
    bound = MIN_MARGIN_CORRELATION[variant] if len(preds) >= 50 else SMOKE_MARGIN_CORRELATION
    assert corr >= bound, f"{variant}: margins correlate {corr:.3f} with fp32"
