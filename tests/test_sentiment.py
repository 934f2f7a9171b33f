"""ML code paths on tiny random-weight models saved to a temp dir: no hub, no internet."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
import torch
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    ElectraConfig,
    ElectraForSequenceClassification,
    ElectraModel,
)

from stockbench.cli import main
from stockbench.errors import ConfigError
from stockbench.news import bundled_feed, parse_feed
from stockbench.sentiment import (
    REPLICA_SHAPE,
    Prediction,
    agreement,
    classify,
    load_pretrained,
    load_replica,
    mood,
    original_pipeline,
    replica_tokenizer,
)

LABELS = {0: "negative", 1: "neutral", 2: "positive"}
TINY = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 48,
    "max_position_embeddings": 64,
}


@pytest.fixture(scope="module")
def headlines() -> list[str]:
    return parse_feed(bundled_feed(), limit=40).titles


def _save(model: torch.nn.Module, path: Path) -> Path:
    model.save_pretrained(path)  # type: ignore[operator]
    replica_tokenizer().save_pretrained(path)
    return path


@pytest.fixture(scope="module")
def tiny_dirs(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    vocab = replica_tokenizer().vocab_size
    torch.manual_seed(0)
    root = tmp_path_factory.mktemp("models")
    electra = ElectraForSequenceClassification(
        ElectraConfig(
            vocab_size=vocab,
            embedding_size=16,
            id2label=LABELS,
            label2id={v: k for k, v in LABELS.items()},
            **TINY,
        )
    )
    bert = BertForSequenceClassification(
        BertConfig(
            vocab_size=vocab, id2label=LABELS, label2id={v: k for k, v in LABELS.items()}, **TINY
        )
    )
    base = ElectraModel(ElectraConfig(vocab_size=vocab, embedding_size=16, **TINY))
    return {
        "electra": _save(electra, root / "electra"),
        "bert": _save(bert, root / "bert"),
        "base": _save(base, root / "base"),
    }


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


def test_int8_agreement_is_computed(tiny_dirs: dict[str, Path], headlines: list[str]) -> None:
    fp32 = classify(load_pretrained(tiny_dirs["electra"]), headlines)
    int8_model = load_pretrained(tiny_dirs["electra"], int8=True)
    assert int8_model.int8
    int8 = classify(int8_model, headlines)
    rate = agreement(fp32, int8)
    assert rate == sum(a.label == b.label for a, b in zip(fp32, int8, strict=True)) / len(fp32)
    assert 0.0 <= rate <= 1.0
    with pytest.raises(ValueError, match="cannot compare"):
        agreement(fp32, int8[:-1])


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


def test_cli_news_json_with_a_local_model(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["news", "--model", str(tiny_dirs["bert"]), "--limit", "7", "--json"]) == 0
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert doc["model"] == str(tiny_dirs["bert"])
    assert doc["weights_trained"] is True
    assert len(doc["headlines"]) == 7
    assert {h["label"] for h in doc["headlines"]} <= set(LABELS.values())
    assert sum(m["count"] for m in doc["mood"].values()) == 7
    assert out.err == ""


def test_cli_news_text_warns_once_for_a_headless_model(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["news", "--model", str(tiny_dirs["base"]), "--limit", "3"]) == 0
    out = capsys.readouterr()
    assert out.err.count("warning:") == 1
    assert "randomly initialised" in out.err
    assert out.out.count("→") == 3
    assert "Mood of 3 headlines" in out.out


def test_cli_news_int8_reports_agreement_with_fp32(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["news", "--model", str(tiny_dirs["electra"]), "--limit", "12", "--json", "--int8"]
    assert main([*argv, "--check-agreement"]) == 0
    doc = json.loads(capsys.readouterr().out)
    check = doc["int8_vs_fp32"]
    assert doc["int8"] is True
    assert 0.0 <= check["label_agreement"] <= 1.0
    assert check["max_abs_logit_diff"] >= 0.0
    fp32 = classify(load_pretrained(tiny_dirs["electra"]), [h["title"] for h in doc["headlines"]])
    int8_labels = [h["label"] for h in doc["headlines"]]
    expected = sum(a.label == b for a, b in zip(fp32, int8_labels, strict=True)) / len(fp32)
    assert check["label_agreement"] == pytest.approx(expected)


def test_cli_check_agreement_needs_int8(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["news", "--model", str(tiny_dirs["bert"]), "--check-agreement"]) == 2
    assert "add --int8" in capsys.readouterr().err


def test_replica_int8_fits_700_mb_peak_rss() -> None:
    """The whole process's peak (VmHWM), in a fresh process: load + 100 headlines."""
    code = (
        "from stockbench.sentiment import load_replica, classify\n"
        "from stockbench.news import parse_feed, bundled_feed\n"
        "from stockbench.metrics import peak_rss_bytes\n"
        "sm = load_replica(int8=True)\n"
        "preds = classify(sm, parse_feed(bundled_feed()).titles)\n"
        "print(len(preds), peak_rss_bytes())\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    count, peak = map(int, done.stdout.split())
    assert count == 100
    assert peak <= 700 * 2**20, f"peak RSS {peak / 2**20:.0f} MB"
