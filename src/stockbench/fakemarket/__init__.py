"""The bundled market: one deterministic truth (``market``) rendered into every real
format (``pages``), so tests and benchmarks can assert exact values against the truth."""

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

__all__ = [
    "DEFAULT_SEED",
    "EMPTY_SHELL",
    "FakeCompany",
    "FakeMarket",
    "generate_market",
    "render_item_page",
    "render_krx_list",
    "render_polling",
    "render_ranking_page",
]
