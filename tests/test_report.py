"""The cross-instance report on saved runs written in pytest-benchmark's format."""

from __future__ import annotations

import json
import random
import statistics
from pathlib import Path
from typing import Any

import pytest

from stockbench.cli import main
from stockbench.errors import ConfigError
from stockbench.report import (
    aggregate,
    load_prices,
    load_runs,
    parse_targets,
    pick_region,
    results_csv,
    terminal_table,
    verdicts,
)
from stockbench.report.charts import render_charts

GIB = 2**30
# instance -> (memory, speed factor): what a t4g/t2/m5/c6g comparison roughly looks like
INSTANCES = {
    "t4g.micro": (1 * GIB, 1.6),
    "t2.micro": (1 * GIB, 2.2),
    "m5.large": (8 * GIB, 1.0),
    "c6g.medium": (2 * GIB, 1.3),
}
CASES = {  # name -> (group, base seconds per round, samples, peak RSS)
    "test_market_snapshot_ranking": ("market", 9.6, 2768, 480 * 2**20),
    "test_market_snapshot_original": ("market", 18.5, 40, 500 * 2**20),
    "test_lstm_warm": ("lstm", 0.0055, 1024, 470 * 2**20),
    "test_sentiment_int8": ("sentiment", 0.65, 100, 640 * 2**20),
    "test_sentiment_batched_fp32": ("sentiment", 2.0, 100, 1050 * 2**20),
}


def bench_entry(
    name: str, group: str, rounds: list[float], samples: int, peak: int, with_data: bool
) -> dict[str, Any]:
    med = statistics.median(rounds)
    stats = {
        "min": min(rounds),
        "max": max(rounds),
        "mean": statistics.fmean(rounds),
        "stddev": statistics.pstdev(rounds),
        "rounds": len(rounds),
        "median": med,
        "iqr": 0.0,
        "q1": med,
        "q3": med,
        "iqr_outliers": 0,
        "stddev_outliers": 0,
        "outliers": "0;0",
        "ld15iqr": min(rounds),
        "hd15iqr": max(rounds),
        "ops": 1 / statistics.fmean(rounds),
        "total": sum(rounds),
        "iterations": 1,
    }
    if with_data:
        stats["data"] = rounds
    return {
        "group": group,
        "name": name,
        "fullname": f"benchmarks/x.py::{name}",
        "params": None,
        "param": None,
        "options": {"timer": "perf_counter", "warmup": False},
        "extra_info": {
            "samples": samples,
            "time_per_sample_s": med / samples,
            "samples_per_s": samples / med,
            "cpu_percent": 150.0,
            "rss_before_bytes": peak // 2,
            "peak_rss_bytes": peak,
            "steal_percent": 0.5,
            "threads": 2,
            "round_p50_s": med,
            "round_p90_s": max(rounds),
            "round_p99_s": max(rounds),
        },
        "stats": stats,
    }


def saved_run(
    instance: str,
    *,
    seed: int = 0,
    with_data: bool = True,
    region: str = "us-east-1",
    scale: float = 1.0,
) -> dict[str, Any]:
    memory, factor = INSTANCES[instance]
    rng = random.Random(f"{instance}-{seed}")
    benches = []
    for name, (group, base, samples, peak) in CASES.items():
        rounds = [base * factor * scale * rng.uniform(0.97, 1.03) for _ in range(7)]
        benches.append(bench_entry(name, group, rounds, samples, peak, with_data))
    return {
        "machine_info": {
            "node": "x",
            "ec2_instance_type": instance,
            "ec2_region": region,
            "total_memory_bytes": memory,
            "cpu_architecture": "aarch64",
        },
        "commit_info": {},
        "benchmarks": benches,
        "datetime": "2026-11-26T00:00:00",
        "version": "5.2.3",
    }


def write_runs(folder: Path, runs: dict[str, dict[str, Any]]) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    for i, (name, doc) in enumerate(runs.items(), start=1):
        (folder / f"{i:04d}_{name}.json").write_text(json.dumps(doc))
    return folder


@pytest.fixture
def four(tmp_path: Path) -> Path:
    return write_runs(tmp_path / "runs", {i: saved_run(i) for i in INSTANCES})


def results_for(folder: Path, baseline: str | None = "m5.large", **kw: Any) -> list[Any]:
    runs, skipped = load_runs([folder])
    assert skipped == []
    return aggregate(runs, load_prices(), pick_region(runs), baseline, **kw)


def test_values_equal_the_inputs_medians(four: Path) -> None:
    results = results_for(four)
    assert len(results) == len(CASES) * len(INSTANCES)
    docs = {
        json.loads(p.read_text())["machine_info"]["ec2_instance_type"]: json.loads(p.read_text())
        for p in four.glob("*.json")
    }
    for r in results:
        bench = next(b for b in docs[r.instance]["benchmarks"] if b["name"] == r.case)
        assert r.median_s == pytest.approx(statistics.median(bench["stats"]["data"]))
        assert r.time_per_sample_s == pytest.approx(r.median_s / bench["extra_info"]["samples"])
        assert r.runs == 1
        assert r.memory_bytes == INSTANCES[r.instance][0]


def test_two_runs_of_one_type_aggregate_with_spread(tmp_path: Path) -> None:
    folder = write_runs(
        tmp_path / "r",
        {
            "a": saved_run("t4g.micro", seed=1),
            "b": saved_run("t4g.micro", seed=2, scale=1.2),
            "c": saved_run("m5.large"),
        },
    )
    results = results_for(folder)
    lstm = next(r for r in results if r.case == "test_lstm_warm" and r.instance == "t4g.micro")
    assert lstm.runs == 2
    assert {r.instance for r in results} == {"t4g.micro", "m5.large"}
    lo, hi = lstm.median_spread_s
    assert lo < hi
    assert hi / lo == pytest.approx(1.2, rel=0.05)
    assert len(lstm.raw_rounds) == 14


def test_cost_per_unit_from_the_price_table(four: Path) -> None:
    results = results_for(four)
    r = next(x for x in results if x.case == "test_lstm_warm" and x.instance == "t4g.micro")
    assert r.price_per_hour == 0.0084
    assert r.cost_per_million_samples == pytest.approx(0.0084 / 3600 * r.time_per_sample_s * 1e6)
    seoul = load_prices().price("ap-northeast-2", "c6g.medium")
    assert seoul is None  # unknown: never made up


def test_missing_price_is_no_price(tmp_path: Path) -> None:
    folder = write_runs(
        tmp_path / "r",
        {
            "a": saved_run("c6g.medium", region="ap-northeast-2"),
            "b": saved_run("m5.large", region="ap-northeast-2"),
        },
    )
    results = results_for(folder)
    c6g = [r for r in results if r.instance == "c6g.medium"]
    assert all(r.price_per_hour is None and r.cost_per_million_samples is None for r in c6g)
    assert "no price" in terminal_table(c6g)
    csv_rows = [row.split(",") for row in results_csv(results).splitlines()[1:]]
    assert all(row[17] == "" for row in csv_rows if row[2] == "c6g.medium")  # price column


def test_price_override_file(tmp_path: Path) -> None:
    override = tmp_path / "prices.json"
    override.write_text(
        json.dumps({"regions": {"ap-northeast-2": {"c6g.medium": 0.0436}}, "as_of": "2026-12"})
    )
    prices = load_prices(override)
    assert prices.price("ap-northeast-2", "c6g.medium") == 0.0436
    assert prices.price("us-east-1", "t4g.micro") == 0.0084
    assert prices.as_of == "2026-12"
    override.write_text(json.dumps({"regions": {"us-east-1": {"t4g.micro": -1}}}))
    with pytest.raises(ConfigError, match="not > 0"):
        load_prices(override)


def test_significance_only_with_raw_rounds(tmp_path: Path) -> None:
    with_data = results_for(
        write_runs(tmp_path / "d", {i: saved_run(i) for i in ("t4g.micro", "m5.large")})
    )
    t4g = next(r for r in with_data if r.case == "test_lstm_warm" and r.instance == "t4g.micro")
    assert t4g.significant is True
    assert t4g.p_value is not None
    assert t4g.p_value < 0.05
    same = results_for(
        write_runs(
            tmp_path / "s",
            {"x": saved_run("m5.large", seed=1), "y": {**saved_run("m5.large", seed=2)}},
        )
    )
    assert all(r.significant is None for r in same)  # one instance: nothing to test against
    no_data = results_for(
        write_runs(
            tmp_path / "n", {i: saved_run(i, with_data=False) for i in ("t4g.micro", "m5.large")}
        )
    )
    t4g_nd = next(r for r in no_data if r.case == "test_lstm_warm" and r.instance == "t4g.micro")
    assert t4g_nd.significant is None
    assert t4g_nd.significance == "cannot tell (no raw rounds)"
    assert t4g_nd.ratio_to_baseline == pytest.approx(1 / 1.6, rel=0.05)


def test_overlapping_rounds_are_not_significant(tmp_path: Path) -> None:
    a, b = saved_run("m5.large", seed=3), saved_run("c6g.medium", seed=4)
    for bench_a, bench_b in zip(a["benchmarks"], b["benchmarks"], strict=True):
        bench_b["stats"]["data"] = list(reversed(bench_a["stats"]["data"]))
        bench_b["stats"]["median"] = bench_a["stats"]["median"]
    results = results_for(write_runs(tmp_path / "o", {"a": a, "b": b}))
    c6g = [r for r in results if r.instance == "c6g.medium"]
    assert all(r.significant is False for r in c6g)


def test_bad_inputs_are_skipped_with_reasons_and_the_rest_reported(four: Path) -> None:
    (four / "9001_corrupt.json").write_text('{"benchmarks": [')
    (four / "9002_other.json").write_text(json.dumps({"name": "some other project"}))
    (four / "9003_nomachine.json").write_text(
        json.dumps({"benchmarks": [{"name": "x", "stats": {"median": 1}}]})
    )
    partial = saved_run("t2.micro")
    del partial["benchmarks"][2]["stats"]["median"]
    (four / "9004_partial.json").write_text(json.dumps(partial))
    runs, skipped = load_runs([four])
    assert len(runs) == 4
    reasons = {s.path.name: s.reason for s in skipped}
    assert "corrupt JSON" in reasons["9001_corrupt.json"]
    assert "not a pytest-benchmark file" in reasons["9002_other.json"]
    assert "no machine_info" in reasons["9003_nomachine.json"]
    assert "partial" in reasons["9004_partial.json"]


def test_verdicts_fastest_cheapest_and_targets(four: Path) -> None:
    results = results_for(four)
    by_job = {v.job: v for v in verdicts(results)}
    assert by_job["lstm"].fastest == "m5.large"
    assert by_job["lstm"].cheapest == "t4g.micro"  # 0.0084 $/h x 1.6 beats 0.096 $/h x 1.0
    tight = verdicts(results, parse_targets(["lstm=7.5"]))
    lstm = next(v for v in tight if v.job == "lstm")
    assert lstm.cheapest_meeting_target == "c6g.medium"  # t4g (8.8 ms) misses 7.5 ms


def test_instances_that_do_not_fit_in_memory_are_not_chosen(tmp_path: Path) -> None:
    runs = {i: saved_run(i) for i in ("t4g.micro", "m5.large")}
    for b in runs["t4g.micro"]["benchmarks"]:
        b["extra_info"]["peak_rss_bytes"] = 2 * GIB  # does not fit in 1 GiB
    results = results_for(write_runs(tmp_path / "m", runs))
    lstm = next(v for v in verdicts(results) if v.job == "lstm")
    assert lstm.cheapest == "t4g.micro"
    assert lstm.cheapest_meeting_target == "m5.large"
    assert next(r for r in results if r.instance == "t4g.micro").fits_memory is False


@pytest.mark.parametrize("bad", ["lstm", "lstm=", "=5", "lstm=-1", "lstm=fast"])
def test_bad_target_is_a_config_error(bad: str) -> None:
    with pytest.raises(ConfigError, match="CASE=MILLISECONDS"):
        parse_targets([bad])


def test_charts_have_one_bar_per_instance_with_the_results_values(
    four: Path, tmp_path: Path
) -> None:
    results = results_for(four)
    charts = render_charts(results, tmp_path / "charts")
    names = {c.path.name for c in charts}
    assert {"market.png", "lstm.png", "sentiment.png", "cost.png"} <= names
    for chart in charts:
        assert chart.path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
        for panel in chart.panels.values():
            assert sorted(panel) == sorted(INSTANCES)
    lstm = next(c for c in charts if c.path.name == "lstm.png")
    want = {r.instance: r.median_s for r in results if r.case == "test_lstm_warm"}
    assert lstm.panels["Total time per run (ms)"] == pytest.approx(
        {k: v * 1e3 for k, v in want.items()}
    )
    cost = next(c for c in charts if c.path.name == "cost.png")
    assert cost.panels["lstm"]["t4g.micro"] == pytest.approx(
        next(
            r.cost_per_million_samples
            for r in results
            if r.case == "test_lstm_warm" and r.instance == "t4g.micro"
        )
    )


def test_cost_chart_only_for_priced_jobs(tmp_path: Path) -> None:
    folder = write_runs(tmp_path / "r", {"a": saved_run("c6g.medium", region="ap-northeast-2")})
    results = results_for(folder, baseline=None)
    charts = render_charts(results, tmp_path / "charts")
    assert "cost.png" not in {c.path.name for c in charts}  # nothing priced: no empty chart


def test_cli_report_end_to_end(
    four: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (four / "9001_corrupt.json").write_text("{")
    out = tmp_path / "out"
    assert (
        main(
            [
                "report",
                str(four),
                "--out",
                str(out),
                "--baseline",
                "m5.large",
                "--target-ms",
                "lstm=10",
            ]
        )
        == 0
    )
    printed = capsys.readouterr()
    assert "9001_corrupt.json: corrupt JSON" in printed.err
    assert printed.err.count("\n") == 1
    assert "Verdicts" in printed.out
    md = (out / "report.md").read_text()
    assert "## Verdicts" in md
    assert "![lstm: test_lstm_warm](lstm.png)" in md
    rows = (out / "report.csv").read_text().splitlines()
    assert rows[0].startswith("group,case,instance")
    assert len(rows) == 1 + len(CASES) * len(INSTANCES)


def test_cli_report_without_readable_files(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "x.json").write_text("not json")
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "o"), "--no-charts"]) == 1
    assert "no readable benchmark run" in capsys.readouterr().err


def test_cli_report_unknown_baseline(
    four: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert (
        main(["report", str(four), "--out", str(tmp_path), "--baseline", "z1.huge", "--no-charts"])
        == 2
    )
    assert "z1.huge" in capsys.readouterr().err
