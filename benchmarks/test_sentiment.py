"""News mood on the replica (the original's architecture): the original pipeline one
headline at a time, against length-sorted batches in fp32 and in int8."""

from __future__ import annotations

import gc
from functools import partial
from typing import Any

import pytest
import torch

from stockbench.metrics import trim_heap
from stockbench.news import bundled_feed, parse_feed
from stockbench.sentiment import (
    Prediction,
    agreement,
    classify,
    load_replica,
    max_logit_diff,
    original_pipeline,
)

from .conftest import Measure, Sizes


@pytest.fixture(scope="module")
def headlines(sizes: Sizes) -> list[str]:
    return parse_feed(bundled_feed(), limit=sizes.headlines).titles


@pytest.fixture(autouse=True)
def _release_models() -> Any:
    """Free the previous case's model so the next one's RSS starts clean."""
    yield
    gc.collect()
    trim_heap()


def measure_classify(
    measure: Measure, run: Any, headlines: list[str], sizes: Sizes, rounds: int
) -> list[Prediction]:
    """Time ``run(headlines)``; a sample is a headline."""
    preds: list[Prediction] = measure(
        run,
        headlines,
        samples=len(headlines),
        rounds=sizes.rounds(rounds),
        warmup_rounds=0 if sizes.smoke else 1,
        threads=torch.get_num_threads(),
    )
    assert [p.title for p in preds] == headlines
    return preds


@pytest.mark.benchmark(group="sentiment")
def test_sentiment_original(measure: Measure, headlines: list[str], sizes: Sizes) -> None:
    sm = load_replica()
    preds = measure_classify(measure, original_pipeline(sm), headlines, sizes, rounds=3)
    assert {p.label for p in preds} <= set(sm.id2label.values())


@pytest.mark.benchmark(group="sentiment")
def test_sentiment_batched_fp32(measure: Measure, headlines: list[str], sizes: Sizes) -> None:
    sm = load_replica()
    preds = measure_classify(measure, partial(classify, sm), headlines, sizes, rounds=5)
    reference = original_pipeline(sm)(headlines)
    assert [p.label for p in preds] == [p.label for p in reference]


@pytest.mark.benchmark(group="sentiment")
def test_sentiment_int8(
    measure: Measure, benchmark: Any, headlines: list[str], sizes: Sizes
) -> None:
    fp32 = load_replica()
    reference = classify(fp32, headlines)
    del fp32
    gc.collect()
    trim_heap()  # the int8 case's memory starts without the fp32 weights
    sm = load_replica(int8=True)
    preds = measure_classify(measure, partial(classify, sm), headlines, sizes, rounds=10)
    benchmark.extra_info["int8_label_agreement"] = agreement(reference, preds)
    benchmark.extra_info["int8_max_abs_logit_diff"] = max_logit_diff(reference, preds)
