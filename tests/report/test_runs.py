"""Saved files in: every usable run read, every other file skipped with a reason."""

from __future__ import annotations

import json
from pathlib import Path

from stockbench.report import (
    load_runs,
)

from .runfiles import saved_run


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
