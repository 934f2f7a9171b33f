"""The user-facing commands end to end, each through a real process or server."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

import pytest

from stockbench.cli import main
from stockbench.net import Endpoints, HttpClient, HttpConfig
from stockbench.news import bundled_feed, fetch_feed, parse_feed
from stockbench.server import ServerConfig, serve_market
from stockbench.snapshot import read_rows

from .fake_imds import fake_imds

ROOT = Path(__file__).resolve().parents[1]
STOCKBENCH = str(Path(sys.executable).with_name("stockbench"))


def test_serve_prints_its_origin_serves_the_market_and_stops_on_ctrl_c() -> None:
    argv = [STOCKBENCH, "serve", "--port", "0", "--latency-ms", "0"]
    with subprocess.Popen(argv, stdout=subprocess.PIPE, text=True) as proc:
        try:
            assert proc.stdout is not None
            origin = next(
                line.split("=", 1)[1].strip()
                for line in proc.stdout
                if "export STOCKBENCH_ORIGIN=" in line
            )
            assert origin.startswith("http://127.0.0.1:")
            client = HttpClient(HttpConfig(max_rate_per_host=None), endpoints=Endpoints(origin))
            first = fetch_feed(client, "latest").titles[:3]
            assert first == parse_feed(bundled_feed()).titles[:3]
        finally:
            proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0


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


@pytest.mark.parametrize("which", ["latest", "economy", "stocks"])
def test_each_yonhap_feed_path_is_served_and_parsed(which: str) -> None:
    with serve_market(ServerConfig(latency_ms=0)) as server:
        client = HttpClient(HttpConfig(max_rate_per_host=None), endpoints=Endpoints(server.origin))
        feed = fetch_feed(client, which, limit=5)
        hits = list(server.stats.hits)
    assert len(feed.headlines) == 5
    assert hits[-1].endswith("/feed/")
    with pytest.raises(ValueError, match="unknown feed"):
        fetch_feed(client, "sports")


def test_machine_json_reads_the_instance_type_from_imds() -> None:
    env = {**os.environ, "AWS_METADATA_SERVICE_TIMEOUT": "2"}
    with fake_imds("v2") as (endpoint, _):
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = endpoint
        done = subprocess.run(
            [STOCKBENCH, "machine", "--json"], capture_output=True, text=True, check=True, env=env
        )
    info = json.loads(done.stdout)
    assert info["ec2_instance_type"] == "t4g.micro"
    assert info["ec2_burstable"] is True
    assert info["cpu_count_logical"] == os.cpu_count()


def test_bench_saves_under_the_given_name_and_prints_ratios(tmp_path: Path) -> None:
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    storage = tmp_path / "storage"
    done = subprocess.run(
        [
            STOCKBENCH,
            "bench",
            "--save-name",
            "ci-check",
            "-k",
            "parse_page",
            "-q",
            "-p",
            "no:cacheprovider",
            f"--benchmark-storage=file://{storage}",
        ],
        capture_output=True,
        text=True,
        check=False,
        cwd=ROOT,
        env=env,
    )
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    saved = list(storage.rglob("*_ci-check.json"))
    assert len(saved) == 1
    doc = json.loads(saved[0].read_text())
    assert {b["name"] for b in doc["benchmarks"]} == {"test_parse_page", "test_parse_page_original"}
    assert all(b["stats"].get("data") for b in doc["benchmarks"])  # raw rounds for the report
    assert "[parse]  baseline: test_parse_page_original" in done.stdout
    assert "speed-up" in done.stdout
