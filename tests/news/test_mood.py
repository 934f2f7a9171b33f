"""The news mood job: label counts, the report it returns, and its refusals."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockbench.errors import ParseError
from stockbench.news.feed import Feed, Headline, SkippedItem
from stockbench.news.mood import mood, news_mood
from stockbench.news.sentiment import Prediction

from ..tinymodels import LABELS


def test_mood_counts_every_label() -> None:
    preds = [
        Prediction("a", "positive", 0.9),
        Prediction("b", "positive", 0.8),
        Prediction("c", "negative", 0.7),
    ]
    shares = mood(preds, ["negative", "neutral", "positive"])
    assert [(m.label, m.count) for m in shares] == [
        ("negative", 1),
        ("neutral", 0),
        ("positive", 2),
    ]
    assert sum(m.share for m in shares) == pytest.approx(1.0)


@pytest.mark.parametrize("backend", ["onnx", "torch"])
def test_news_mood_on_a_tiny_trained_head(
    tiny_dirs: dict[str, Path], headlines: list[str], backend: str
) -> None:
    feed = Feed("t", tuple(Headline(t) for t in headlines[:10]), (SkippedItem(3, "blank <title>"),))
    report = news_mood(feed, str(tiny_dirs["bert"]), backend=backend, batch_size=4)
    assert report.backend == backend
    assert report.int8 == (backend == "onnx")
    assert [p.title for p in report.predictions] == headlines[:10]
    assert [m.label for m in report.mood] == list(LABELS.values())
    assert sum(m.count for m in report.mood) == 10
    assert report.labels_meaningful
    assert report.warning is None
    doc = report.to_json()
    assert doc["skipped"] == [{"index": 3, "reason": "blank <title>"}]
    assert "int8_vs_fp32" not in doc


def test_news_mood_warns_for_a_headless_checkpoint(
    tiny_dirs: dict[str, Path], headlines: list[str]
) -> None:
    feed = Feed("t", tuple(Headline(t) for t in headlines[:3]))
    report = news_mood(feed, str(tiny_dirs["base"]), check_agreement=True)
    assert report.backend == "onnx"  # the untrained head's warning carries over to ONNX
    assert not report.labels_meaningful
    assert "randomly initialised" in (report.warning or "")
    assert report.int8_vs_fp32 is not None
    assert report.int8_vs_fp32.margin_correlation is not None
    assert report.to_json()["int8_vs_fp32"]["label_agreement"] == (
        report.int8_vs_fp32.label_agreement
    )


def test_news_mood_refuses_an_empty_feed_and_agreement_without_int8() -> None:
    empty = Feed("t", (), (SkippedItem(0, "no <title>"),))
    with pytest.raises(ParseError, match=r"no usable headline \(1 items skipped\)"):
        news_mood(empty)
    with pytest.raises(ValueError, match="needs int8"):
        news_mood(Feed("t", (Headline("a"),)), backend="torch", check_agreement=True)
    with pytest.raises(ValueError, match="backend must be one of"):
        news_mood(Feed("t", (Headline("a"),)), backend="tensorflow")
