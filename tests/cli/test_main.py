"""``stockbench`` itself: the same exit statuses for every command, told in ``--help``;
no traceback for an interruption or a failing disk."""

from __future__ import annotations

import errno
import subprocess
import sys
from pathlib import Path

import pytest

import stockbench.cli
import stockbench.market.csvfile
from stockbench.cli import main
from stockbench.cli.common import EXIT_CODES_HELP
from stockbench.market.csvfile import read_rows

STOCKBENCH = str(Path(sys.executable).with_name("stockbench"))
COMMANDS = ["crawl", "serve", "news", "bench", "report", "machine"]


@pytest.mark.parametrize("command", [None, *COMMANDS])
def test_every_help_tells_the_exit_statuses(
    command: str | None, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main([command, "--help"] if command else ["--help"])
    assert info.value.code == 0
    assert " ".join(capsys.readouterr().out.split()).endswith(EXIT_CODES_HELP)


def test_ctrl_c_while_the_commands_load_is_an_interruption(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def loading() -> None:
        raise KeyboardInterrupt  # Ctrl-C while torch or scipy is imported

    monkeypatch.setattr(stockbench.cli, "build_parser", loading)
    assert main(["crawl"]) == 130
    assert capsys.readouterr().err == "stockbench: interrupted\n"


def test_a_disk_that_fails_under_a_write_is_one_line(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    def full(path: Path, text: str, encoding: str = "utf-8") -> None:
        raise OSError(errno.ENOSPC, "No space left on device", str(path))

    monkeypatch.setattr(stockbench.market.csvfile, "atomic_write_text", full)
    out = tmp_path / "x.csv"
    argv = ["crawl", "--quiet", "--rate", "0", "--latency-ms", "0", "--limit", "2"]
    assert main([*argv, "--out", str(out)]) == 1
    assert capsys.readouterr().err == (f"stockbench crawl: error: No space left on device: {out}\n")


def test_a_reader_that_goes_away_is_no_traceback(tmp_path: Path) -> None:
    """``stockbench crawl | head -0``: the summary meets a closed pipe."""
    argv = ["crawl", "--quiet", "--rate", "0", "--latency-ms", "0", "--limit", "3"]
    proc = subprocess.Popen(
        [STOCKBENCH, *argv, "--out", str(tmp_path / "x.csv")],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    proc.stdout.close()  # before the child prints anything
    _, err = proc.communicate(timeout=120)
    assert err == ""
    assert proc.returncode == 1
    assert len(read_rows(tmp_path / "x.csv")) == 3  # the work itself was done
