"""The daily-jobs verdict: credits by hand, costs by hand, and the reasons given."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from stockbench.report import build_report
from stockbench.report.daily import (
    BurstSpec,
    burstable_specs,
    credit_use,
    daily_verdict,
)
from stockbench.report.render import daily_lines

from .runfiles import bench_entry, results_for, write_runs

MIB = 2**20


def test_credit_table_matches_awss_arithmetic() -> None:
    specs = burstable_specs()
    assert specs["t2.micro"] == BurstSpec(1, 6, 10, "standard", 0.05)
    assert specs["t4g.micro"] == BurstSpec(2, 12, 10, "unlimited", 0.04)
    for name, spec in specs.items():
        # a credit is a vCPU-minute: earning rate = vCPUs x baseline share x 60 minutes
        assert spec.credits_per_hour == pytest.approx(spec.vcpus * spec.baseline_percent * 0.6)
        assert spec.mode == ("standard" if name.startswith("t2.") else "unlimited")


def test_t2_micro_earns_144_credits_a_day_and_is_throttled_past_them() -> None:
    t2 = burstable_specs()["t2.micro"]
    light = credit_use(t2, 600)  # ten CPU-minutes
    assert (light.spent_per_day, light.earned_per_day) == (10, 144)
    assert light.sustainable
    heavy = credit_use(t2, 9_000)
    assert heavy.spent_per_day == 150
    assert not heavy.sustainable
    assert heavy.surplus_usd_per_month == 0  # standard mode: throttled, not billed
    assert "throttled to baseline" in heavy.describe()


def test_t4g_micro_earns_288_credits_a_day_and_pays_for_the_surplus() -> None:
    use = credit_use(burstable_specs()["t4g.micro"], 20_000)
    assert use.earned_per_day == 288
    assert use.spent_per_day == pytest.approx(333.333, rel=1e-4)
    # 45.33 credits a day = 0.7556 vCPU-hours; x 30.42 days x $0.04 per vCPU-hour
    assert use.surplus_usd_per_month == pytest.approx(0.9189, rel=1e-3)
    assert "surplus $0.92/month" in use.describe()


COLD = {  # job -> (seconds per cold run, CPU-seconds, peak RSS)
    "lstm": (1.2, 1.5, 250 * MIB),
    "market": (10.0, 2.0, 110 * MIB),
    "sentiment": (6.0, 7.0, 700 * MIB),
}


def cold_run(
    instance: str, *, free: int, cpu_factor: float = 1.0, skip: str = ""
) -> dict[str, Any]:
    benches = []
    for job, (seconds, cpu, peak) in COLD.items():
        if job == skip:
            continue
        entry = bench_entry(f"test_cold_start[{job}]", "cold_start", [seconds] * 3, 1, peak, True)
        entry["extra_info"].update(
            {"job": job, "role": "headline", "cpu_seconds": cpu * cpu_factor, "variant": "x"}
        )
        benches.append(entry)
    return {
        "machine_info": {
            "ec2_instance_type": instance,
            "ec2_region": "us-east-1",
            "total_memory_bytes": 2 * free,
            "available_memory_bytes": free,
            "stockbench_version": "test",
        },
        "benchmarks": benches,
    }


@pytest.fixture
def fleet(tmp_path: Path) -> Path:
    return write_runs(
        tmp_path / "runs",
        {
            # the cheapest: its news job needs 700 MB, it had 400 MB free
            "a": cold_run("t4g.nano", free=400 * MIB),
            # the next: 3,000x the CPU of a daily run spends 150 credits, earns 144
            "b": cold_run("t2.micro", free=900 * MIB, cpu_factor=9_000 / 10.5),
            "c": cold_run("c6g.medium", free=1_700 * MIB),
            "d": cold_run("m5.large", free=7_000 * MIB),
        },
    )


def test_cheapest_ruled_out_for_memory_the_next_for_credits(fleet: Path) -> None:
    verdict = daily_verdict(results_for(fleet))
    assert verdict is not None
    assert [r.instance for r in verdict.rows] == ["t4g.nano", "t2.micro", "c6g.medium", "m5.large"]
    assert verdict.pick == "c6g.medium"
    assert verdict.ruled_out["t4g.nano"] == "needs 700 MB of memory, had 400 MB free"
    assert "runs out (150 of 144 credits/day)" in verdict.ruled_out["t2.micro"]
    c6g = next(r for r in verdict.rows if r.instance == "c6g.medium")
    assert c6g.time_s == pytest.approx(17.2)
    assert c6g.cpu_seconds == pytest.approx(10.5)
    assert c6g.peak_rss_bytes == 700 * MIB
    assert c6g.credits is None  # not burstable
    assert c6g.monthly_running_usd == pytest.approx(0.034 * 730)
    assert c6g.launched_usd_per_day == pytest.approx(0.034 * 60 / 3600)  # the 60 s minimum
    lines = daily_lines(verdict)
    assert any(line.startswith("Verdict: c6g.medium is the cheapest") for line in lines)
    assert any(line.startswith("t2.micro ruled out: runs out") for line in lines)


def test_a_deadline_and_a_missing_job_rule_out_too(tmp_path: Path, fleet: Path) -> None:
    verdict = daily_verdict(results_for(fleet), deadline_s=15)
    assert verdict is not None
    assert verdict.pick is None
    assert "over the 15 s deadline" in verdict.ruled_out["c6g.medium"]
    runs = {
        "x": cold_run("t3.micro", free=900 * MIB, skip="lstm"),
        "y": cold_run("c6g.medium", free=1_700 * MIB),
    }
    partial = daily_verdict(results_for(write_runs(tmp_path / "p", runs), baseline=None))
    assert partial is not None
    assert partial.ruled_out["t3.micro"] == "no cold run of cold_start:lstm"
    assert partial.pick == "c6g.medium"


def test_launched_for_each_run_ranks_by_billed_seconds(fleet: Path) -> None:
    report = build_report([fleet], daily_cost="launched")
    assert report.daily is not None
    assert report.daily.mode == "launched"
    assert report.daily.pick == "c6g.medium"


def test_no_cold_start_group_no_daily_verdict(four: Path) -> None:
    assert daily_verdict(results_for(four)) is None
