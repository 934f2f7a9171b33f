"""News headlines from an RSS 2.0 feed: bytes in, headlines (and skipped items) out.

XML is parsed with lxml, which honours the declared encoding (EUC-KR feeds included),
with entity expansion and network access off, and its depth limit on (a document nested
deeper than 256 is malformed). An item without a usable title (missing, blank, or longer
than any headline) is skipped and says why; a date no calendar holds, or without a
time zone, is ``None`` (every date is timezone-aware); a
document that is not RSS is a ``ParseError``. Nothing else leaves this module.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field
from datetime import datetime
from email.utils import parsedate_to_datetime

from lxml import etree

from stockbench.errors import ForeignErrors, ParseError, clip, parse_error

DEFAULT_LIMIT = 100  # the original study's cut
# Headlines run to about 80 characters; a "title" of thousands is not one.
MAX_TITLE_CHARS = 1_000
# What ``parsedate_to_datetime`` raises for text that is not a date it can hold: no date,
# a field out of range (year 10000, hour 99), an offset of days, digits past a C long.
DATE_ERRORS = (TypeError, ValueError, IndexError, OverflowError)
XML_ERRORS: ForeignErrors = {
    etree.XMLSyntaxError: "malformed XML",
    LookupError: "unreadable XML",  # an unknown declared encoding
    ValueError: "unreadable XML",  # an impossible declared encoding
}


@dataclass(frozen=True, slots=True)
class Headline:
    title: str
    link: str | None = None
    published: datetime | None = None
    category: str | None = None


@dataclass(frozen=True, slots=True)
class SkippedItem:
    index: int  # position of the <item> in the feed, from 0
    reason: str


@dataclass(frozen=True, slots=True)
class Feed:
    title: str | None
    headlines: tuple[Headline, ...]
    skipped: tuple[SkippedItem, ...] = field(default=())

    @property
    def titles(self) -> list[str]:
        return [h.title for h in self.headlines]


def _text(item: etree._Element, tag: str) -> str | None:
    node = item.find(tag)
    if node is None:
        return None
    text = "".join(node.itertext())
    # Feeds double-escape now and then (``&amp;quot;``); one more unescape is harmless.
    cleaned = " ".join(html.unescape(text).split())
    return cleaned or None


def _date(text: str | None) -> datetime | None:
    if not text:
        return None
    try:
        when = parsedate_to_datetime(text)
    except DATE_ERRORS:
        return None
    # "-0000" or a zone it cannot read gives a naive time: not a moment, so no date.
    return when if when.tzinfo is not None else None


def parse_feed(data: bytes, *, source: str = "feed", limit: int | None = DEFAULT_LIMIT) -> Feed:
    """Headlines of an RSS 2.0 document, in feed order, at most ``limit`` of them."""
    if limit is not None and limit < 0:
        raise ValueError(f"limit must be >= 0, got {limit}")
    parser = etree.XMLParser(
        resolve_entities=False,
        no_network=True,
        recover=False,
        remove_comments=True,
        huge_tree=False,
    )
    try:
        root = etree.fromstring(data, parser)
    except tuple(XML_ERRORS) as exc:
        field = "xml" if isinstance(exc, etree.XMLSyntaxError) else "encoding"
        raise parse_error(exc, XML_ERRORS, source=source, field=field) from exc
    if root.tag != "rss":
        raise ParseError(
            f"root element is <{clip(root.tag, 40)}>, not <rss>", source=source, field="rss"
        )
    channel = root.find("channel")
    if channel is None:
        raise ParseError("no <channel>", source=source, field="channel")
    headlines: list[Headline] = []
    skipped: list[SkippedItem] = []
    for index, item in enumerate(channel.iterfind("item")):
        if limit is not None and len(headlines) >= limit:
            break
        title = _text(item, "title")
        if title is None or len(title) > MAX_TITLE_CHARS:
            if title is not None:
                reason = f"<title> of {len(title):,} characters is no headline"
            else:
                reason = "no <title>" if item.find("title") is None else "blank <title>"
            skipped.append(SkippedItem(index, reason))
            continue
        headlines.append(
            Headline(
                title, _text(item, "link"), _date(_text(item, "pubDate")), _text(item, "category")
            )
        )
    return Feed(_text(channel, "title"), tuple(headlines), tuple(skipped))
