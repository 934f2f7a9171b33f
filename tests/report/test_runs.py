"""Saved files in: every usable run read, every other file skipped with a reason."""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import pytest

from stockbench.report import load_runs, pick_region

from .runfiles import INSTANCES, saved_run


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


def _set(doc: dict[str, Any], path: str, value: Any) -> None:
    keys: list[Any] = [int(k) if k.isdigit() else k for k in path.split(".")]
    node: Any = doc
    for key in keys[:-1]:
        node = node[key]
    if value is DELETE:
        del node[keys[-1]]
    else:
        node[keys[-1]] = value


DELETE = object()


@pytest.mark.parametrize(
    ("path", "value", "reason"),
    [
        ("benchmarks.1.stats.median", "fast", 'benchmarks[1] (case_crawl).stats.median is "fast"'),
        ("benchmarks.1.stats.median", math.nan, "stats.median is NaN, not a finite number"),
        ("benchmarks.1.stats.median", -1, "stats.median is -1, not a finite number >= 0"),
        ("benchmarks.1.name", DELETE, "benchmarks[1].name is missing, not a non-empty string"),
        ("benchmarks.1.name", ["a"], 'benchmarks[1].name is ["a"], not a non-empty string'),
        ("benchmarks.1.group", ["market"], 'group is ["market"], not a non-empty string'),
        ("benchmarks.1.stats.data", [1, "x"], "stats.data is not a list of finite numbers"),
        ("benchmarks.1.stats", [1], "stats is a list, not an object"),
        ("benchmarks.1.extra_info", DELETE, "extra_info is missing, not an object"),
        ("benchmarks.1.extra_info.job", DELETE, "extra_info.job is missing"),
        ("benchmarks.1.extra_info.samples", math.inf, "extra_info.samples is Infinity"),
        ("benchmarks.1.extra_info.samples", 10**30, "extra_info.samples is 1000000000000"),
        ("benchmarks.1.extra_info.samples", 0, "extra_info.samples is 0, not a finite number >= 1"),
        ("benchmarks.1.extra_info.peak_rss_bytes", "1 GB", "extra_info.peak_rss_bytes is"),
        ("machine_info.ec2_instance_type", {"a": 1}, "machine_info.ec2_instance_type is"),
        ("machine_info.ec2_instance_type", "<html>", 'instance name "<html>" is not one'),
        ("machine_info.total_memory_bytes", "8G", "machine_info.total_memory_bytes is"),
        ("benchmarks.1", "x", "benchmarks[1] is a str, not an object"),
    ],
)
def test_one_structurally_bad_file_is_skipped_with_one_line(
    four: Path, path: str, value: Any, reason: str
) -> None:
    bad = saved_run("t2.micro", seed=9)
    _set(bad, path, value)
    (four / "9001_bad.json").write_text(json.dumps(bad))
    runs, skipped = load_runs([four])
    assert len(runs) == 4
    (skip,) = skipped
    assert skip.path.name == "9001_bad.json"
    assert reason in skip.reason
    assert "\n" not in str(skip)
    assert len(str(skip)) < 300


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("[" * 100_000 + "]" * 100_000, "JSON nested too deep"),
        ('{"benchmarks": ' + "9" * 5000 + "}", "unreadable JSON"),
        ("\udcff", "not UTF-8 text"),
    ],
)
def test_hostile_json_files_are_skipped(tmp_path: Path, text: str, reason: str) -> None:
    path = tmp_path / "x.json"
    path.write_bytes(text.encode("utf-8", "surrogateescape"))
    runs, skipped = load_runs([tmp_path])
    assert runs == []
    assert skipped[0].reason.startswith(reason)
    assert len(skipped[0].reason) < 200


def test_a_foreign_pytest_benchmark_file_is_skipped_and_changes_nothing(four: Path) -> None:
    other = saved_run("m5.large")
    del other["machine_info"]["stockbench_version"]
    del other["machine_info"]["ec2_instance_type"]
    other["machine_info"]["ec2_region"] = "eu-west-1"
    (four / "0001_other.json").write_text(json.dumps(other))
    runs, skipped = load_runs([four])
    assert sorted(r.instance for r in runs) == sorted(INSTANCES)
    assert [(s.path.name, s.reason) for s in skipped] == [
        ("0001_other.json", "a pytest-benchmark file, but not stockbench's (no stockbench_version)")
    ]
    assert pick_region(runs) == "us-east-1"
