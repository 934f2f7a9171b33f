"""``stockbench crawl`` as the user meets it: offline, live through an origin, bad flags."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockbench.cli import main
from stockbench.fakemarket import ServerConfig, serve_market
from stockbench.market.csvfile import read_rows


def test_cli_crawl_offline(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    out = tmp_path / "cli.csv"
    code = main(
        ["crawl", "--limit", "25", "--quiet", "--latency-ms", "0", "--rate", "0", "--out", str(out)]
    )
    printed = capsys.readouterr().out
    assert code == 0
    assert "Top 10 by market cap" in printed
    assert "rows written   25" in printed
    assert len(read_rows(out)) == 25


@pytest.mark.parametrize(
    ("argv", "status", "message"),
    [
        (["--codes", "12345"], 2, "not a 6-character stock code"),
        (["--codes", "ZZZZZ0"], 2, "not on the KRX list: ZZZZZ0"),
        (["--limit", "0"], 2, "--limit: must be >= 1, got 0"),
        (
            ["--live", "--origin", "http://127.0.0.1:9", "--retries", "0"],
            1,
            "could not get the KRX company list",
        ),
    ],
)
def test_cli_crawl_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], status: int, message: str
) -> None:
    code = main(["crawl", "--quiet", "--latency-ms", "0", "--out", str(tmp_path / "x.csv"), *argv])
    assert code == status
    assert message in capsys.readouterr().err
    assert not (tmp_path / "x.csv").exists()


def test_crawl_live_follows_stockbench_origin(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    with serve_market(ServerConfig(latency_ms=0)) as server:
        monkeypatch.setenv("STOCKBENCH_ORIGIN", server.origin)
        out = tmp_path / "live.csv"
        assert (
            main(["crawl", "--live", "--limit", "12", "--quiet", "--rate", "0", "--out", str(out)])
            == 0
        )
        assert server.stats.requests > 0  # the requests went to this origin
    assert len(read_rows(out)) == 12
    assert "rows written   12" in capsys.readouterr().out
