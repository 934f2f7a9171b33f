"""Cold start: a fresh subprocess per round for each job (import, load, first result),
with the child's own peak memory: what a cron job on a small instance pays."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from typing import Any

import pytest

from stockbench.coldstart import JOBS
from stockbench.fakemarket import FakeMarket, MarketServer

from .conftest import HEADLINE, Measure, Sizes


def _samples(job: str, market: FakeMarket, sizes: Sizes) -> int:
    return {"lstm": 1024, "market": len(market.companies), "sentiment": sizes.headlines}[job]


@pytest.mark.benchmark(group="cold_start")
@pytest.mark.parametrize("job", JOBS)
def test_cold_start(
    job: str,
    measure: Measure,
    benchmark: Any,
    market_server: MarketServer,
    market: FakeMarket,
    sizes: Sizes,
) -> None:
    samples = _samples(job, market, sizes)
    env = {**os.environ, "STOCKBENCH_ORIGIN": market_server.origin}
    argv = [sys.executable, "-m", "stockbench.coldstart", job, "--samples", str(samples)]
    reports: list[dict[str, Any]] = []

    def cold_run() -> dict[str, Any]:
        done = subprocess.run(
            argv, env=env, capture_output=True, text=True, check=True, timeout=900
        )
        reports.append(json.loads(done.stdout.strip().splitlines()[-1]))
        return reports[-1]

    last = measure(cold_run, samples=samples, rounds=sizes.rounds(3), role=HEADLINE, job=job)
    assert last["job"] == job
    assert last["samples"] == samples
    # The child's resources, not this process's: they are what a cron job pays.
    info = benchmark.extra_info
    info["peak_rss_bytes"] = max(r["peak_rss_bytes"] for r in reports)
    info["rss_before_bytes"] = min(r["rss_start_bytes"] for r in reports)
    info["peak_rss_method"] = "child_vmhwm"
    info["cpu_percent"] = statistics.median(100 * r["cpu_s"] / r["total_s"] for r in reports)
    for key in ("import_s", "load_s", "first_result_s"):
        info[key] = statistics.median(r[key] for r in reports)
