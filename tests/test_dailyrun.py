"""The daily run's sums: time, CPU-seconds, peak, credits and warnings of three jobs."""

from __future__ import annotations

import pytest

from stockbench.dailyrun import DailyRun, daily_run
from stockbench.net import Endpoints


def report(job: str, wall: float, cpu: float, peak: int, warning: str | None = None) -> dict:  # type: ignore[type-arg]
    return {
        "job": job,
        "process_wall_s": wall,
        "process_cpu_s": cpu,
        "peak_rss_bytes": peak,
        "result": {"warning": warning} if warning else {},
    }


def test_the_day_adds_up_and_its_largest_peak_counts() -> None:
    run = DailyRun(
        "onnx",
        [
            report("market", 10.0, 0.5, 60),
            report("lstm", 0.3, 0.4, 90),
            report("sentiment", 1.3, 1.9, 317, warning="labels are meaningless"),
        ],
    )
    assert run.wall_s == pytest.approx(11.6)
    assert run.cpu_s == pytest.approx(2.8)
    assert run.peak_rss_bytes == 317
    assert run.cpu_credits == pytest.approx(2.8 / 60)  # a credit: one vCPU-minute
    assert run.warnings == ["labels are meaningless"]
    assert run.to_json()["failed"] == []
    assert DailyRun("torch").peak_rss_bytes is None


def test_sizes_below_one_are_refused_before_anything_runs() -> None:
    with pytest.raises(ValueError, match="must be >= 1"):
        daily_run(Endpoints("http://127.0.0.1:9"), limit=0)
