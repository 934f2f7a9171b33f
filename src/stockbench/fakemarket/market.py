"""The bundled market's truth: about 2,770 companies shaped like the real KRX list.

``generate_market(seed)`` gives the KOSPI/KOSDAQ/KONEX split, alphanumeric codes, SPACs
and REITs, heavy-tailed market caps from a few 억원 to over 1,000조, ETFs that appear
only in the ranking, and a few delisted codes. ``pages`` renders it into every format.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from stockbench.market.records import Market

DEFAULT_SEED = 20260410

_FIRST = "한대삼현동신태광성우진영세금미아로코에스케이엘지"
_SECOND = "국양일화성진원흥전산림창도명안"
_STEMS = [
    "전자",
    "바이오",
    "화학",
    "제약",
    "건설",
    "중공업",
    "테크",
    "소재",
    "에너지",
    "반도체",
    "통신",
    "식품",
    "물산",
    "정밀",
    "로직스",
    "헬스케어",
    "게임즈",
    "엔터",
    "모빌리티",
    "디스플레이",
]
_SUFFIX = ["", "", "", "홀딩스", "우", "산업", "시스템", "글로벌", "네트웍스", "머티리얼즈"]
_SECTORS = [
    "반도체 제조업",
    "의약품 제조업",
    "소프트웨어 개발 및 공급업",
    "자동차 부품 제조업",
    "기초 화학물질 제조업",
    "금융 지원 서비스업",
    "부동산 임대 및 공급업",
    "통신 및 방송 장비 제조업",
    "전자부품 제조업",
    "식료품 제조업",
    "건물 건설업",
    "특수 목적용 기계 제조업",
]


@dataclass(frozen=True, slots=True)
class FakeCompany:
    name: str
    code: str
    market: Market
    sector: str
    listed_on: date
    price: int
    market_cap_eok: int
    volume: int
    prev_close: int
    end_type: str = "stock"
    delisted: bool = False

    @property
    def nxt_price(self) -> int:
        # Nextrade trades on after KRX closes: a different, nearby price on the page.
        return tick(self.price * 1.013)


@dataclass(frozen=True)
class FakeMarket:
    seed: int
    companies: tuple[FakeCompany, ...]  # the KRX list, delisted ones included
    etfs: tuple[FakeCompany, ...]  # in the ranking only

    @cached_property
    def by_code(self) -> dict[str, FakeCompany]:
        return {c.code: c for c in (*self.companies, *self.etfs)}

    @cached_property
    def delisted_codes(self) -> frozenset[str]:
        return frozenset(c.code for c in self.companies if c.delisted)

    def ranking(self, market: Market) -> list[FakeCompany]:
        """What the ranking of ``market`` lists: live stocks and ETFs by market cap."""
        rows = [c for c in (*self.companies, *self.etfs) if c.market == market and not c.delisted]
        return sorted(rows, key=lambda c: (-c.market_cap_eok, c.code))


def tick(value: float) -> int:
    """Round to a KRX tick size so prices look real."""
    v = max(int(value), 1)
    for bound, tick in (
        (2_000, 1),
        (5_000, 5),
        (20_000, 10),
        (50_000, 50),
        (200_000, 100),
        (500_000, 500),
    ):
        if v < bound:
            return v - v % tick
    return v - v % 1_000


def _name(rng: random.Random, used: set[str]) -> str:
    while True:
        name = rng.choice(_FIRST) + rng.choice(_SECOND) + rng.choice(_STEMS) + rng.choice(_SUFFIX)
        if name not in used:
            used.add(name)
            return name


def _codes(rng: random.Random, n: int, n_alpha: int) -> list[str]:
    n_alpha = min(n_alpha, n)
    numeric = rng.sample(range(1_000, 999_999), n - n_alpha)
    codes = [f"{x:06d}" for x in numeric]
    alpha: set[str] = set()
    while len(alpha) < n_alpha:
        alpha.add(f"{rng.randrange(0, 1000):04d}"[:4] + rng.choice("HKLMNPQRSZ") + "0")
    out = codes + sorted(alpha)
    rng.shuffle(out)
    return out


def generate_market(
    seed: int = DEFAULT_SEED,
    *,
    n_kospi: int = 840,
    n_kosdaq: int = 1818,
    n_konex: int = 110,
    n_etf: int = 60,
    n_alphanumeric: int = 42,
    n_delisted: int = 6,
) -> FakeMarket:
    rng = random.Random(seed)
    total = n_kospi + n_kosdaq + n_konex
    codes = _codes(rng, total + n_etf, n_alphanumeric)
    markets = [Market.KOSPI] * n_kospi + [Market.KOSDAQ] * n_kosdaq + [Market.KONEX] * n_konex
    used: set[str] = set()
    companies: list[FakeCompany] = []
    spac_no = 1
    for i, market in enumerate(markets):
        kind = rng.random()
        if kind < 0.03:
            name, sector = (
                f"{rng.choice(['엔에이치', '하나', '미래에셋', '교보'])}스팩{spac_no}호",
                _SECTORS[5],
            )
            spac_no += 1
        elif kind < 0.05:
            name, sector = _name(rng, used) + "리츠", _SECTORS[6]
        else:
            name, sector = _name(rng, used), rng.choice(_SECTORS)
        scale = {Market.KOSPI: 9.0, Market.KOSDAQ: 7.3, Market.KONEX: 5.2}[market]
        if sector in (_SECTORS[5], _SECTORS[6]):  # SPACs and REITs are small
            scale = 5.5
        cap = max(3, int(rng.lognormvariate(scale, 1.35)))
        price = tick(rng.lognormvariate(9.0, 1.1))
        volume = int(rng.lognormvariate(11.0, 1.8))
        prev = tick(price * rng.uniform(0.93, 1.07))
        listed = date(1975, 1, 1) + timedelta(days=rng.randrange(0, 18_600))
        companies.append(
            FakeCompany(name, codes[i], market, sector, listed, price, cap, volume, prev)
        )
    # The market's giant, like the real list's, crosses 1,000조 (10,000,000 억원).
    giant = companies[0]
    companies[0] = FakeCompany(
        "한국전자",
        giant.code,
        Market.KOSPI,
        _SECTORS[0],
        date(1975, 6, 11),
        187_100,
        11_075_643,
        23_787_856,
        195_100,
    )
    # A few companies on the list have since been delisted: every source must say so.
    for idx in rng.sample(range(1, total), min(n_delisted, total - 1)):
        c = companies[idx]
        companies[idx] = FakeCompany(
            c.name,
            c.code,
            c.market,
            c.sector,
            c.listed_on,
            c.price,
            c.market_cap_eok,
            c.volume,
            c.prev_close,
            delisted=True,
        )
    etfs = []
    for j in range(n_etf):
        brand = rng.choice(["KODEX", "TIGER", "KBSTAR", "ARIRANG", "ACE"])
        theme = rng.choice(["200", "코스닥150", "반도체", "2차전지", "미국S&P500", "고배당"])
        market = Market.KOSPI if j % 3 else Market.KOSDAQ
        etfs.append(
            FakeCompany(
                f"{brand} {theme} {j}",
                codes[total + j],
                market,
                "ETF",
                date(2010, 1, 1),
                tick(rng.uniform(5_000, 60_000)),
                int(rng.lognormvariate(8, 1)),
                int(rng.lognormvariate(12, 1)),
                10_000,
                end_type="etf",
            )
        )
    companies.sort(key=lambda c: (c.listed_on, c.code), reverse=True)  # newest first, as KIND
    return FakeMarket(seed, tuple(companies), tuple(etfs))
