"""Tiny random-weight models built from a config and saved to a folder: what the ML
tests load instead of a hub download (ELECTRA and BERT classifiers, a headless base)."""

from __future__ import annotations

from pathlib import Path

import torch
from transformers import (
    BertConfig,
    BertForSequenceClassification,
    ElectraConfig,
    ElectraForSequenceClassification,
    ElectraModel,
)

from stockbench.news.sentiment import replica_tokenizer

LABELS = {0: "negative", 1: "neutral", 2: "positive"}
TINY = {
    "hidden_size": 32,
    "num_hidden_layers": 2,
    "num_attention_heads": 2,
    "intermediate_size": 48,
    "max_position_embeddings": 64,
}


def save(model: torch.nn.Module, path: Path) -> Path:
    model.save_pretrained(path)  # type: ignore[operator]
    replica_tokenizer().save_pretrained(path)
    return path


def build_tiny_models(root: Path) -> dict[str, Path]:
    """``electra`` and ``bert`` classifiers with Korean-finance labels, and ``base``, an
    ELECTRA checkpoint with no classification head (the original study's situation)."""
    vocab = replica_tokenizer().vocab_size
    torch.manual_seed(0)
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
        "electra": save(electra, root / "electra"),
        "bert": save(bert, root / "bert"),
        "base": save(base, root / "base"),
    }
