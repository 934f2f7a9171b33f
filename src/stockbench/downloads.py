"""Whole documents from the web: the KRX company list and the news feeds.

Each is one ``HttpClient.get`` (the network layer, where foreign errors become
``FetchError``) followed by one parser call (bytes in, records out, no I/O), composed
here so that the parsers stay pure and every job fetches its documents the same way.
"""

from __future__ import annotations

from stockbench.market.krx import Listing, parse_listing
from stockbench.net import KRX_LIST_URL, YONHAP_FEEDS, HttpClient
from stockbench.news.feed import DEFAULT_LIMIT, Feed, parse_feed


def fetch_listing(client: HttpClient) -> Listing:
    """The KRX (KIND) company list, from the real site or the configured origin."""
    data = client.get(KRX_LIST_URL)
    return parse_listing(data, source=f"KRX list {client.endpoints.url(KRX_LIST_URL)}")


def fetch_feed(
    client: HttpClient, which: str = "latest", *, limit: int | None = DEFAULT_LIMIT
) -> Feed:
    """One of the Yonhap News TV feeds (``latest``, ``economy``, ``stocks``)."""
    try:
        url = YONHAP_FEEDS[which]
    except KeyError:
        raise ValueError(f"unknown feed {which!r}; choose from {', '.join(YONHAP_FEEDS)}") from None
    data = client.get(url)
    return parse_feed(data, source=client.endpoints.url(url), limit=limit)
