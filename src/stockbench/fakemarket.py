"""The bundled market: one deterministic truth rendered into every real format.

``generate_market(seed)`` makes about 2,770 companies shaped like the real KRX list
(KOSPI/KOSDAQ/KONEX split, alphanumeric codes, SPACs and REITs, heavy-tailed market
caps from a few 억원 to over 1,000조) plus ETFs that appear only in the ranking, and a
few delisted codes. The renderers turn it into the KRX list (EUC-KR HTML table),
legacy item pages (about 190 kB each), ranking JSON pages and polling JSON, so tests
and benchmarks can assert exact values against the truth.
"""

from __future__ import annotations

import html
import json
import random
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cached_property

from stockbench.krx import HEADERS_10, KRX_ENCODING, MARKET_LABELS
from stockbench.naver import format_eok
from stockbench.records import Market

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
_REGIONS = [
    "서울특별시",
    "경기도",
    "인천광역시",
    "부산광역시",
    "대전광역시",
    "충청남도",
    "경상북도",
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
        return _tick(self.price * 1.013)


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


def _tick(value: float) -> int:
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
        price = _tick(rng.lognormvariate(9.0, 1.1))
        volume = int(rng.lognormvariate(11.0, 1.8))
        prev = _tick(price * rng.uniform(0.93, 1.07))
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
                _tick(rng.uniform(5_000, 60_000)),
                int(rng.lognormvariate(8, 1)),
                int(rng.lognormvariate(12, 1)),
                10_000,
                end_type="etf",
            )
        )
    companies.sort(key=lambda c: (c.listed_on, c.code), reverse=True)  # newest first, as KIND
    return FakeMarket(seed, tuple(companies), tuple(etfs))


# --- KRX list -------------------------------------------------------------------------


def render_krx_list(companies: Iterable[FakeCompany], *, with_market: bool = True) -> bytes:
    """The KIND download: an HTML table with an .xls name, in cp949."""
    heads = HEADERS_10 if with_market else tuple(h for h in HEADERS_10 if h != "시장구분")
    out = [
        '\r\n\r\n<html xmlns="http://www.w3.org/1999/xhtml">\r\n<head>\r\n'
        '<meta http-equiv="Content-Type" content="text/html; charset=euc-kr" />\r\n'
        "<title>상장법인목록(EXCEL)</title>\r\n</head>\r\n<body>\r\n"
        '\t<table cellpadding="0" cellspacing="1" class="bbs_tb" border="1">\r\n'
    ]
    out.append("\t<tr>\r\n")
    out.extend(f'\t\t<th bgcolor="#66FF99" >{h}</th>\r\n' for h in heads)
    out.append("\t</tr>\r\n")
    for c in companies:
        cells = [
            f"\t\t<td>{html.escape(c.name)}</td>\r\n",
            f"\t\t<td>\r\n\t\t\t\r\n\t\t\t\t\t{MARKET_LABELS[c.market]}\r\n\t\t\t\t\t\r\n\t\t</td>\r\n",
            f"\t\t<td style=\"mso-number-format:'@';text-align:center;\">{c.code}</td>\r\n",
            f"\t\t<td>{c.sector}</td>\r\n",
            f"\t\t<td>{html.escape(c.sector.split()[0])} 외</td>\r\n",
            f'\t\t<td style="text-align:center;">{c.listed_on.isoformat()}</td>\r\n',
            '\t\t<td style="text-align:center;">12월</td>\r\n',
            "\t\t<td>김대표</td>\r\n",
            f"\t\t<td>\r\n\t\t\thttp://www.c{c.code.lower()}.co.kr\r\n\t\t</td>\r\n",
            f"\t\t<td >{_REGIONS[sum(map(ord, c.code)) % len(_REGIONS)]}</td>\r\n",
        ]
        if not with_market:
            del cells[1]
        out.append("\t<tr>\r\n" + "".join(cells) + "\t</tr>\r\n")
    out.append("\t</table>\r\n</body>\r\n</html>\r\n")
    return "".join(out).encode(KRX_ENCODING)


# --- legacy item page -----------------------------------------------------------------


def _digits(value: int) -> str:
    parts = []
    for ch in f"{value:,}":
        parts.append(
            '<span class="shim">,</span>' if ch == "," else f'<span class="no{ch}">{ch}</span>'
        )
    return "".join(parts)


def _price_block(block_id: str, name: str, price: int, prev: int, volume: int, display: str) -> str:
    diff = price - prev
    direction, word = ("up", "상승") if diff >= 0 else ("down", "하락")
    high, low = max(price, prev), min(price, prev)
    upper, lower = _tick(prev * 1.3), _tick(prev * 0.7)
    return f"""
                    <div class="rate_info" id="{block_id}" style="display: {display};">
                        <dl class="blind">
                            <dt><strong>{html.escape(name)}</strong></dt>
                            <dd>오늘의시세 {price:,} 포인트</dd>
                            <dd>{abs(diff):,} 포인트 {word}</dd>
                        </dl>
                        <div class="today">
                            <p class="no_today">
                                    <em class="no_{direction}">
                                            <span class="blind">{price:,}</span>
                                            {_digits(price)}
                                        </em>
                            </p>
                            <p class="no_exday">
                                <span class="sptxt sp_txt1">전일대비</span>
                                            <em class="no_{direction}">
                                                <span class="ico {direction}">{word}</span>
                                                    <span class="blind">{abs(diff):,}</span>
                                                    {_digits(abs(diff))}
                                                </em>
                            </p>
                        </div>
                        <table summary="주요 시세(전일종가, 시고저가, 거래량, 거래대금)을 제공합니다." class="no_info">
                            <caption>주요 시세</caption>
                            <tr>
                                <td class="first">
                                    <span class="sptxt sp_txt2">전일</span>
                                    <em>
                                        <span class="blind">{prev:,}</span>
                                        {_digits(prev)}
                                    </em>
                                </td>
                                <td>
                                    <span class="sptxt sp_txt4">고가</span>
                                        <em class="no_up">
                                                        <span class="blind">{high:,}</span>{_digits(high)}
                                                </em>
                                                <span class="sptxt sp_txt6">(상한가</span>
                                                <em class="no_cha">
                                                        <span class="blind">{upper:,}</span>{_digits(upper)}
                                                </em>
                                                <span class="sptxt sp_txt8">)</span>
                                </td>
                                <td>
                                    <span class="sptxt sp_txt9">거래량</span>
                                    <em>
                                        <span class="blind">{volume:,}</span>
                                        {_digits(volume)}
                                    </em>
                                </td>
                            </tr>
                            <tr>
                                <td class="first">
                                    <span class="sptxt sp_txt3">시가</span>
                                            <em
                                                    class="no_down">
                                                        <span class="blind">{prev:,}</span>{_digits(prev)}
                                                </em>
                                </td>
                                <td>
                                    <span class="sptxt sp_txt5">저가</span>
                                            <em
                                                    class="no_down">
                                                        <span class="blind">{low:,}</span>{_digits(low)}
                                                </em>
                                                <span class="sptxt sp_txt7">(하한가</span>
                                                <em class="no_cha">
                                                        {_digits(lower)}
                                                </em>
                                                <span class="sptxt sp_txt8">)</span>
                                </td>
                                <td>
                                    <span class="sptxt sp_txt10">거래대금</span>
                                    <em>
                                                <span class="blind">{price * volume // 1_000_000:,}</span>
                                    </em>
                                    <span class="sptxt sp_txt11">백만</span>
                                </td>
                            </tr>
                        </table>
                    </div>"""


def _filler() -> tuple[str, str]:
    """Page furniture every item page carries (menus, scripts, footers): about 150 kB.

    Its script holds the markup a raw regex over the page would match first: a
    ``span.blind`` price and an ``_market_sum`` id inside JavaScript strings.
    """
    menu = "".join(
        f"<li><a href=\"/sise/sise_{k}.naver\" onClick=\"clickcr(this, 'quk.{k}', '', '', event);\">"
        f"시세메뉴{k}</a></li>\n\t\t"
        for k in range(700)
    )
    script = "\n".join(
        f'    var tpl{k} = \'<p class="no_today"><span class="blind">{k},000</span></p>\';'
        f'  jindo.$Element("_market_sum").text(sMarketSum{k}); // id="_market_sum" {k}조'
        for k in range(300)
    )
    news = "".join(
        f'<li><span class="txt"><a href="/item/news_read.naver?article_id={k:010d}">'
        f"시장 동향 기사 제목 {k}번: 외국인 순매수 이어져</a></span>"
        f'<span class="date">2026.04.0{k % 9 + 1}</span></li>\n'
        for k in range(250)
    )
    return (
        f'<div id="menu"><ul>{menu}</ul></div>\n<script type="text/javascript">\n{script}\n</script>\n',
        f'<div class="news_section"><ul>{news}</ul></div>\n',
    )


_FILLER_TOP, _FILLER_BOTTOM = _filler()


def render_item_page(company: FakeCompany) -> bytes:
    """A legacy ``/item/main.naver`` page for ``company`` (UTF-8, about 190 kB)."""
    c = company
    name = html.escape(c.name)
    jo, eok = divmod(c.market_cap_eok, 10_000)
    cap_inner = (
        f"\n\t\t\t\t\t\t\t\t\t\t{jo:,}조\n\t\t\t\t\t\t\t\t\t\t\n\t\t\t\t\t\t\t\t\t\t\t{eok:,}"
        if jo
        else f"\n\t\t\t\t\t\t\t\t\t\t{eok:,}"
    )
    page = f"""

<html lang='ko'>
<head>
<title>{name} : Npay 증권</title>
<meta http-equiv="Content-Type" content="text/html; charset=utf-8" />
<meta property="og:url" content="https://finance.naver.com/item/main.naver?code={c.code}"/>
</head>
<body>
{_FILLER_TOP}
<div class="wrap_company"><h2><a href="#" onClick="return false;">{name}</a></h2>
<div class="description"><span class="code">{c.code}</span></div></div>
                <!-- KRX, NXT 탭 -->
{_price_block("rate_info_krx", c.name, c.price, c.prev_close, c.volume, "block")}
{_price_block("rate_info_nxt", c.name, c.nxt_price, c.price, c.volume // 7, "none")}
<div class="tab_con1">
\t\t\t\t\t\t<table summary="시가총액 정보">
\t\t\t\t\t\t<caption>시가총액</caption>
\t\t\t\t\t\t<tr class="strong">
\t\t\t\t\t\t\t<th scope="row">시가총액</th>
\t\t\t\t\t\t\t<td><em id="_market_sum">{cap_inner}
\t\t\t\t\t\t\t\t\t\t
\t\t\t\t\t\t\t\t</em>억원</td>
\t\t\t\t\t\t</tr>
\t\t\t\t\t\t<tr><th scope="row">상장주식수</th>
\t\t\t\t\t\t\t<td><em>{c.market_cap_eok * 100_000_000 // max(c.price, 1):,}</em></td></tr>
\t\t\t\t\t\t</table>
</div>
{_FILLER_BOTTOM}
</body>
</html>
"""
    return page.encode("utf-8")


EMPTY_SHELL = (
    b"<!doctype html><html lang='ko'><head><meta charset='utf-8'><title>Npay \xec\xa6\x9d\xea\xb6\x8c"
    b"</title></head><body><div id='root'></div><script src='/app.js'></script></body></html>"
)


# --- JSON endpoints -------------------------------------------------------------------


def _json_item(c: FakeCompany) -> dict[str, object]:
    return {
        "itemCode": c.code,
        "stockName": c.name,
        "closePrice": f"{c.price:,}",
        "compareToPreviousClosePrice": f"{c.price - c.prev_close:,}",
        "fluctuationsRatio": f"{(c.price - c.prev_close) / c.prev_close * 100:.2f}",
        "accumulatedTradingVolume": f"{c.volume:,}",
        "accumulatedTradingValue": f"{c.price * c.volume // 1_000_000:,}",
        "marketValue": f"{c.market_cap_eok:,}",
        "stockEndType": c.end_type,
    }


def render_ranking_page(market: FakeMarket, which: Market, page: int, page_size: int) -> bytes:
    ranked = market.ranking(which)
    chunk = ranked[(page - 1) * page_size : page * page_size] if page >= 1 else []
    doc = {"stocks": [_json_item(c) for c in chunk], "totalCount": len(ranked)}
    return json.dumps(doc, ensure_ascii=False).encode("utf-8")


def render_polling(market: FakeMarket, codes: Sequence[str]) -> bytes:
    datas = []
    for code in codes:
        c = market.by_code.get(code)
        if c is not None and not c.delisted:
            item = _json_item(c)
            item["marketValue"] = format_eok(c.market_cap_eok) + "억"  # polling's own style
            datas.append(item)
    return json.dumps({"pollingInterval": 7000, "datas": datas}, ensure_ascii=False).encode("utf-8")
