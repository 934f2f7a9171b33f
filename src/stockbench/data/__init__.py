"""Small data shipped inside the package, so the offline default needs no download.

- ``news_feed.xml``: a 160-item Korean finance-news RSS 2.0 feed written for the project
  (``tools/make_news_feed.py``), served by the offline market at Yonhap's feed paths;
- ``replica_tokenizer.json``: the WordPiece tokenizer of the replica sentiment model
  (``tools/make_tokenizer.py``);
- ``prices.json``: a dated table of EC2 on-demand prices (``tools/make_prices.py``);
- ``burstable.json``: the CPU-credit table of the burstable families (t2, t3, t3a, t4g).
"""

from __future__ import annotations

from importlib.resources import as_file, files
from pathlib import Path


def _resource(name: str) -> Path:
    with as_file(files(__name__).joinpath(name)) as path:  # a real file in any install
        return Path(path)


def news_feed() -> bytes:
    """The bundled feed's bytes."""
    return _resource("news_feed.xml").read_bytes()


def replica_tokenizer_path() -> Path:
    return _resource("replica_tokenizer.json")


def prices_text() -> str:
    return _resource("prices.json").read_text(encoding="utf-8")


def burstable_text() -> str:
    return _resource("burstable.json").read_text(encoding="utf-8")
