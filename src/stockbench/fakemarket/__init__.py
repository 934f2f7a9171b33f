"""The offline market: one deterministic truth (``market``), rendered into every real
format (``pages``) and served on loopback at the real paths (``server``), so tests and
benchmarks run the real code paths and can assert exact values against the truth."""

from stockbench.fakemarket.market import (
    DEFAULT_SEED,
    FakeCompany,
    FakeMarket,
    generate_market,
)
from stockbench.fakemarket.pages import (
    EMPTY_SHELL,
    render_item_page,
    render_krx_list,
    render_polling,
    render_ranking_page,
)
from stockbench.fakemarket.server import (
    FAULT_KINDS,
    MarketServer,
    MarketSite,
    ServerConfig,
    pick_fault,
    serve_market,
)

__all__ = [
    "DEFAULT_SEED",
    "EMPTY_SHELL",
    "FAULT_KINDS",
    "FakeCompany",
    "FakeMarket",
    "MarketServer",
    "MarketSite",
    "ServerConfig",
    "generate_market",
    "pick_fault",
    "render_item_page",
    "render_krx_list",
    "render_polling",
    "render_ranking_page",
    "serve_market",
]
