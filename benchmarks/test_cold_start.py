"""Cold start: a fresh subprocess per round for each job (import, load, first result),
with the child's own peak memory and CPU time: what a cron job on a small instance
pays. Each job carries the original study's way (baseline) next to the project's."""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from stockbench.fakemarket import FakeMarket

from .conftest import BASELINE, HEADLINE, JobProcess, Measure, Sizes

# job, variant, role: the project's way is the job's headline, the original the baseline
CASES = [
    ("lstm", "original", BASELINE),
    ("lstm", "torch", HEADLINE),
    ("market", "original", BASELINE),
    ("market", "ranking", HEADLINE),
    ("sentiment", "original", BASELINE),
    ("sentiment", "int8", HEADLINE),
]


def _samples(job: str, variant: str, market: FakeMarket, sizes: Sizes) -> int:
    if job == "market":
        total = len(market.companies)
        return sizes.original_companies(total) if variant == "original" else total
    return {"lstm": 1024, "sentiment": sizes.headlines}[job]


@pytest.mark.benchmark(group="cold_start")
@pytest.mark.parametrize(("job", "variant", "role"), CASES, ids=[f"{j}-{v}" for j, v, _ in CASES])
def test_cold_start(
    job: str,
    variant: str,
    role: str,
    measure: Measure,
    benchmark: Any,
    job_process: JobProcess,
    market: FakeMarket,
    sizes: Sizes,
) -> None:
    samples = _samples(job, variant, market, sizes)
    reports: list[dict[str, Any]] = []

    def cold_run() -> dict[str, Any]:
        reports.append(job_process(job, variant, samples))
        return reports[-1]

    last = measure(cold_run, samples=samples, rounds=sizes.rounds(3), role=role, job=job)
    assert last["samples"] == samples
    # The child's resources, not this process's: they are what a cron job pays.
    info = benchmark.extra_info
    info["variant"] = variant
    info["peak_rss_bytes"] = max(r["peak_rss_bytes"] for r in reports)
    info["rss_before_bytes"] = min(r["rss_start_bytes"] for r in reports)
    info["peak_rss_method"] = "job_process_vmhwm"
    info["cpu_seconds"] = statistics.median(r["cpu_s"] for r in reports)
    info["cpu_percent"] = statistics.median(100 * r["cpu_s"] / r["total_s"] for r in reports)
    for key in ("import_s", "load_s", "first_result_s"):
        info[key] = statistics.median(r[key] for r in reports)
