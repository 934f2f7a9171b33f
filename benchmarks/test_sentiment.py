"""News mood on the replica (the original's architecture): the original pipeline one
headline at a time, against length-sorted batches in fp32 and in int8."""

from __future__ import annotations

import gc
from functools import partial
from typing import Any

import pytest
import torch

from stockbench.data import news_feed
from stockbench.metrics import trim_heap
from stockbench.news.feed import parse_feed
from stockbench.news.sentiment import (
    Prediction,
    agreement,
    classify,
    load_replica,
    max_logit_diff,
    original_pipeline,
)

from .conftest import BASELINE, HEADLINE, Measure, Sizes

# int8 against fp32 on the replica: measured 100 % of labels kept, largest logit
# difference 0.037 on the 100 bundled headlines. The bounds leave room for other CPUs'
# kernels (ARM's qnnpack rounds differently) without letting a broken path through.
MIN_INT8_AGREEMENT = 0.95
MAX_INT8_LOGIT_DIFF = 0.25


@pytest.fixture(scope="module")
def headlines(sizes: Sizes) -> list[str]:
    return parse_feed(news_feed(), limit=sizes.headlines).titles


@pytest.fixture(autouse=True)
def _release_models() -> Any:
    """Free the previous case's model so the next one's RSS starts clean."""
    yield
    gc.collect()
    trim_heap()


def measure_classify(
    measure: Measure,
    run: Any,
    headlines: list[str],
    sizes: Sizes,
    rounds: int,
    variant: str,
    role: str | None = None,
) -> list[Prediction]:
    """Time ``run(headlines)``; a sample is a headline."""
    preds: list[Prediction] = measure(
        run,
        headlines,
        samples=len(headlines),
        rounds=sizes.rounds(rounds),
        warmup_rounds=0 if sizes.smoke else 1,
        threads=torch.get_num_threads(),
        role=role,
        memory_of=("sentiment", variant),
    )
    assert [p.title for p in preds] == headlines
    return preds


@pytest.mark.benchmark(group="sentiment")
def test_sentiment_original(measure: Measure, headlines: list[str], sizes: Sizes) -> None:
    sm = load_replica()
    preds = measure_classify(
        measure,
        original_pipeline(sm),
        headlines,
        sizes,
        rounds=3,
        variant="original",
        role=BASELINE,
    )
    assert {p.label for p in preds} <= set(sm.id2label.values())


@pytest.mark.benchmark(group="sentiment")
def test_sentiment_batched_fp32(measure: Measure, headlines: list[str], sizes: Sizes) -> None:
    sm = load_replica()
    preds = measure_classify(
        measure, partial(classify, sm), headlines, sizes, rounds=5, variant="fp32"
    )
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
    preds = measure_classify(
        measure, partial(classify, sm), headlines, sizes, rounds=10, variant="int8", role=HEADLINE
    )
    kept, diff = agreement(reference, preds), max_logit_diff(reference, preds)
    benchmark.extra_info["int8_label_agreement"] = kept
    benchmark.extra_info["int8_max_abs_logit_diff"] = diff
    assert kept >= MIN_INT8_AGREEMENT
    assert diff <= MAX_INT8_LOGIT_DIFF
