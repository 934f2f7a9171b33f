from __future__ import annotations

import pytest

from stockbench.data import news_feed
from stockbench.news.feed import parse_feed


@pytest.fixture(scope="module")
def headlines() -> list[str]:
    return parse_feed(news_feed(), limit=40).titles
