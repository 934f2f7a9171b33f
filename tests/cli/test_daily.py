"""``stockbench daily``: the three jobs, each in a fresh process, on the offline market."""

from __future__ import annotations

import json
import sys
from pathlib import Path

import pytest

from stockbench.cli import main

from ..tinymodels import LABELS


@pytest.mark.slow
def test_daily_runs_three_jobs_cold(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["daily", "--model", str(tiny_dirs["electra"])]  # --backend onnx, the default
    assert main([*argv, "--companies", "30", "--limit", "6", "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["backend"] == "onnx"
    assert doc["failed"] == []
    jobs = {j["job"]: j for j in doc["jobs"]}
    assert list(jobs) == ["market", "lstm", "sentiment"]
    assert jobs["market"]["samples"] == 30
    assert jobs["market"]["result"]["rows"] > 0
    assert jobs["lstm"]["samples"] == 1024
    assert jobs["sentiment"]["samples"] == 6
    assert set(jobs["sentiment"]["result"]["labels"]) <= set(LABELS.values())
    assert (jobs["lstm"]["variant"], jobs["sentiment"]["variant"]) == ("onnx", "onnx")
    for job in jobs.values():
        assert job["process_wall_s"] >= job["total_s"] > 0
        assert job["process_cpu_s"] > 0
        assert job["peak_rss_bytes"] > job["rss_start_bytes"] > 0


@pytest.mark.slow
def test_daily_table(tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["daily", "--model", str(tiny_dirs["base"]), "--companies", "10", "--limit", "3"]
    assert main(argv) == 0
    out = capsys.readouterr()
    for line in ("market snapshot  ranking", "LSTM             onnx", "news mood        onnx"):
        assert line in out.out
    assert "CPU credits" in out.out
    assert out.err.count("randomly initialised") == 1  # the model's warning, once


def test_daily_without_exports_or_tools_is_a_usage_error(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("STOCKBENCH_CACHE", str(tmp_path))
    monkeypatch.setitem(sys.modules, "torch", None)  # as on a runtime-only install
    assert main(["daily"]) == 2
    assert "needs torch" in capsys.readouterr().err
    assert main(["daily", "--limit", "0"]) == 2
