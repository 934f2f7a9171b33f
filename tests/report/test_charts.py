"""Charts: one bar per instance, drawn from the results' own values."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockbench.report.charts import chart_names, render_charts

from .runfiles import INSTANCES, results_for, saved_run, write_runs


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
    want = {r.instance: r.median_s for r in results if r.case == "case_warm"}
    assert lstm.panels["Total time per run (ms)"] == pytest.approx(
        {k: v * 1e3 for k, v in want.items()}
    )
    cost = next(c for c in charts if c.path.name == "cost.png")
    assert cost.panels["lstm"]["t4g.micro"] == pytest.approx(
        next(
            r.cost_per_million_samples
            for r in results
            if r.case == "case_warm" and r.instance == "t4g.micro"
        )
    )


def test_cost_chart_only_for_priced_jobs(tmp_path: Path) -> None:
    folder = write_runs(tmp_path / "r", {"a": saved_run("c6g.medium", region="ap-northeast-2")})
    results = results_for(folder, baseline=None)
    charts = render_charts(results, tmp_path / "charts")
    assert "cost.png" not in {c.path.name for c in charts}  # nothing priced: no empty chart


def test_chart_names_are_safe_unique_and_never_the_cost_chart() -> None:
    names = chart_names(["lstm", "a/b", "a_b", "A_B", "cost", "../../x", "$x$", ""])
    assert names == {
        "lstm": "lstm.png",
        "a/b": "a_b.png",
        "a_b": "a_b-2.png",
        "A_B": "A_B-3.png",  # a_b.png on a case-insensitive disk
        "cost": "cost-2.png",
        "../../x": "x.png",
        "$x$": "x-2.png",
        "": "job.png",
    }


def test_names_from_files_are_drawn_as_text_not_mathtext(tmp_path: Path) -> None:
    run = saved_run("m5.large")
    for bench in run["benchmarks"]:
        if bench["group"] == "lstm":
            bench["extra_info"]["job"] = r"$\nosuchcommand{$"
            bench["name"] = "$x^$"
    results = results_for(write_runs(tmp_path / "r", {"m5.large": run}), baseline=None)
    charts = render_charts(results, tmp_path / "charts")
    titles = {c.title for c in charts}
    assert r"lstm:$\nosuchcommand{$: $x^$" in titles
    assert all(c.path.parent == tmp_path / "charts" for c in charts)
