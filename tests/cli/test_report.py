"""``stockbench report`` through the CLI's ``main``: files written, errors in one line."""

from __future__ import annotations

import json
import os
import stat
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


def test_one_structurally_bad_file_is_one_line_and_the_rest_is_reported(
    four: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    bad = saved_run("t2.micro", seed=3)
    bad["benchmarks"][0]["stats"]["median"] = "fast"
    (four / "9001_bad.json").write_text(json.dumps(bad))
    assert main(["report", str(four), "--out", str(tmp_path / "o"), "--no-charts"]) == 0
    err = capsys.readouterr().err
    assert err.count("\n") == 1
    assert "9001_bad.json: benchmarks[0] (case_bulk).stats.median" in err


def test_a_foreign_file_is_no_instance_and_sets_no_region(
    four: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    other = saved_run("m5.large")
    del other["machine_info"]["stockbench_version"]
    del other["machine_info"]["ec2_instance_type"]
    for name in os.listdir(four):
        (four / name).unlink()
    write_runs(four, {"t4g.micro": saved_run("t4g.micro", region="ap-northeast-2")})
    other["machine_info"]["ec2_region"] = "eu-west-1"
    (four / "0002_other.json").write_text(json.dumps(other))
    assert main(["report", str(four), "--out", str(tmp_path / "o"), "--no-charts"]) == 0
    out, err = capsys.readouterr()
    assert "0002_other.json: a pytest-benchmark file, but not stockbench's" in err
    assert "1 runs, 1 instances" in out
    assert "prices ap-northeast-2" in out
    assert ",other," not in (tmp_path / "o" / "report.csv").read_text()


def test_names_from_files_stay_inside_out(tmp_path: Path) -> None:
    run = saved_run("m5.large")
    for bench in run["benchmarks"]:
        bench["group"] = "../../x"
        bench["extra_info"]["job"] = "../../x"
    runs = write_runs(tmp_path / "deep" / "er" / "runs", {"m5.large": run})
    out = tmp_path / "deep" / "er" / "out"
    assert main(["report", str(runs), "--out", str(out)]) == 0
    assert sorted(p.name for p in out.iterdir()) == ["cost.png", "report.csv", "report.md", "x.png"]
    assert sorted(p.name for p in (tmp_path / "deep").iterdir()) == ["er"]
    assert sorted(p.name for p in (tmp_path / "deep" / "er").iterdir()) == ["out", "runs"]


def test_out_that_is_a_file_is_a_usage_error_before_reading(
    four: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    target = tmp_path / "report.txt"
    target.write_text("mine")
    assert main(["report", str(four), "--out", str(target)]) == 2
    assert capsys.readouterr().err == (
        f"stockbench report: error: --out: {target}: is a file, not a folder\n"
    )
    assert target.read_text() == "mine"


def test_report_outputs_get_the_users_umask(four: Path, tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        assert main(["report", str(four), "--out", str(tmp_path / "o")]) == 0
    finally:
        os.umask(old)
    modes = {p.name: stat.S_IMODE(p.stat().st_mode) for p in (tmp_path / "o").iterdir()}
    assert set(modes.values()) == {0o640}
    assert "report.md" in modes
    assert "lstm.png" in modes
