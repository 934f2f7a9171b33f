"""``stockbench serve`` in a real process: prints its origin, serves, stops on Ctrl-C."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
from pathlib import Path

import pytest

from stockbench.cli import main
from stockbench.data import news_feed
from stockbench.downloads import fetch_feed
from stockbench.net import Endpoints, HttpClient, HttpConfig
from stockbench.news.feed import parse_feed

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
            assert first == parse_feed(news_feed()).titles[:3]
        finally:
            proc.send_signal(signal.SIGINT)
        assert proc.wait(timeout=30) == 0


@pytest.mark.parametrize("port", ["65536", "-1", "http"])
def test_a_port_out_of_range_is_a_usage_error(
    port: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as info:
        main(["serve", "--port", port])
    assert info.value.code == 2
    assert "--port" in capsys.readouterr().err


def test_a_busy_port_is_one_line(capsys: pytest.CaptureFixture[str]) -> None:
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        assert main(["serve", "--port", str(port)]) == 2
    err = capsys.readouterr().err
    assert err.startswith(f"stockbench serve: error: --port: cannot listen on 127.0.0.1:{port} (")
    assert err.count("\n") == 1
