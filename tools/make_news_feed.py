"""Write ``src/stockbench/data/news_feed.xml``: the bundled Korean finance-news feed.

The headlines are the project's own, composed from the templates below with numbers
and company names drawn from a fixed seed; the layout follows a WordPress RSS 2.0 feed
(CDATA titles, RFC 822 dates at +0900, categories, guid, content:encoded). Run it again
only to change the feed: ``python tools/make_news_feed.py``.
"""

from __future__ import annotations

import random
from datetime import datetime, timedelta, timezone
from email.utils import format_datetime
from pathlib import Path
from xml.sax.saxutils import escape

from stockbench.fakemarket import generate_market

OUT = Path(__file__).resolve().parents[1] / "src/stockbench/data/news_feed.xml"
KST = timezone(timedelta(hours=9))

TEMPLATES = [
    ("증권", "코스피, 외국인 순매수에 {p}% 상승 마감…{idx}선 회복"),
    ("증권", "코스피 {p}% 하락…기관 매도세에 {idx}선 내줘"),
    ("증권", "코스닥, 2차전지주 약세에 {p}% 내린 {kq}로 마감"),
    ("증권", "코스닥 {p}% 올라 {kq}…바이오株 동반 강세"),
    ("증권", "{co}, {n}억원 규모 자사주 매입 결정"),
    ("증권", "{co} 유상증자 발표에 주가 {p}% 급락"),
    ("증권", "{co} 상한가…신약 임상 3상 결과 기대감"),
    ("증권", "'실적 쇼크' {co}, 장중 {p}% 하락"),
    ("증권", "외국인, 반도체 대형주 {n}억원어치 순매수"),
    ("증권", "공매도 잔고 {n}억원…{co} 비중 가장 커"),
    ("증권", '{co}, 목표주가 {price}원으로 상향…"수주 잔고 탄탄"'),
    ("증권", '증권가 "{co} 4분기 영업이익 시장 기대 웃돌 것"'),
    ("증권", "신규 상장 {co}, 공모가 대비 {p}% 오른 채 거래 마쳐"),
    ("증권", "개인 투자자, 이달 들어 코스닥서 {n}억원 순매도"),
    ("증권", "배당 시즌 앞두고 고배당주 관심 ↑…{co} 배당수익률 {p}%"),
    ("경제", "{co} 3분기 영업이익 {n}억원…전년 대비 {p}% 증가"),
    ("경제", "{co}, 3분기 적자 전환…원자재 가격 상승 여파"),
    ("경제", '한은 기준금리 {rate}% 동결…"물가 둔화 더 지켜봐야"'),
    ("경제", "한국은행, 기준금리 0.25%p 인하…{rate}%로"),
    ("경제", "원·달러 환율 {fx}원 마감…달러 강세 지속"),
    ("경제", "원·달러 환율 {fx}원대로 하락…위험선호 회복"),
    ("경제", "반도체 수출 {p}% 증가…{m}개월 연속 플러스"),
    ("경제", "{month}월 수출 {p}% 감소…중국向 부진 영향"),
    ("경제", "소비자물가 {rate}% 상승…석 달 만에 오름폭 확대"),
    ("경제", "가계부채 {n}조원 돌파…주택담보대출 증가세"),
    ("경제", "국고채 3년물 금리 {rate}%…연중 최저 수준"),
    ("경제", "정부, 밸류업 지수 편입 기준 발표…{co} 등 포함"),
    ("경제", "국제유가 배럴당 {oil}달러…중동 긴장에 {p}% 급등"),
    ("경제", "취업자 {n}만명 증가…고용률 역대 최고"),
    ("경제", "경상수지 {m}개월째 흑자…반도체 수출 호조"),
    ("산업", "{co}, 美 현지 공장에 {n}억원 추가 투자"),
    ("산업", "{co}·{co2}, 차세대 배터리 공동 개발 협약"),
    ("산업", "{co}, {n}억원 규모 해외 플랜트 수주"),
    ("산업", "{co} 노조 파업 돌입…생산 차질 우려"),
    ("산업", "{co}, 개인정보 유출 사고로 과징금 {n}억원"),
    ("산업", "AI 반도체 수요 급증…{co} HBM 생산 확대"),
    ("산업", "{co}, 구조조정 착수…희망퇴직 {m}00명 받는다"),
    ("산업", "{co} 신제품 출시 첫날 {n}만대 판매 돌파"),
    ("국제", '美 연준 금리 동결…파월 "인하 서두르지 않겠다"'),
    ("국제", "뉴욕증시, 기술주 랠리에 나스닥 {p}% 상승"),
    ("국제", "뉴욕증시 하락…국채금리 급등에 투자심리 위축"),
    ("국제", "중국 경기 부양책 발표에 아시아 증시 일제히 반등"),
    ("국제", "일본 닛케이지수 {p}% 급락…엔화 강세 여파"),
    ("국제", "美 고용지표 예상 상회…달러 인덱스 {dxy} 돌파"),
    ("국제", "유럽중앙은행, 기준금리 0.25%p 인하 단행"),
]


def main() -> None:
    rng = random.Random(20261126)
    names = [c.name for c in generate_market().companies]
    start = datetime(2026, 11, 26, 8, 50, tzinfo=KST)
    items = []
    for i in range(160):
        category, template = (
            TEMPLATES[i % len(TEMPLATES)] if i < len(TEMPLATES) else rng.choice(TEMPLATES)
        )
        co, co2 = rng.sample(names, 2)
        title = template.format(
            co=co,
            co2=co2,
            p=f"{rng.uniform(0.3, 9.8):.1f}",
            idx=f"{rng.randrange(2400, 2900):,}",
            kq=f"{rng.uniform(680, 880):.2f}",
            n=f"{rng.randrange(50, 9000):,}",
            price=f"{rng.randrange(10, 500) * 1000:,}",
            rate=f"{rng.uniform(2.0, 3.75):.2f}",
            fx=f"{rng.uniform(1290, 1420):,.1f}",
            m=rng.randrange(2, 19),
            month=rng.randrange(1, 13),
            oil=f"{rng.uniform(62, 96):.2f}",
            dxy=f"{rng.uniform(101, 108):.1f}",
        )
        when = start - timedelta(minutes=7 * i + rng.randrange(0, 6))
        slug = f"{when:%Y%m%d}{i:04d}"
        link = f"https://www.yonhapnewstv.co.kr/news/MYH{slug}"
        body = f"{title}. 연합뉴스TV 경제부 기자가 전해드립니다."
        pad = " " if i % 9 == 0 else ""  # WordPress titles sometimes carry stray spaces
        title_xml = f"<![CDATA[{pad}{title}{pad}]]>" if i % 13 else escape(title)
        items.append(f"""		<item>
		<title>{title_xml}</title>
		<link>{link}</link>
		<dc:creator><![CDATA[연합뉴스TV]]></dc:creator>
		<pubDate>{format_datetime(when)}</pubDate>
		<category><![CDATA[{category}]]></category>
		<guid isPermaLink="false">{link}</guid>
		<description><![CDATA[{body}]]></description>
		<content:encoded><![CDATA[<p>{escape(body)}</p>]]></content:encoded>
		</item>
""")
    feed = f"""<?xml version="1.0" encoding="UTF-8"?><rss version="2.0"
	xmlns:content="http://purl.org/rss/1.0/modules/content/"
	xmlns:dc="http://purl.org/dc/elements/1.1/"
	xmlns:atom="http://www.w3.org/2005/Atom"
	>
<channel>
	<title>연합뉴스TV (stockbench offline feed)</title>
	<atom:link href="https://www.yonhapnewstv.co.kr/browse/feed/" rel="self" type="application/rss+xml" />
	<link>https://www.yonhapnewstv.co.kr</link>
	<description>stockbench's bundled Korean finance headlines, written for offline benchmarks</description>
	<lastBuildDate>{format_datetime(start)}</lastBuildDate>
	<language>ko-KR</language>
{"".join(items)}</channel>
</rss>
"""
    OUT.write_text(feed, encoding="utf-8")
    print(f"wrote {OUT} ({len(items)} items, {len(feed.encode()):,} bytes)")


if __name__ == "__main__":
    main()
