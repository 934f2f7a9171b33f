"""ML code paths on tiny random-weight models saved to a temp dir: no hub, no internet."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import torch

from stockbench.errors import ConfigError
from stockbench.news.predictions import length_batches, margin_correlation
from stockbench.news.sentiment import (
    REPLICA_SHAPE,
    Prediction,
    agreement,
    classify,
    load_pretrained,
    load_replica,
    max_logit_diff,
    original_pipeline,
)

from ..tinymodels import LABELS


@pytest.mark.parametrize("kind", ["electra", "bert"])
def test_local_classifier_labels_come_from_id2label(
    tiny_dirs: dict[str, Path], kind: str, headlines: list[str]
) -> None:
    sm = load_pretrained(tiny_dirs[kind])
    assert sm.weights_trained
    assert sm.head_trained
    assert sm.labels_meaningful
    assert sm.warning() is None
    preds = classify(sm, headlines)
    assert {p.label for p in preds} <= set(LABELS.values())
    assert [p.title for p in preds] == headlines
    assert all(0.0 < p.score <= 1.0 and len(p.logits) == 3 for p in preds)


def test_base_checkpoint_without_head_is_flagged(tiny_dirs: dict[str, Path]) -> None:
    sm = load_pretrained(tiny_dirs["base"])
    assert sm.weights_trained
    assert not sm.head_trained
    assert "randomly initialised" in (sm.warning() or "")


def test_missing_model_is_a_config_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="cannot load sentiment model"):
        load_pretrained(tmp_path / "nothing-here", local_files_only=True)


def test_batched_and_one_at_a_time_agree(tiny_dirs: dict[str, Path], headlines: list[str]) -> None:
    sm = load_pretrained(tiny_dirs["electra"])
    one = classify(sm, headlines, batch_size=1)
    many = classify(sm, headlines, batch_size=16)
    assert [p.label for p in one] == [p.label for p in many]
    assert torch.allclose(
        torch.tensor([p.logits for p in one]), torch.tensor([p.logits for p in many]), atol=1e-4
    )


def test_original_pipeline_gives_the_same_labels(
    tiny_dirs: dict[str, Path], headlines: list[str]
) -> None:
    sm = load_pretrained(tiny_dirs["bert"])
    ours = classify(sm, headlines[:10])
    theirs = original_pipeline(sm)(headlines[:10])
    assert [p.label for p in theirs] == [p.label for p in ours]
    assert [p.score for p in theirs] == pytest.approx([p.score for p in ours], abs=1e-4)


def test_agreement_and_logit_difference_on_hand_made_predictions() -> None:
    fp32 = [
        Prediction("a", "positive", 0.9, (0.1, 2.0)),
        Prediction("b", "negative", 0.8, (1.5, -0.5)),
        Prediction("c", "positive", 0.6, (0.0, 0.4)),
    ]
    int8 = [
        Prediction("a", "positive", 0.9, (0.15, 1.9)),
        Prediction("b", "positive", 0.5, (0.2, 0.3)),
        Prediction("c", "positive", 0.6, (0.0, 0.4)),
    ]
    assert agreement(fp32, int8) == pytest.approx(2 / 3)
    assert max_logit_diff(fp32, int8) == pytest.approx(1.3)
    assert agreement([], []) == 1.0
    with pytest.raises(ValueError, match="cannot compare"):
        agreement(fp32, int8[:-1])
    # margins (second logit minus first): 1.9, -2.0, 0.4 against 1.75, 0.1, 0.4
    assert margin_correlation(fp32, int8) == pytest.approx(0.8849, abs=1e-4)
    assert margin_correlation(fp32, fp32) == pytest.approx(1.0)
    with pytest.raises(ValueError, match="at least two texts"):
        margin_correlation(fp32[:1], int8[:1])


def test_length_batches_group_similar_lengths() -> None:
    ids = [[1] * n for n in (5, 1, 3, 2, 4)]
    assert length_batches(ids, 2) == [[1, 3], [2, 4], [0]]
    assert length_batches([], 2) == []
    with pytest.raises(ValueError, match="batch_size must be >= 1"):
        length_batches(ids, 0)


def test_int8_quantises_every_linear_layer_and_stays_close_to_fp32(
    tiny_dirs: dict[str, Path], headlines: list[str]
) -> None:
    fp32 = load_pretrained(tiny_dirs["electra"])
    int8 = load_pretrained(tiny_dirs["electra"], int8=True)
    assert int8.int8
    assert not any(isinstance(m, torch.nn.Linear) for m in int8.model.modules())
    a, b = classify(fp32, headlines), classify(int8, headlines)
    assert agreement(a, b) >= 0.9
    assert 0.0 < max_logit_diff(a, b) < 0.05  # changed by quantisation, but only a little


@pytest.mark.slow
def test_replica_shape_matches_the_original_and_is_seeded(headlines: list[str]) -> None:
    small = {"num_hidden_layers": 2}
    a, b = load_replica(seed=3, **small), load_replica(seed=3, **small)
    assert a.model.config.vocab_size == REPLICA_SHAPE["vocab_size"] == 54_343
    assert a.model.config.num_hidden_layers == 2
    assert not a.labels_meaningful
    assert "meaningless" in (a.warning() or "")
    pa, pb = classify(a, headlines[:8]), classify(b, headlines[:8])
    assert [p.logits for p in pa] == [p.logits for p in pb]
    c = load_replica(seed=4, **small)
    assert [p.logits for p in classify(c, headlines[:8])] != [p.logits for p in pa]


def test_full_replica_has_the_originals_size() -> None:
    """KcELECTRA-base-v2022's shape: about 127.8 M parameters, as in the brief."""
    sm = load_replica()
    assert sm.parameter_count() == 127_778_306
    assert sm.model.config.num_hidden_layers == 12
    assert sm.model.config.intermediate_size == 3_072


@pytest.mark.slow
def test_replica_int8_fits_700_mb_peak_rss() -> None:
    """The whole process's peak (VmHWM), in a fresh process: load + 100 headlines."""
    code = (
        "from stockbench.news.sentiment import load_replica, classify\n"
        "from stockbench.data import news_feed\nfrom stockbench.news.feed import parse_feed\n"
        "from stockbench.metrics import peak_rss_bytes\n"
        "sm = load_replica(int8=True)\n"
        "preds = classify(sm, parse_feed(news_feed()).titles)\n"
        "print(len(preds), peak_rss_bytes())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, peak = map(int, done.stdout.split())
    assert count == 100
    assert peak <= 700 * 2**20, f"peak RSS {peak / 2**20:.0f} MB"
