"""Cases x instances: medians, spread, ratios, significance and verdicts."""

from __future__ import annotations

import csv
import io
import json
import re
import statistics
from pathlib import Path

import pytest

from stockbench.errors import ConfigError
from stockbench.report import (
    load_prices,
    parse_targets,
    results_csv,
    terminal_table,
    verdicts,
)

from .runfiles import CASES, GIB, INSTANCES, results_for, saved_run, write_runs


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
    lstm = next(r for r in results if r.case == "case_warm" and r.instance == "t4g.micro")
    assert lstm.runs == 2
    assert {r.instance for r in results} == {"t4g.micro", "m5.large"}
    lo, hi = lstm.median_spread_s
    assert lo < hi
    assert hi / lo == pytest.approx(1.2, rel=0.05)
    assert len(lstm.raw_rounds) == 14


def test_cost_per_unit_from_the_price_table(four: Path) -> None:
    results = results_for(four)
    r = next(x for x in results if x.case == "case_warm" and x.instance == "t4g.micro")
    hourly = load_prices().price("us-east-1", "t4g.micro")
    assert hourly is not None
    assert r.price_per_hour == hourly
    assert r.cost_per_million_samples == pytest.approx(hourly / 3600 * r.time_per_sample_s * 1e6)


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
    rows = list(csv.DictReader(io.StringIO(results_csv(results))))
    assert {r["price_usd_per_hour"] for r in rows if r["instance"] == "c6g.medium"} == {""}
    assert all(r["price_usd_per_hour"] for r in rows if r["instance"] == "m5.large")


def test_effect_with_its_interval_only_with_raw_rounds(tmp_path: Path) -> None:
    with_data = results_for(
        write_runs(tmp_path / "d", {i: saved_run(i) for i in ("t4g.micro", "m5.large")})
    )
    t4g = next(r for r in with_data if r.case == "case_warm" and r.instance == "t4g.micro")
    assert t4g.effect is not None
    assert t4g.effect.verdict == "slower"  # 1.6x the m5's time
    assert t4g.effect.low is not None
    assert t4g.effect.high is not None
    assert t4g.effect.low < t4g.ratio_to_baseline < t4g.effect.high
    assert re.fullmatch(r"1\.\d+x slower \(1\.\d+-1\.\d+\)", t4g.comparison)
    m5 = next(r for r in with_data if r.case == "case_warm" and r.instance == "m5.large")
    assert m5.comparison == "baseline"
    one = results_for(
        write_runs(
            tmp_path / "s", {"x": saved_run("m5.large", seed=1), "y": saved_run("m5.large", seed=2)}
        )
    )
    assert all(r.effect is None for r in one)  # one instance: nothing to compare with
    no_data = results_for(
        write_runs(
            tmp_path / "n", {i: saved_run(i, with_data=False) for i in ("t4g.micro", "m5.large")}
        )
    )
    t4g_nd = next(r for r in no_data if r.case == "case_warm" and r.instance == "t4g.micro")
    assert t4g_nd.ratio_to_baseline == pytest.approx(1 / 1.6, rel=0.05)
    assert re.fullmatch(
        r"1\.\d+x slower\? \(no raw rounds: cannot tell how sure\)", t4g_nd.comparison
    )


def test_the_same_rounds_on_two_instances_are_the_same(tmp_path: Path) -> None:
    a, b = saved_run("m5.large", seed=3), saved_run("c6g.medium", seed=4)
    for bench_a, bench_b in zip(a["benchmarks"], b["benchmarks"], strict=True):
        bench_b["stats"]["data"] = list(reversed(bench_a["stats"]["data"]))
        bench_b["stats"]["median"] = bench_a["stats"]["median"]
    results = results_for(write_runs(tmp_path / "o", {"a": a, "b": b}))
    c6g = [r for r in results if r.instance == "c6g.medium"]
    assert {r.effect.verdict for r in c6g if r.effect} == {"same"}
    assert all(r.comparison.startswith("same (") for r in c6g)


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
    with pytest.raises(ConfigError, match="JOB=MILLISECONDS"):
        parse_targets([bad])


def test_a_run_that_recorded_its_spot_price_is_priced_at_it(tmp_path: Path) -> None:
    spot, on_demand = saved_run("t4g.micro"), saved_run("m5.large")
    spot["machine_info"] |= {
        "ec2_instance_life_cycle": "spot",
        "ec2_spot_price_usd_per_hour": 0.0031,
    }
    on_demand["machine_info"]["ec2_spot_price_usd_per_hour"] = 0.02  # not a spot run: ignored
    results = results_for(write_runs(tmp_path / "s", {"a": spot, "b": on_demand}))
    t4g = next(r for r in results if r.instance == "t4g.micro")
    m5 = next(r for r in results if r.instance == "m5.large")
    assert (t4g.price_per_hour, t4g.price_kind) == (0.0031, "spot")
    assert (m5.price_per_hour, m5.price_kind) == (
        load_prices().price("us-east-1", "m5.large"),
        "on-demand",
    )
    assert "$0.0031 spot" in terminal_table([t4g])
