"""``stockbench report`` through the CLI's ``main``: files written, errors in one line."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockbench.cli import main

from ..report.runfiles import CASES, INSTANCES, saved_run, write_runs


@pytest.fixture
def four(tmp_path: Path) -> Path:
    return write_runs(tmp_path / "runs", {i: saved_run(i) for i in INSTANCES})


def test_end_to_end(four: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
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
    assert "![lstm: case_warm](lstm.png)" in md
    rows = (out / "report.csv").read_text().splitlines()
    assert rows[0].startswith("group,case,instance")
    assert len(rows) == 1 + len(CASES) * len(INSTANCES)


def test_without_readable_files(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    (tmp_path / "x.json").write_text("not json")
    assert main(["report", str(tmp_path), "--out", str(tmp_path / "o"), "--no-charts"]) == 1
    assert "no readable benchmark run" in capsys.readouterr().err


def test_unknown_baseline(four: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert (
        main(["report", str(four), "--out", str(tmp_path), "--baseline", "z1.huge", "--no-charts"])
        == 2
    )
    assert "z1.huge" in capsys.readouterr().err
