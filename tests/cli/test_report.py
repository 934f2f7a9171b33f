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
    assert rows[0].startswith("group,job,role,case,instance")
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


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--target-ms", "lsmt=10"], "--target-ms: no job 'lsmt' in these runs"),
        (["--target-ms", "lstm=nan"], "--target-ms: 'lstm=nan': expected JOB=MILLISECONDS"),
        (["--target-ms", "lstm=inf"], "--target-ms: 'lstm=inf': expected JOB=MILLISECONDS"),
        (["--deadline", "nan"], "--deadline: must be a number of seconds > 0"),
        (["--deadline", "-5"], "--deadline: must be a number of seconds > 0"),
        (["--min-effect", "150"], "--min-effect: must be a percentage in [0, 100)"),
        (["--min-effect", "nan"], "--min-effect: must be a percentage in [0, 100)"),
    ],
)
def test_bad_numbers_and_unknown_jobs_are_usage_errors(
    four: Path,
    tmp_path: Path,
    capsys: pytest.CaptureFixture[str],
    flags: list[str],
    message: str,
) -> None:
    argv = ["report", str(four), "--out", str(tmp_path / "o"), "--no-charts", *flags]
    try:
        status = main(argv)
    except SystemExit as exc:  # argparse's own usage errors
        status = int(exc.code or 0)
    assert status == 2
    assert message in capsys.readouterr().err
    assert not (tmp_path / "o").exists()


def test_a_nan_price_file_is_a_usage_error_and_never_flips_a_verdict(
    four: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    prices = tmp_path / "p.json"
    prices.write_text('{"regions": {"us-east-1": {"m5.large": NaN}}}')
    argv = ["report", str(four), "--out", str(tmp_path / "o"), "--prices", str(prices)]
    assert main([*argv, "--no-charts"]) == 2
    assert f"--prices: {prices}: NaN is not a price" in capsys.readouterr().err


def test_the_commands_defaults_are_the_librarys() -> None:
    from stockbench.cli import report as command  # noqa: PLC0415
    from stockbench.report.daily import LAUNCHED, RUNNING  # noqa: PLC0415
    from stockbench.report.effect import DEFAULT_MIN_EFFECT  # noqa: PLC0415

    assert command.DEFAULT_MIN_EFFECT == DEFAULT_MIN_EFFECT
    assert command.DAILY_COSTS == (RUNNING, LAUNCHED)
