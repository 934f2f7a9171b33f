"""``stockbench crawl`` as the user meets it: offline, live through an origin, bad flags."""

from __future__ import annotations

import csv
import io
import json
import os
import signal
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path

import pytest

from stockbench.cli import main
from stockbench.fakemarket import (
    MarketServer,
    MarketSite,
    ServerConfig,
    generate_market,
    serve_market,
)
from stockbench.fakemarket.server import Reply
from stockbench.market.csvfile import failures_path, read_rows
from stockbench.market.records import Market

from ..loopback import QuietHandler, serve_handler


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


# --- nothing lost: usage errors, unwritable outputs, Ctrl-C -----------------------------

STOCKBENCH = str(Path(sys.executable).with_name("stockbench"))
FAST = ["--quiet", "--rate", "0", "--latency-ms", "0"]


def crawl(out: Path, *argv: str) -> int:
    return main(["crawl", *FAST, "--out", str(out), *argv])


@pytest.fixture(scope="module")
def five(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    """A finished five-company snapshot, as bytes."""
    out = tmp_path_factory.mktemp("five") / "five.csv"
    assert crawl(out, "--limit", "5") == 0
    return out.read_bytes()


@pytest.mark.parametrize("codes", [",", "", " , ,"])
def test_codes_that_name_no_code_are_usage_errors_and_touch_nothing(
    tmp_path: Path, five: bytes, capsys: pytest.CaptureFixture[str], codes: str
) -> None:
    out = tmp_path / "x.csv"
    out.write_bytes(five)
    assert crawl(out, "--codes", codes) == 2
    assert (
        capsys.readouterr().err.strip() == "stockbench crawl: error: --codes: no stock code given"
    )
    assert out.read_bytes() == five


def test_resume_over_a_narrower_selection_keeps_every_row(
    tmp_path: Path, five: bytes, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.csv"
    out.write_bytes(five)
    assert crawl(out, "--limit", "2", "--resume") == 0
    assert out.read_bytes() == five
    assert "rows written   5 -> " in capsys.readouterr().out


@pytest.mark.parametrize(
    ("make", "message"),
    [
        (lambda d: d, "is a folder, not a file"),
        (lambda d: d / "no" / "such" / "x.csv", "does not exist"),
        (lambda d: Path("/proc/x.csv"), "cannot write in /proc"),
    ],
)
def test_an_unwritable_out_is_a_usage_error_before_any_request(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], make: Callable[[Path], Path], message: str
) -> None:
    with serve_market(ServerConfig(latency_ms=0)) as server:
        status = main(["crawl", *FAST, "--origin", server.origin, "--out", str(make(tmp_path))])
        assert server.stats.requests == 0
    assert status == 2
    err = capsys.readouterr().err
    assert err.startswith("stockbench crawl: error: --out: ")
    assert message in err
    assert err.count("\n") == 1


def test_resume_over_a_file_that_is_no_snapshot_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "x.csv"
    out.write_bytes("이름,코드\n".encode("cp949"))
    assert crawl(out, "--resume") == 2
    err = capsys.readouterr().err
    assert "--out: not a snapshot this program wrote" in err
    assert "not UTF-8 text" in err
    assert err.count("\n") == 1
    assert out.read_bytes() == "이름,코드\n".encode("cp949")


@pytest.mark.parametrize(
    "argv",
    [
        ["--rate", "nan"],
        ["--rate", "inf"],
        ["--latency-ms", "inf"],
        ["--latency-ms", "-1"],
        ["--timeout", "0"],
        ["--fault-rate", "nan"],
    ],
)
def test_non_finite_numbers_are_usage_errors(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["crawl", "--out", str(tmp_path / "x.csv"), *argv])
    assert info.value.code == 2
    assert argv[0] in capsys.readouterr().err


@pytest.mark.parametrize("origin", ["http://[::1", "http://127.0.0.1:99999", "ftp://x"])
def test_an_origin_that_is_no_url_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], origin: str
) -> None:
    assert main(["crawl", "--quiet", "--origin", origin, "--out", str(tmp_path / "x.csv")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("stockbench crawl: error: --origin: ")
    assert err.count("\n") == 1


def test_outputs_get_the_users_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        assert crawl(tmp_path / "x.csv", "--limit", "3") == 0
    finally:
        os.umask(old)
    for name in ("x.csv", "x_failures.csv"):
        assert stat.S_IMODE((tmp_path / name).stat().st_mode) == 0o640


class HostileSite(MarketSite):
    """The bundled market, but one ranking entry has a 5,000-digit price, one KOSDAQ page
    a 5,000-digit ``totalCount``, and polling answers JSON nested 100,000 deep."""

    def route(self, target: str) -> Reply:
        reply = super().route(target)
        if target.startswith("/api/stocks/marketValue/KOSPI") and "page=1&" in target:
            doc = json.loads(reply.body)
            doc["stocks"][0]["closePrice"] = "9" * 5000
            return replace(reply, body=json.dumps(doc).encode())
        if target.startswith("/api/stocks/marketValue/KOSDAQ") and "page=2&" in target:
            return replace(reply, body=b'{"stocks": [], "totalCount": ' + b"9" * 5000 + b"}")
        if target.startswith("/api/realtime/"):
            return replace(reply, body=b"[" * 100_000 + b"]" * 100_000)
        return reply


def test_hostile_answers_become_failure_rows_with_short_reasons_and_the_crawl_goes_on(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    site = HostileSite(generate_market())
    first_kospi = site.market.ranking(Market.KOSPI)[0].code

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            reply = site.route(self.path)
            self.send_response(reply.status)
            self.send_header("Content-Length", str(len(reply.body)))
            self.end_headers()
            self.wfile.write(reply.body)

    out = tmp_path / "x.csv"
    with serve_handler(Handler) as origin:
        assert main(["crawl", "--quiet", "--rate", "0", "--origin", origin, "--out", str(out)]) == 0
    captured = capsys.readouterr()
    assert "Traceback" not in captured.err
    assert "note: ranking: skipped 1 of" in captured.err
    assert "ranking KOSDAQ page 2: body: unreadable JSON" in captured.err
    text = failures_path(out).read_text(encoding="utf-8-sig")
    failures = {row["code"]: row["reason"] for row in csv.DictReader(io.StringIO(text))}
    assert first_kospi in failures
    assert "closePrice: 5000 digits" in failures[first_kospi]
    assert "; polling: ParseError: polling batch " in failures[first_kospi]
    assert ": body: nested too deep" in failures[first_kospi]
    assert max(len(r) for r in failures.values()) < 500
    assert len(read_rows(out)) > 1000  # the rest of the market was priced


def interruptible(argv: list[str]) -> subprocess.Popen[str]:
    """``stockbench`` in a child that takes Ctrl-C (a background child ignores SIGINT)."""
    return subprocess.Popen(
        [STOCKBENCH, *argv],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        # A background job's children start with SIGINT ignored; only the child can undo it.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
    )


def ctrl_c_when(server: MarketServer, proc: subprocess.Popen[str], path: str) -> tuple[str, str]:
    """Send SIGINT once ``server`` has been asked for ``path``; the child's stdout, stderr."""
    for _ in range(600):
        if any(p.startswith(path) for p in list(server.stats.hits)):
            break
        time.sleep(0.05)
    proc.send_signal(signal.SIGINT)
    return proc.communicate(timeout=60)


@pytest.mark.slow
def test_ctrl_c_during_a_ranking_crawl_keeps_the_complete_file(tmp_path: Path) -> None:
    out = tmp_path / "all.csv"
    market = generate_market()
    with serve_market(ServerConfig(latency_ms=0), market) as fast:
        argv = ["crawl", "--quiet", "--rate", "0", "--origin", fast.origin, "--out", str(out)]
        assert main(argv) == 0
    before = (out.read_bytes(), failures_path(out).read_bytes())
    with serve_market(ServerConfig(latency_ms=200), market) as slow:
        argv = ["crawl", "--quiet", "--rate", "0", "--origin", slow.origin, "--out", str(out)]
        proc = interruptible(argv)
        _, err = ctrl_c_when(slow, proc, "/api/stocks/marketValue/")
    assert proc.returncode == 130
    assert "Traceback" not in err
    assert f"interrupted before anything new was priced: {out} left as it was" in err
    assert (out.read_bytes(), failures_path(out).read_bytes()) == before


@pytest.mark.slow
def test_ctrl_c_during_the_company_list_fetch_is_one_line(tmp_path: Path) -> None:
    out = tmp_path / "x.csv"
    with serve_market(ServerConfig(latency_ms=5_000)) as slow:
        proc = interruptible(["crawl", "--quiet", "--origin", slow.origin, "--out", str(out)])
        stdout, err = ctrl_c_when(slow, proc, "/corpgeneral/")
    assert proc.returncode == 130
    assert err == "stockbench crawl: interrupted\n"
    assert stdout == ""
    assert not out.exists()
