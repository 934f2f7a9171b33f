"""The offline market: a real HTTP server on loopback serving every real path.

One origin answers for KIND, the legacy Naver item pages, the ranking and polling JSON
and the news feed, so ``STOCKBENCH_ORIGIN=http://127.0.0.1:PORT`` points the whole
library at it. Latency and faults are knobs, deterministic by seed: whether the n-th
request for a path fails, and how, depends only on (seed, path, n).
"""

from __future__ import annotations

import hashlib
import socket
import struct
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import cached_property
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs, urlsplit

from stockbench.data import news_feed
from stockbench.fakemarket.market import DEFAULT_SEED, FakeMarket, generate_market
from stockbench.fakemarket.pages import (
    EMPTY_SHELL,
    render_item_page,
    render_krx_list,
    render_polling,
    render_ranking_page,
)
from stockbench.market.records import Market

FAULT_KINDS = ("500", "503", "429", "reset", "stall", "truncate")
LOOPBACK = "127.0.0.1"


@dataclass(frozen=True, slots=True)
class ServerConfig:
    seed: int = DEFAULT_SEED
    latency_ms: float = 30.0
    fault_rate: float = 0.0
    fault_kinds: tuple[str, ...] = FAULT_KINDS
    stall_s: float = 12.0  # longer than the client's default 10 s read timeout
    retry_after_s: int = 1
    host: str = LOOPBACK
    port: int = 0

    def __post_init__(self) -> None:
        if not 0.0 <= self.fault_rate <= 1.0:
            raise ValueError(f"fault_rate must be within [0, 1], got {self.fault_rate}")
        unknown = set(self.fault_kinds) - set(FAULT_KINDS)
        if unknown or not self.fault_kinds:
            raise ValueError(f"fault kinds must be among {FAULT_KINDS}, got {self.fault_kinds}")
        if self.latency_ms < 0:
            raise ValueError(f"latency_ms must be >= 0, got {self.latency_ms}")


@dataclass
class ServerStats:
    hits: Counter[str] = field(default_factory=Counter)  # by path + query
    faults: Counter[str] = field(default_factory=Counter)  # by kind
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def hit(self, target: str) -> int:
        with self.lock:
            self.hits[target] += 1
            return self.hits[target]

    def fault(self, kind: str) -> None:
        with self.lock:
            self.faults[kind] += 1

    @property
    def requests(self) -> int:
        return sum(self.hits.values())


def _unit(*parts: object) -> float:
    digest = hashlib.blake2b(":".join(map(str, parts)).encode(), digest_size=8).digest()
    return int.from_bytes(digest, "big") / 2**64


def pick_fault(config: ServerConfig, target: str, n: int) -> str | None:
    """The fault, if any, for the ``n``-th request of ``target``: a function of the seed."""
    if config.fault_rate <= 0 or _unit(config.seed, "fault", target, n) >= config.fault_rate:
        return None
    kinds = config.fault_kinds
    return kinds[int(_unit(config.seed, "kind", target, n) * len(kinds))]


@dataclass
class Reply:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)


class MarketSite:
    """The routes: request target in, ``Reply`` out. No sockets here, so it is easy to test."""

    def __init__(self, market: FakeMarket, feed: Callable[[], bytes] = news_feed) -> None:
        self.market = market
        self._feed = feed

    @cached_property
    def krx_list(self) -> bytes:
        return render_krx_list(self.market.companies)

    def route(self, target: str) -> Reply:
        url = urlsplit(target)
        query = {k: v[-1] for k, v in parse_qs(url.query).items()}
        path = url.path
        if path == "/corpgeneral/corpList.do":
            return Reply(
                body=self.krx_list, content_type="application/vnd.ms-excel; charset=euc-kr"
            )
        if path in ("/item/main.naver", "/item/main.nhn"):
            return self._item(query.get("code", ""))
        if path.startswith("/api/stocks/marketValue/"):
            return self._ranking(path.rsplit("/", 1)[1], query)
        if path.startswith("/api/realtime/domestic/stock/"):
            codes = [c for c in path.rsplit("/", 1)[1].split(",") if c]
            return Reply(body=render_polling(self.market, codes), content_type="application/json")
        if path.endswith("/feed/"):
            return Reply(body=self._feed(), content_type="application/rss+xml; charset=UTF-8")
        return Reply(404, b"not found", "text/plain")

    def _item(self, code: str) -> Reply:
        company = self.market.by_code.get(code)
        if company is None or company.end_type != "stock":
            return Reply(body=EMPTY_SHELL)
        if company.delisted:
            # The retired site answers delisted codes both ways; keep both in play.
            if _unit(self.market.seed, "delisted", code) < 0.5:
                return Reply(409, b'{"code":"StockConflict"}', "application/json")
            return Reply(body=EMPTY_SHELL)
        return Reply(body=render_item_page(company))

    def _ranking(self, name: str, query: dict[str, str]) -> Reply:
        try:
            market = Market(name)
            page, size = int(query.get("page", "1")), int(query.get("pageSize", "20"))
        except ValueError:
            return Reply(400, b'{"message":"bad request"}', "application/json")
        if market is Market.KONEX or not 1 <= size <= 100:
            return Reply(400, b'{"message":"bad request"}', "application/json")
        body = render_ranking_page(self.market, market, page, size)
        return Reply(body=body, content_type="application/json")


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def do_GET(self) -> None:
        srv = self.server
        n = srv.stats.hit(self.path)
        if srv.config.latency_ms:
            time.sleep(srv.config.latency_ms / 1000)
        reply = srv.site.route(self.path)
        fault = pick_fault(srv.config, self.path, n)
        if fault is None:
            self._send(reply)
            return
        srv.stats.fault(fault)
        if fault in ("500", "503"):
            self._send(Reply(int(fault), b"server error", "text/plain"))
        elif fault == "429":
            retry = {"Retry-After": str(srv.config.retry_after_s)}
            self._send(Reply(429, b"too many requests", "text/plain", retry))
        elif fault == "reset":
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.close_connection = True
            self.connection.close()
        elif fault == "stall":
            time.sleep(srv.config.stall_s)
            self._send(reply)
        elif fault == "truncate":
            self._send(reply, cut=True)

    def _send(self, reply: Reply, *, cut: bool = False) -> None:
        try:
            self.send_response(reply.status)
            self.send_header("Content-Type", reply.content_type)
            self.send_header("Content-Length", str(len(reply.body)))
            for k, v in reply.headers.items():
                self.send_header(k, v)
            self.end_headers()
            self.wfile.write(reply.body[: len(reply.body) // 2] if cut else reply.body)
            if cut:
                self.wfile.flush()
                self.close_connection = True
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the client gave up (its timeout): fine

    def log_message(self, format: str, *args: Any) -> None:
        pass  # quiet; ServerStats counts what matters


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    block_on_close = False

    def __init__(self, config: ServerConfig, site: MarketSite) -> None:
        self.config = config
        self.site = site
        self.stats = ServerStats()
        super().__init__((config.host, config.port), _Handler)

    def handle_error(self, request: Any, client_address: Any) -> None:
        pass  # resets and stalls end connections on purpose


class MarketServer:
    """A running loopback server; ``origin`` is what ``STOCKBENCH_ORIGIN`` should be."""

    def __init__(
        self,
        config: ServerConfig | None = None,
        market: FakeMarket | None = None,
        feed: Callable[[], bytes] = news_feed,
    ) -> None:
        self.config = config or ServerConfig()
        self.market = market or generate_market(self.config.seed)
        self._server = _Server(self.config, MarketSite(self.market, feed))
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="stockbench-server", daemon=True
        )

    @property
    def origin(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    @property
    def stats(self) -> ServerStats:
        return self._server.stats

    def start(self) -> MarketServer:
        self._thread.start()
        return self

    def wait(self) -> None:
        """Block until the server thread ends (Ctrl-C in ``stockbench serve``)."""
        self._thread.join()

    def stop(self) -> None:
        if self._thread.is_alive():
            self._server.shutdown()
        self._server.server_close()


@contextmanager
def serve_market(
    config: ServerConfig | None = None,
    market: FakeMarket | None = None,
    feed: Callable[[], bytes] = news_feed,
) -> Iterator[MarketServer]:
    """Run the bundled market on an ephemeral loopback port for the ``with`` block."""
    server = MarketServer(config, market, feed).start()
    try:
        yield server
    finally:
        server.stop()
