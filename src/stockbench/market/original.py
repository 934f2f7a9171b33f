"""The original study's methods, kept as the baseline every benchmark group carries.

Ported from the study's scripts with their behaviour intact, bugs included, so every
speed-up is measured against what the study ran: BeautifulSoup's ``html.parser``, one
request per company with a 0.3 s pause, failures swallowed as ``None``, and the list
step's ``f"{x:06d}"`` on a pandas-parsed column. Do not "fix" this module.
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable, Sequence
from typing import Any

import pandas as pd
import requests
from bs4 import BeautifulSoup

ORIGINAL_PAUSE_S = 0.3
ORIGINAL_USER_AGENT = "Mozilla/5.0"


def krx_stock_list(data: bytes) -> pd.DataFrame:
    """``get_krx_stock_list`` minus the download: crashes on alphanumeric codes (2024+),
    and drops leading zeros before padding them back on all-numeric lists."""
    res_text = data.decode("euc-kr", errors="strict")
    df = pd.read_html(io.StringIO(res_text), header=0)[0]
    df = df[["종목코드", "회사명"]]
    df["종목코드"] = df["종목코드"].apply(lambda x: f"{x:06d}")
    return df


def parse_page(text: str, code: str) -> dict[str, Any] | None:
    """The parsing half of ``get_naver_stock_info``."""
    try:
        soup = BeautifulSoup(text, "html.parser")
        price = soup.select_one("p.no_today span.blind").text.replace(",", "")  # type: ignore[union-attr]
        market_cap = (
            soup.select_one("em#_market_sum")
            .text.replace(",", "")  # type: ignore[union-attr]
            .replace("조", "")
            .replace("억원", "")
            .strip()
        )
        volume = soup.select("table.no_info td")[2].select_one("span.blind").text.replace(",", "")  # type: ignore[union-attr]
        return {
            "code": code,
            "price": int(price),
            "market_cap(억)": float(market_cap),
            "volume": int(volume),
        }
    except Exception:  # the original's own swallow-everything, kept on purpose
        return None


def naver_stock_info(code: str, url: str) -> dict[str, Any] | None:
    """``get_naver_stock_info``: a fresh connection per call, as the original did."""
    try:
        res = requests.get(url, headers={"User-Agent": ORIGINAL_USER_AGENT}, timeout=5)
    except Exception:
        return None
    return parse_page(res.text, code)


def crawl(
    codes: Sequence[tuple[str, str]],
    url_for: Callable[[str], str],
    pause_s: float = ORIGINAL_PAUSE_S,
) -> list[dict[str, Any]]:
    """The original main loop over ``(code, name)`` pairs: sequential, paused, lossy."""
    results = []
    for code, name in codes:
        info = naver_stock_info(code, url_for(code))
        if info:
            info["name"] = name
            results.append(info)
        time.sleep(pause_s)
    return results
