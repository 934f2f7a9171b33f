"""Cold start: a fresh subprocess per round for each job (import, load, first result),
with the child's own peak memory and CPU time: what a cron job on a small instance
pays. Each ML job carries three ways: the original study's (baseline), the project's
torch path, and its ONNX Runtime path (the headline: what ``stockbench daily`` runs).
Every round's answer is checked against torch fp32 / the torch LSTM, not only timed."""

from __future__ import annotations

import statistics
from typing import Any

import pytest

from stockbench.fakemarket import FakeMarket
from stockbench.lstm.data import Checksum

from .conftest import BASELINE, HEADLINE, JobProcess, Measure, Sizes, check_sentiment

# job, variant, role
CASES = [
    ("lstm", "original", BASELINE),
    ("lstm", "torch", None),
    ("lstm", "onnx", HEADLINE),
    ("market", "original", BASELINE),
    ("market", "ranking", HEADLINE),
    ("sentiment", "original", BASELINE),
    ("sentiment", "int8", None),
    ("sentiment", "onnx", HEADLINE),
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
    request: pytest.FixtureRequest,
) -> None:
    if variant == "onnx":
        request.getfixturevalue("onnx_exports")  # exported before the clock, as a user would
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
    info["backend"] = None if job == "market" else "onnx" if variant == "onnx" else "torch"
    info["peak_rss_bytes"] = max(r["peak_rss_bytes"] for r in reports)
    info["rss_before_bytes"] = min(r["rss_start_bytes"] for r in reports)
    info["peak_rss_method"] = "job_process_vmhwm"
    info["cpu_seconds"] = statistics.median(r["cpu_s"] for r in reports)
    info["cpu_percent"] = statistics.median(100 * r["cpu_s"] / r["total_s"] for r in reports)
    for key in ("import_s", "load_s", "first_result_s", "process_wall_s", "process_cpu_s"):
        info[key] = statistics.median(r[key] for r in reports)
    for report in reports:
        if job == "lstm":
            reference: Checksum = request.getfixturevalue("lstm_reference")
            total, abs_total = report["result"]["checksum"]
            assert Checksum(total, abs_total, reference.shape).close_to(reference)
        elif job == "sentiment":
            check_sentiment(
                variant, report["result"], request.getfixturevalue("fp32_reference"), info
            )
        else:
            assert report["result"]["rows"] > 0
