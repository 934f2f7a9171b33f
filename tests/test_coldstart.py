"""One job from a cold process: the JSON line the cold-start benchmark reads."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stockbench.coldstart import run, run_fresh
from stockbench.errors import StockbenchError
from stockbench.lstm.onnx_runtime import ensure_lstm_export
from stockbench.news.onnx_runtime import ensure_export

from .tinymodels import LABELS

PHASES = ("import_s", "load_s", "first_result_s")


def test_lstm_job_in_process_reports_each_phase() -> None:
    report = run("lstm", samples=8)
    assert report["job"] == "lstm"
    assert report["samples"] == 8
    assert all(report[k] >= 0 for k in PHASES)
    assert report["total_s"] == pytest.approx(sum(report[k] for k in PHASES))
    assert report["peak_rss_bytes"] >= report["rss_start_bytes"] > 0


def test_module_prints_one_json_line_and_refuses_unknown_jobs() -> None:
    argv = [sys.executable, "-m", "stockbench.coldstart"]
    done = subprocess.run(
        [*argv, "lstm", "--samples", "4"], capture_output=True, text=True, check=False
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["samples"] == 4
    bad = subprocess.run([*argv, "poker"], capture_output=True, text=True, check=False)
    assert bad.returncode == 2
    assert "invalid choice: 'poker'" in bad.stderr


def test_each_variant_is_its_own_code_path() -> None:
    project = run("parse", "project", samples=2)
    original = run("parse", "original", samples=2)
    assert (project["variant"], original["variant"]) == ("project", "original")
    assert project["samples"] == original["samples"] == 2
    assert run("lstm")["variant"] == "torch"  # the first variant is the default
    assert (
        run("lstm", samples=4)["result"]["checksum"] != run("lstm", samples=8)["result"]["checksum"]
    )
    with pytest.raises(ValueError, match="lstm has no variant 'tensorflow'"):
        run("lstm", "tensorflow")


def test_onnx_variants_answer_like_torch(tiny_dirs: dict[str, Path]) -> None:
    ensure_lstm_export()
    onnx, torch = run("lstm", "onnx", samples=16), run("lstm", "torch", samples=16)
    assert onnx["variant"] == "onnx"
    assert onnx["result"]["checksum"] == pytest.approx(torch["result"]["checksum"], rel=1e-4)
    spec = str(tiny_dirs["electra"])
    ensure_export(spec)
    cold = run("sentiment", "onnx", samples=5, model=spec)
    warm = run("sentiment", "fp32", samples=5, model=spec)
    assert cold["result"]["labels"] == warm["result"]["labels"]
    assert cold["result"]["label_names"] == list(LABELS.values())
    assert cold["result"]["warning"] is None


def test_onnx_without_an_export_fails_with_the_reason(tmp_path: Path) -> None:
    env = {**os.environ, "STOCKBENCH_CACHE": str(tmp_path)}
    with pytest.raises(StockbenchError, match="no usable ONNX export of lstm model"):
        run_fresh("lstm", "onnx", 4, env=env)


def test_run_fresh_adds_the_whole_process() -> None:
    report = run_fresh("parse", "project", 1)
    assert report["process_wall_s"] >= report["total_s"]
    assert report["process_cpu_s"] > 0
