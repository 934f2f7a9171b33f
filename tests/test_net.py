from __future__ import annotations

import math
import socket
from dataclasses import replace

import pytest
import requests
import responses
import urllib3.util.retry as retry_module

from stockbench.errors import ConfigError, FetchError, FetchTimeout
from stockbench.net import (
    KRX_LIST_URL,
    NAVER_ITEM_URL,
    Endpoints,
    HttpClient,
    HttpConfig,
    RateLimiter,
    fetch,
)

from .scripted_server import Step, scripted_server

FAST = HttpConfig(
    retries=3, backoff_factor_s=0.0, max_rate_per_host=None, connect_timeout_s=2, read_timeout_s=2
)
URL = "https://finance.naver.com/item/main.naver?code=005930"


@responses.activate(assert_all_requests_are_fired=True)
def test_retry_on_503_then_success() -> None:
    responses.get(URL, status=503)
    responses.get(URL, body=b"page")
    client = HttpClient(FAST)
    assert fetch(client, URL) == b"page"
    assert len(responses.calls) == 2
    assert (client.stats.requests, client.stats.retries) == (2, 1)


@responses.activate(assert_all_requests_are_fired=True)
def test_persistent_503_is_a_fetch_error_with_status_after_bounded_retries() -> None:
    responses.get(URL, status=503)
    client = HttpClient(FAST)
    with pytest.raises(FetchError) as info:
        fetch(client, URL)
    assert info.value.status == 503
    assert info.value.url == URL
    assert len(responses.calls) == FAST.retries + 1


@responses.activate(assert_all_requests_are_fired=True)
def test_404_is_not_retried() -> None:
    responses.get(URL, status=404)
    with pytest.raises(FetchError, match="HTTP 404"):
        fetch(HttpClient(FAST), URL)
    assert len(responses.calls) == 1


@responses.activate(assert_all_requests_are_fired=True)
def test_timeout_exception_becomes_fetch_timeout() -> None:
    responses.get(URL, body=requests.exceptions.ReadTimeout("slow"))
    with pytest.raises(FetchTimeout) as info:
        fetch(HttpClient(FAST), URL)
    assert isinstance(info.value.__cause__, requests.exceptions.ReadTimeout)


@responses.activate(assert_all_requests_are_fired=True)
def test_connection_error_becomes_fetch_error() -> None:
    responses.get(URL, body=requests.exceptions.ConnectionError("refused"))
    with pytest.raises(FetchError, match=r"^connection failed: https://finance\.naver\.com/"):
        fetch(HttpClient(FAST), URL)


@responses.activate(assert_all_requests_are_fired=True)
def test_session_sends_browser_user_agent_and_referer() -> None:
    responses.get(URL, body=b"x")
    fetch(HttpClient(FAST), URL)
    sent = responses.calls[0].request.headers
    assert "Mozilla/5.0" in sent["User-Agent"]
    assert sent["Referer"] == "https://m.stock.naver.com/"


def test_429_retry_after_is_waited_on(monkeypatch: pytest.MonkeyPatch) -> None:
    """Against a real loopback socket: urllib3 sleeps for the Retry-After seconds."""
    slept: list[float] = []
    monkeypatch.setattr(retry_module.time, "sleep", slept.append)
    steps = [Step(429, b"slow down", {"Retry-After": "7"}), Step(200, b"fine")]
    with scripted_server(steps) as (origin, script):
        client = HttpClient(FAST)
        assert fetch(client, origin + "/x") == b"fine"
    assert script.hits == ["/x", "/x"]
    assert slept == [7.0]
    assert client.stats.retries == 1


def test_read_timeout_is_retried_then_fetch_timeout() -> None:
    config = HttpConfig(
        retries=2,
        backoff_factor_s=0.0,
        max_rate_per_host=None,
        connect_timeout_s=1,
        read_timeout_s=0.2,
    )
    with scripted_server([Step(200, b"late", delay_s=0.6)]) as (origin, script):
        with pytest.raises(FetchTimeout) as info:
            fetch(HttpClient(config), origin + "/stall")
        assert info.value.url == origin + "/stall"
    assert len(script.hits) == config.retries + 1


def test_endpoints_rewrite_origin_keep_path_and_query() -> None:
    ep = Endpoints("http://127.0.0.1:8123")
    assert ep.url(NAVER_ITEM_URL.format(code="0088M0")) == (
        "http://127.0.0.1:8123/item/main.naver?code=0088M0"
    )
    assert ep.url(KRX_LIST_URL).endswith("/corpgeneral/corpList.do?method=download&searchType=13")
    assert Endpoints().url(KRX_LIST_URL) == KRX_LIST_URL


def test_endpoints_from_env_and_explicit_origin_wins() -> None:
    env = {"STOCKBENCH_ORIGIN": "http://127.0.0.1:9"}
    assert Endpoints.from_env(environ=env).origin == "http://127.0.0.1:9"
    assert Endpoints.from_env("http://localhost:1", environ=env).origin == "http://localhost:1"
    assert Endpoints.from_env(environ={}).origin is None


@pytest.mark.parametrize("origin", ["127.0.0.1:8000", "ftp://x", "http://h:1/path"])
def test_bad_origin_is_a_config_error(origin: str) -> None:
    with pytest.raises(ConfigError, match="origin"):
        Endpoints(origin)


def test_rate_limiter_spaces_requests_per_host() -> None:
    now = [100.0]
    slept: list[float] = []

    def sleep(s: float) -> None:
        slept.append(round(s, 6))
        now[0] += s

    limiter = RateLimiter(4.0, clock=lambda: now[0], sleep=sleep)
    for _ in range(3):
        limiter.wait("a")
    limiter.wait("b")  # another host is not held back
    assert slept == [0.25, 0.25]


def test_default_rate_is_no_faster_than_the_original() -> None:
    rate = HttpConfig().max_rate_per_host
    assert rate is not None
    assert 1 / rate >= 0.3


def test_the_test_suite_cannot_reach_beyond_loopback() -> None:
    with pytest.raises(ConnectionRefusedError, match="loopback only"):
        socket.create_connection(("169.254.169.254", 80), timeout=0.1)


def test_urllib3_retries_wait_for_the_rate_cap_too(monkeypatch: pytest.MonkeyPatch) -> None:
    """With a cap of 4/s the retry urllib3 sends after a 503 leaves 0.25 s after the first
    request, not at once (backoff 0); the limiter is asked once per request on the wire."""
    asked: list[str] = []
    real_wait = RateLimiter.wait

    def wait(self: RateLimiter, host: str) -> None:
        asked.append(host)
        real_wait(self, host)

    monkeypatch.setattr(RateLimiter, "wait", wait)
    config = HttpConfig(retries=2, backoff_factor_s=0.0, max_rate_per_host=4.0)
    with scripted_server([Step(503, b"busy"), Step(503, b"busy"), Step(200, b"ok")]) as (
        origin,
        script,
    ):
        assert fetch(HttpClient(config), origin + "/x") == b"ok"
    assert len(script.hits) == 3
    assert len(asked) == 3
    assert len(set(asked)) == 1
    gaps = [b - a for a, b in zip(script.times, script.times[1:], strict=False)]
    assert min(gaps) >= 0.2  # the cap's 0.25 s, less scheduling slack


def test_a_trickling_body_fails_by_the_body_timeout() -> None:
    config = HttpConfig(retries=0, max_rate_per_host=None, read_timeout_s=2, body_timeout_s=0.5)
    body = b"x" * 2000  # 2000 x 0.02 s: 40 s if nothing stopped it
    with (
        scripted_server([Step(200, body, trickle_s=0.02)]) as (origin, script),
        pytest.raises(FetchTimeout, match=r"^body not complete within 0\.5 s: http://"),
    ):
        fetch(HttpClient(config), origin + "/slow")
    assert script.bytes_sent < len(body)


def test_reasons_stay_short_whatever_the_server_says() -> None:
    long_path = "/api/realtime/domestic/stock/" + ",".join(["005930"] * 500)
    with (
        scripted_server([Step(500, b"x" * 10_000, reason="Broken " * 1000)]) as (origin, _),
        pytest.raises(FetchError) as info,
    ):
        fetch(HttpClient(replace(FAST, retries=0)), origin + long_path)
    message = str(info.value)
    assert message.startswith("HTTP 500 Broken Broken")
    assert origin in message
    assert len(message) < 200
    assert info.value.status == 500
    assert info.value.url == origin + long_path  # the whole URL stays on the error


@pytest.mark.parametrize("origin", ["http://[::1", "http://h:99999", "http://h:port", "http://"])
def test_origins_that_are_no_url_are_config_errors(origin: str) -> None:
    with pytest.raises(ConfigError, match="origin"):
        Endpoints(origin)


def test_a_bad_origin_from_the_environment_names_the_variable() -> None:
    with pytest.raises(ConfigError) as info:
        Endpoints.from_env(environ={"STOCKBENCH_ORIGIN": "http://[::1"})
    assert info.value.setting == "STOCKBENCH_ORIGIN"


@pytest.mark.parametrize(
    "settings",
    [
        {"max_rate_per_host": math.inf},
        {"max_rate_per_host": math.nan},
        {"read_timeout_s": math.nan},
        {"body_timeout_s": math.inf},
    ],
)
def test_non_finite_settings_are_config_errors(settings: dict[str, float]) -> None:
    with pytest.raises(ConfigError):
        HttpConfig(**settings)  # type: ignore[arg-type]
