"""All network access: endpoints, the session factory, rate caps, and ``fetch``.

``fetch`` is the one place that calls ``session.get`` and the one place where
``requests``/``urllib3`` exceptions become ``FetchError``/``FetchTimeout``.
Retries on 429/5xx, connection resets and read timeouts are urllib3's ``Retry``
(backoff, ``Retry-After``); a body cut short mid-read, which urllib3 cannot retry
once the headers are in, is retried here within the same budget.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry

from stockbench.errors import ConfigError, FetchError, FetchTimeout

ORIGIN_ENV = "STOCKBENCH_ORIGIN"

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
MOBILE_REFERER = "https://m.stock.naver.com/"
RETRY_STATUSES = (429, 500, 502, 503, 504)

KRX_LIST_URL = "http://kind.krx.co.kr/corpgeneral/corpList.do?method=download&searchType=13"
NAVER_ITEM_URL = "https://finance.naver.com/item/main.naver?code={code}"
NAVER_RANKING_URL = (
    "https://m.stock.naver.com/api/stocks/marketValue/{market}?page={page}&pageSize={size}"
)
NAVER_POLLING_URL = "https://polling.finance.naver.com/api/realtime/domestic/stock/{codes}"
YONHAP_FEEDS = {
    "latest": "https://www.yonhapnewstv.co.kr/browse/feed/",
    "economy": "https://www.yonhapnewstv.co.kr/category/news/economy/feed/",
    "stocks": "https://www.yonhapnewstv.co.kr/category/news/stocks/feed/",
}


@dataclass(frozen=True, slots=True)
class Endpoints:
    """Where requests go. With an ``origin`` every URL keeps its path and query but is
    sent to that origin instead (the loopback server, a replay server)."""

    origin: str | None = None

    def __post_init__(self) -> None:
        if self.origin is not None:
            parts = urlsplit(self.origin)
            if parts.scheme not in ("http", "https") or not parts.netloc or parts.path.strip("/"):
                raise ConfigError(
                    f"{self.origin!r} must look like http://HOST:PORT (no path)", setting="origin"
                )

    @classmethod
    def from_env(
        cls, origin: str | None = None, environ: Mapping[str, str] | None = None
    ) -> Endpoints:
        """An explicit ``origin`` wins over ``$STOCKBENCH_ORIGIN``; neither means the real sites."""
        env = os.environ if environ is None else environ
        return cls(origin or env.get(ORIGIN_ENV) or None)

    def url(self, real_url: str) -> str:
        if self.origin is None:
            return real_url
        real = urlsplit(real_url)
        dest = urlsplit(self.origin)
        return urlunsplit((dest.scheme, dest.netloc, real.path, real.query, ""))


@dataclass(frozen=True, slots=True)
class HttpConfig:
    connect_timeout_s: float = 5.0
    read_timeout_s: float = 10.0
    retries: int = 3
    backoff_factor_s: float = 0.5
    backoff_max_s: float = 30.0
    # Requests per second per host; None = no cap. The default matches the original
    # study's 0.3 s pause between requests.
    max_rate_per_host: float | None = 3.0
    user_agent: str = BROWSER_USER_AGENT
    referer: str = MOBILE_REFERER

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise ConfigError(f"must be >= 0, got {self.retries}", setting="retries")
        if self.max_rate_per_host is not None and self.max_rate_per_host <= 0:
            raise ConfigError(
                f"must be > 0, got {self.max_rate_per_host}", setting="max_rate_per_host"
            )
        if self.connect_timeout_s <= 0 or self.read_timeout_s <= 0:
            raise ConfigError("must be > 0", setting="timeout")


class RateLimiter:
    """Start-to-start spacing of requests per host, shared by threads."""

    def __init__(
        self,
        max_rate: float | None,
        *,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], None] = time.sleep,
    ) -> None:
        self._interval = 0.0 if max_rate is None else 1.0 / max_rate
        self._next: dict[str, float] = {}
        self._lock = threading.Lock()
        self._clock = clock
        self._sleep = sleep

    def wait(self, host: str) -> None:
        if self._interval == 0.0:
            return
        with self._lock:
            now = self._clock()
            slot = max(now, self._next.get(host, now))
            self._next[host] = slot + self._interval
        if slot > now:
            self._sleep(slot - now)


@dataclass
class FetchStats:
    """One client's traffic. ``requests`` counts every HTTP request sent, retries included."""

    requests: int = 0
    retries: int = 0
    failures: int = 0
    bytes_received: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False, compare=False)

    def sent(self, *, retry: bool = False) -> None:
        with self._lock:
            self.requests += 1
            self.retries += int(retry)

    def done(self, *, failed: bool = False, nbytes: int = 0) -> None:
        with self._lock:
            self.failures += int(failed)
            self.bytes_received += nbytes


class CountingRetry(Retry):
    """urllib3's ``Retry`` that also counts each retry it grants into ``FetchStats``."""

    stats: FetchStats | None = None

    def new(self, **kw: Any) -> CountingRetry:
        retry = super().new(**kw)
        retry.stats = self.stats
        return retry

    def increment(self, *args: Any, **kwargs: Any) -> CountingRetry:
        retry = super().increment(*args, **kwargs)  # raises when spent
        if self.stats is not None:
            self.stats.sent(retry=True)
        return retry


def make_retry(config: HttpConfig, stats: FetchStats | None = None) -> Retry:
    retry = CountingRetry(
        total=config.retries,
        connect=config.retries,
        read=config.retries,
        status=config.retries,
        other=0,
        allowed_methods=frozenset({"GET", "HEAD", "PUT"}),
        status_forcelist=RETRY_STATUSES,
        backoff_factor=config.backoff_factor_s,
        backoff_max=config.backoff_max_s,
        respect_retry_after_header=True,
        raise_on_status=False,
    )
    retry.stats = stats
    return retry


def make_session(
    config: HttpConfig | None = None, stats: FetchStats | None = None
) -> requests.Session:
    """A ``requests.Session`` with retries, a browser User-Agent and Naver's Referer."""
    config = config or HttpConfig()
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=make_retry(config, stats), pool_maxsize=16)
    session.mount("http://", adapter)
    session.mount("https://", adapter)
    session.headers.update(
        {
            "User-Agent": config.user_agent,
            "Referer": config.referer,
            "Accept-Language": "ko-KR,ko;q=0.9,en;q=0.5",
        }
    )
    return session


class HttpClient:
    """A session plus its config, endpoints, rate limiter and counters."""

    def __init__(
        self,
        config: HttpConfig | None = None,
        *,
        endpoints: Endpoints | None = None,
        session: requests.Session | None = None,
    ) -> None:
        self.config = config or HttpConfig()
        self.endpoints = endpoints or Endpoints()
        self.stats = FetchStats()
        self.session = session or make_session(self.config, self.stats)
        self.limiter = RateLimiter(self.config.max_rate_per_host)
        self._budget_sessions: dict[int, requests.Session] = {}
        self._lock = threading.Lock()

    def session_with_budget(self, retries: int) -> requests.Session:
        """A session whose urllib3 retries are capped at ``retries`` (what a fetch has left)."""
        if retries >= self.config.retries:
            return self.session
        with self._lock:
            if retries not in self._budget_sessions:
                session = make_session(replace(self.config, retries=retries), self.stats)
                session.headers.update(self.session.headers)
                self._budget_sessions[retries] = session
            return self._budget_sessions[retries]

    def close(self) -> None:
        self.session.close()
        for session in self._budget_sessions.values():
            session.close()

    def __enter__(self) -> HttpClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def get(self, real_url: str) -> bytes:
        """Fetch a real-site URL, sent to the configured origin."""
        return fetch(self, self.endpoints.url(real_url))


def _retries_used(response: requests.Response) -> int:
    retries = getattr(response.raw, "retries", None)
    history = getattr(retries, "history", None)
    return len(history) if history else 0


def _translate(exc: requests.RequestException, url: str) -> FetchError:
    if isinstance(exc, requests.Timeout):
        return FetchTimeout(f"timed out: {exc}", url=url)
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError) and isinstance(reason.reason, ReadTimeoutError):
        return FetchTimeout(f"read timed out after retries: {reason.reason}", url=url)
    if isinstance(exc, requests.exceptions.RetryError):
        return FetchError(f"gave up after retries: {exc}", url=url)
    return FetchError(f"{type(exc).__name__}: {exc}", url=url)


def fetch(client: HttpClient, url: str) -> bytes:
    """GET ``url`` and return the body; raise ``FetchError``/``FetchTimeout`` otherwise.

    One fetch spends at most ``config.retries`` retries in all, whether on error
    statuses, resets, timeouts (urllib3) or bodies cut short (here).
    """
    config = client.config
    host = urlsplit(url).netloc
    budget = config.retries
    retrying = False
    while True:
        client.limiter.wait(host)
        session = client.session_with_budget(budget)
        client.stats.sent(retry=retrying)
        try:
            response = session.get(
                url, timeout=(config.connect_timeout_s, config.read_timeout_s), stream=True
            )
        except requests.RequestException as exc:
            client.stats.done(failed=True)
            raise _translate(exc, url) from exc
        used = _retries_used(response)
        try:
            body = response.content
        except requests.RequestException as exc:
            # Cut short after the headers: urllib3 cannot retry this, so it is done here.
            if used < budget:
                budget -= used + 1
                retrying = True
                continue
            client.stats.done(failed=True)
            raise FetchError(f"body cut short, no retries left: {exc}", url=url) from exc
        finally:
            response.close()
        if response.status_code >= 400:
            client.stats.done(failed=True)
            raise FetchError(
                f"HTTP {response.status_code} {response.reason}",
                url=url,
                status=response.status_code,
            )
        client.stats.done(nbytes=len(body))
        return body
