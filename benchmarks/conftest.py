"""Benchmark plumbing: sizes per mode, and ``measure``, which times a workload with
pytest-benchmark and records what the original study measured around it.

Each case records in ``extra_info`` (units in the key names): samples, time per sample
and samples per second (from the median round), CPU % of the process over the case,
RSS before and peak RSS during the case (the kernel's VmHWM, reset at the start, or a
10 ms sampler), system-wide steal %, threads, rounds and p50/p90/p99 of round times.
"""

from __future__ import annotations

import statistics
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from stockbench.fakemarket import FakeMarket, generate_market
from stockbench.metrics import (
    PeakRssMeter,
    process_cpu_seconds,
    quantile,
    steal_percent,
    system_cpu_times,
)
from stockbench.server import MarketServer, ServerConfig, serve_market

BENCH_LATENCY_MS = 30.0


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


@pytest.fixture
def measure(benchmark: Any) -> Measure:
    """``measure(fn, *args, samples=N, rounds=R, warmup_rounds=W, threads=T)`` -> fn's result.

    ``fn`` is timed by ``benchmark.pedantic``; everything else here happens around it.
    """

    def run(
        fn: Callable[..., Any],
        *args: Any,
        samples: int,
        rounds: int = 5,
        warmup_rounds: int = 0,
        threads: int | None = None,
    ) -> Any:
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
        benchmark.extra_info.update(
            {
                "samples": samples,
                "time_per_sample_s": median / samples,
                "samples_per_s": samples / median if median > 0 else None,
                "cpu_percent": 100.0 * cpu / wall if wall > 0 else None,
                "rss_before_bytes": mem.rss_before_bytes,
                "peak_rss_bytes": mem.peak_bytes,
                "peak_rss_method": mem.method,
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
