"""One job from a cold process: the JSON line the cold-start benchmark reads."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from stockbench.coldstart import run

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
    with pytest.raises(ValueError, match="lstm has no variant 'tensorflow'"):
        run("lstm", "tensorflow")
