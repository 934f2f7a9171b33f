"""The bundled market rendered in every real format, from one truth.

The KRX list (EUC-KR HTML table), legacy item pages (about 190 kB each, with the KRX
and Nextrade blocks, the tab-laden market cap and a script a raw regex would trip on),
ranking JSON pages and polling JSON. Written by the project, modelled on the real ones.

Headers, labels and number formats are spelt here as the real sites spell them, not
borrowed from the parsers, so a misspelling on either side fails the round-trip tests.
"""

from __future__ import annotations

import functools
import html
import json
from collections.abc import Iterable, Sequence

from stockbench.fakemarket.market import FakeCompany, FakeMarket, tick
from stockbench.market.records import Market

_REGIONS = [
    "서울특별시",
    "경기도",
    "인천광역시",
    "부산광역시",
    "대전광역시",
    "충청남도",
    "경상북도",
]


# --- KRX list -------------------------------------------------------------------------

# KIND's download: cp949 bytes, ten columns since about 2023 (시장구분 is the newcomer).
LIST_ENCODING = "cp949"
LIST_HEADERS = (
    "회사명",
    "시장구분",
    "종목코드",
    "업종",
    "주요제품",
    "상장일",
    "결산월",
    "대표자명",
    "홈페이지",
    "지역",
)
LIST_MARKET_LABELS = {Market.KOSPI: "유가", Market.KOSDAQ: "코스닥", Market.KONEX: "코넥스"}


def render_krx_list(companies: Iterable[FakeCompany], *, with_market: bool = True) -> bytes:
    """The KIND download: an HTML table with an .xls name, in cp949."""
    heads = LIST_HEADERS if with_market else tuple(h for h in LIST_HEADERS if h != "시장구분")
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
            f"\t\t<td>\r\n\t\t\t\r\n\t\t\t\t\t{LIST_MARKET_LABELS[c.market]}\r\n\t\t\t\t\t\r\n\t\t</td>\r\n",
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
    return "".join(out).encode(LIST_ENCODING)


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
    upper, lower = tick(prev * 1.3), tick(prev * 0.7)
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


@functools.cache
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


def render_item_page(company: FakeCompany) -> bytes:
    """A legacy ``/item/main.naver`` page for ``company`` (UTF-8, about 190 kB)."""
    c = company
    name = html.escape(c.name)
    top, bottom = _filler()
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
{top}
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
{bottom}
</body>
</html>
"""
    return page.encode("utf-8")


EMPTY_SHELL = (
    b"<!doctype html><html lang='ko'><head><meta charset='utf-8'><title>Npay \xec\xa6\x9d\xea\xb6\x8c"
    b"</title></head><body><div id='root'></div><script src='/app.js'></script></body></html>"
)


# --- JSON endpoints -------------------------------------------------------------------


def eok_text(value: int) -> str:
    """A market cap in 억원 as Naver writes it: 11075643 -> ``"1,107조 5,643"``."""
    if value < 0:
        raise ValueError(f"market cap must be >= 0, got {value}")
    jo, eok = divmod(value, 10_000)
    if jo == 0:
        return f"{eok:,}"
    return f"{jo:,}조 {eok:,}" if eok else f"{jo:,}조"


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
            item["marketValue"] = eok_text(c.market_cap_eok) + "억"  # polling's own style
            datas.append(item)
    return json.dumps({"pollingInterval": 7000, "datas": datas}, ensure_ascii=False).encode("utf-8")
