"""News mood on the replica (the original's architecture): the original pipeline one
headline at a time, against length-sorted batches in fp32, torch int8 and ONNX Runtime
int8 (the cached export ``stockbench news`` runs by default)."""

from __future__ import annotations

import gc
from functools import partial
from typing import Any

import pytest
import torch

from stockbench.metrics import trim_heap
from stockbench.news.models import REPLICA
from stockbench.news.onnx_runtime import classify_onnx, load_onnx
from stockbench.news.predictions import margin_correlation
from stockbench.news.sentiment import (
    Prediction,
    agreement,
    classify,
    load_replica,
    max_logit_diff,
    original_pipeline,
)

from .conftest import (
    BASELINE,
    HEADLINE,
    MAX_LOGIT_DIFF,
    MIN_LABEL_AGREEMENT,
    Measure,
    Sizes,
    check_sentiment,
)


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
    measure: Measure,
    benchmark: Any,
    headlines: list[str],
    sizes: Sizes,
    fp32_reference: list[Prediction],
) -> None:
    sm = load_replica(int8=True)
    preds = measure_classify(
        measure, partial(classify, sm), headlines, sizes, rounds=10, variant="int8"
    )
    kept, diff = agreement(fp32_reference, preds), max_logit_diff(fp32_reference, preds)
    benchmark.extra_info["int8_label_agreement"] = kept
    benchmark.extra_info["int8_max_abs_logit_diff"] = diff
    benchmark.extra_info["int8_margin_correlation"] = margin_correlation(fp32_reference, preds)
    assert kept >= MIN_LABEL_AGREEMENT
    assert diff <= MAX_LOGIT_DIFF


@pytest.mark.benchmark(group="sentiment")
def test_sentiment_onnx_int8(
    measure: Measure,
    benchmark: Any,
    headlines: list[str],
    sizes: Sizes,
    fp32_reference: list[Prediction],
    onnx_exports: None,
) -> None:
    """The ONNX Runtime int8 export, warm, next to torch int8 (same threads)."""
    model = load_onnx(REPLICA, threads=torch.get_num_threads())
    preds = measure_classify(
        measure,
        partial(classify_onnx, model),
        headlines,
        sizes,
        rounds=10,
        variant="onnx",
        role=HEADLINE,  # what `stockbench news` runs by default
    )
    result = {"labels": [p.label for p in preds], "logits": [list(p.logits) for p in preds]}
    check_sentiment("onnx", result, fp32_reference, benchmark.extra_info)
    benchmark.extra_info["backend"] = "onnx"
