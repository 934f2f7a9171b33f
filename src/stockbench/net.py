"""All network access: endpoints, the session factory, rate caps, and ``fetch``.

``fetch`` is the one place that calls ``session.get`` and the one place where
``requests``/``urllib3`` exceptions become ``FetchError``/``FetchTimeout`` (through
``FETCH_ERRORS``). Retries on 429/5xx, connection resets and read timeouts are urllib3's
``Retry`` (backoff, ``Retry-After``); a body cut short mid-read, which urllib3 cannot
retry once the headers are in, is retried here within the same budget.

Every request that goes on the wire waits for the per-host rate cap, urllib3's own
retries included (``CountingRetry.sleep``). A body must arrive whole within
``body_timeout_s`` of its headers, so a server trickling bytes cannot hold a fetch
however short each pause is. Error messages are short: what went wrong, the HTTP
status, and the URL clipped to ``URL_CHARS``.
"""

from __future__ import annotations

import math
import os
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
from requests.adapters import HTTPAdapter
from urllib3.exceptions import (
    ConnectTimeoutError,
    DecodeError,
    MaxRetryError,
    NewConnectionError,
    ProtocolError,
    ReadTimeoutError,
)
from urllib3.util.retry import Retry

from stockbench.errors import ConfigError, FetchError, FetchTimeout, clip

ORIGIN_ENV = "STOCKBENCH_ORIGIN"

BROWSER_USER_AGENT = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 "
    "(KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36"
)
MOBILE_REFERER = "https://m.stock.naver.com/"
RETRY_STATUSES = (429, 500, 502, 503, 504)
URL_CHARS = 120  # a polling URL carries 200 codes: reasons show its start
DEFAULT_PORTS = {"http": 80, "https": 443}

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
        if self.origin is None:
            return
        try:
            parts = urlsplit(self.origin)
            parts.port  # noqa: B018 (raises ValueError on a port that is no port)
        except ValueError:
            parts = None
        if (
            parts is None
            or parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path.strip("/")
            or parts.query
            or parts.fragment
        ):
            raise ConfigError(
                f"{clip(self.origin)!r} must look like http://HOST:PORT (no path)",
                setting="origin",
            )

    @classmethod
    def from_env(
        cls, origin: str | None = None, environ: Mapping[str, str] | None = None
    ) -> Endpoints:
        """An explicit ``origin`` wins over ``$STOCKBENCH_ORIGIN``; neither means the real sites."""
        if origin:
            return cls(origin)
        env = os.environ if environ is None else environ
        try:
            return cls(env.get(ORIGIN_ENV) or None)
        except ConfigError as exc:
            raise ConfigError(exc.message, setting=ORIGIN_ENV) from None

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
    # The whole body of one answer must arrive within this, counted from its headers.
    body_timeout_s: float = 60.0
    user_agent: str = BROWSER_USER_AGENT
    referer: str = MOBILE_REFERER

    def __post_init__(self) -> None:
        if self.retries < 0:
            raise ConfigError(f"must be >= 0, got {self.retries}", setting="retries")
        rate = self.max_rate_per_host
        if rate is not None and not (0 < rate < math.inf):
            raise ConfigError(
                f"must be a finite number > 0, got {rate}", setting="max_rate_per_host"
            )
        timeouts = (self.connect_timeout_s, self.read_timeout_s, self.body_timeout_s)
        if not all(0 < t < math.inf for t in timeouts):
            raise ConfigError("must be a finite number > 0", setting="timeout")


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


def host_key(host: str, port: int | None, scheme: str) -> str:
    """What the rate cap counts by: host and port, the same from a URL or a pool."""
    return f"{host.lower()}:{port or DEFAULT_PORTS.get(scheme, 0)}"


def url_host_key(url: str) -> str:
    parts = urlsplit(url)
    return host_key(parts.hostname or "", parts.port, parts.scheme)


class CountingRetry(Retry):
    """urllib3's ``Retry`` that counts each retry it grants into ``FetchStats`` and,
    after urllib3's own backoff or ``Retry-After`` wait, waits for the host's rate cap
    too, so a retry never leaves sooner than the cap allows."""

    stats: FetchStats | None = None
    limiter: RateLimiter | None = None
    host: str | None = None  # set on the copies urllib3 makes for a retry

    def new(self, **kw: Any) -> CountingRetry:
        retry = super().new(**kw)
        retry.stats = self.stats
        retry.limiter = self.limiter
        retry.host = self.host
        return retry

    def increment(self, *args: Any, **kwargs: Any) -> CountingRetry:
        retry = super().increment(*args, **kwargs)  # raises when spent
        if self.stats is not None:
            self.stats.sent(retry=True)
        pool = kwargs.get("_pool")
        if pool is not None:
            retry.host = host_key(pool.host, pool.port, pool.scheme)
        return retry

    def sleep(self, response: Any = None) -> None:
        super().sleep(response)
        if self.limiter is not None and self.host is not None:
            self.limiter.wait(self.host)


def make_retry(
    config: HttpConfig, stats: FetchStats | None = None, limiter: RateLimiter | None = None
) -> Retry:
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
    retry.limiter = limiter
    return retry


def make_session(
    config: HttpConfig | None = None,
    stats: FetchStats | None = None,
    limiter: RateLimiter | None = None,
) -> requests.Session:
    """A ``requests.Session`` with retries, a browser User-Agent and Naver's Referer;
    with a ``limiter``, urllib3's retries wait for its per-host cap."""
    config = config or HttpConfig()
    session = requests.Session()
    adapter = HTTPAdapter(max_retries=make_retry(config, stats, limiter), pool_maxsize=16)
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
        self.limiter = RateLimiter(self.config.max_rate_per_host)
        self.session = session or make_session(self.config, self.stats, self.limiter)
        self._budget_sessions: dict[int, requests.Session] = {}
        self._lock = threading.Lock()

    def session_with_budget(self, retries: int) -> requests.Session:
        """A session whose urllib3 retries are capped at ``retries`` (what a fetch has left)."""
        if retries >= self.config.retries:
            return self.session
        with self._lock:
            if retries not in self._budget_sessions:
                session = make_session(
                    replace(self.config, retries=retries), self.stats, self.limiter
                )
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


ErrorTable = tuple[tuple[type[BaseException], type[FetchError], str], ...]

# What a failed request means, by the exception requests raised (or the urllib3 error
# inside it); the first class that matches wins, so subclasses come first.
FETCH_ERRORS: ErrorTable = (
    (NewConnectionError, FetchError, "connection failed"),  # a ConnectTimeoutError subclass
    (requests.ConnectTimeout, FetchTimeout, "connect timed out"),
    (ConnectTimeoutError, FetchTimeout, "connect timed out"),
    (requests.ReadTimeout, FetchTimeout, "read timed out"),
    (ReadTimeoutError, FetchTimeout, "read timed out"),
    (requests.exceptions.ChunkedEncodingError, FetchError, "body cut short"),
    (requests.exceptions.ContentDecodingError, FetchError, "undecodable body"),
    (requests.exceptions.SSLError, FetchError, "TLS failed"),
    (ProtocolError, FetchError, "connection broken"),
    (requests.exceptions.RetryError, FetchError, "gave up after retries"),
    (requests.exceptions.TooManyRedirects, FetchError, "too many redirects"),
    (requests.ConnectionError, FetchError, "connection failed"),
    (requests.exceptions.InvalidURL, FetchError, "invalid URL"),
    (requests.RequestException, FetchError, "request failed"),
)
# The same while the body is read from urllib3 directly, after the headers.
BODY_ERRORS: ErrorTable = (
    (ReadTimeoutError, FetchTimeout, "read timed out in the body"),
    (DecodeError, FetchError, "undecodable body"),
    (ProtocolError, FetchError, "body cut short"),
    (OSError, FetchError, "body cut short"),
)


def _unwrap(exc: BaseException) -> BaseException:
    """The urllib3 error behind requests' ``ConnectionError(MaxRetryError(reason))``."""
    reason = exc.args[0] if exc.args else None
    if isinstance(reason, MaxRetryError) and reason.reason is not None:
        return reason.reason
    return exc


def _os_reason(exc: BaseException, depth: int = 0) -> str | None:
    """The operating system's words somewhere in ``exc``'s chain (``Connection refused``)."""
    if isinstance(exc, OSError) and exc.strerror:
        return exc.strerror
    if depth > 6:
        return None
    nested = [*exc.args, getattr(exc, "reason", None), exc.__cause__, exc.__context__]
    for inner in nested:
        if isinstance(inner, BaseException) and inner is not exc:
            found = _os_reason(inner, depth + 1)
            if found:
                return found
    return None


def _translate(exc: BaseException, url: str, table: ErrorTable = FETCH_ERRORS) -> FetchError:
    cause = _unwrap(exc)
    for kind, error, meaning in table:
        if isinstance(cause, kind) or isinstance(exc, kind):
            detail = _os_reason(exc)
            what = f"{meaning} ({detail})" if detail else meaning
            return error(f"{what}: {clip(url, URL_CHARS)}", url=url)
    raise TypeError(f"{type(exc).__name__} is not a request error") from exc


class _BodyTimeout(Exception):
    pass


def _read_body(response: requests.Response, timeout_s: float) -> bytes:
    """The whole body, or ``_BodyTimeout`` once it has taken longer than ``timeout_s``.

    ``read1`` returns whatever one socket read brings, so the deadline is checked
    between reads however slowly the bytes come (``read`` would wait for a full chunk).
    """
    deadline = time.monotonic() + timeout_s
    chunks: list[bytes] = []
    while True:
        chunk = response.raw.read1(65536, decode_content=True)
        if not chunk:
            return b"".join(chunks)
        chunks.append(chunk)
        if time.monotonic() > deadline:
            raise _BodyTimeout


def fetch(client: HttpClient, url: str) -> bytes:
    """GET ``url`` and return the body; raise ``FetchError``/``FetchTimeout`` otherwise.

    One fetch spends at most ``config.retries`` retries in all, whether on error
    statuses, resets, timeouts (urllib3) or bodies cut short (here).
    """
    config = client.config
    host = url_host_key(url)
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
            body = _read_body(response, config.body_timeout_s)
        except _BodyTimeout as exc:
            client.stats.done(failed=True)
            raise FetchTimeout(
                f"body not complete within {config.body_timeout_s:g} s: {clip(url, URL_CHARS)}",
                url=url,
            ) from exc
        except tuple(kind for kind, _, _ in BODY_ERRORS) as exc:
            # Cut short after the headers: urllib3 cannot retry this, so it is done here.
            if used < budget:
                budget -= used + 1
                retrying = True
                continue
            client.stats.done(failed=True)
            raise _translate(exc, url, BODY_ERRORS) from exc
        finally:
            response.close()
        if response.status_code >= 400:
            client.stats.done(failed=True)
            raise FetchError(
                f"HTTP {response.status_code} {clip(response.reason or '', 40)}: "
                f"{clip(url, URL_CHARS)}",
                url=url,
                status=response.status_code,
            )
        client.stats.done(nbytes=len(body))
        return body
