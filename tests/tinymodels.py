"""Tiny random-weight models built from a config and saved to a folder: what the ML
tests load instead of a hub download (ELECTRA and BERT classifiers, a headless base),
and a tiny classifier trained in seconds on the bundled headlines, whose labels differ
from headline to headline as a real sentiment model's do."""

from __future__ import annotations

import re
from collections.abc import Sequence
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
from stockbench.threads import torch_threads

LABELS = {0: "부정", 1: "중립", 2: "긍정"}  # what a Korean finance model names them
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


UP = re.compile("상승|강세|증가|상향|순매수|급등|회복|호조|웃돌|상한가|플러스|인하")
DOWN = re.compile("하락|약세|감소|적자|급락|순매도|부진|쇼크|하회|내줘|내린|우려")


def keyword_label(title: str) -> int:
    """The rule the trained classifier learns: 긍정 and 부정 words, else 중립."""
    up, down = bool(UP.search(title)), bool(DOWN.search(title))
    return 2 if up and not down else 0 if down and not up else 1


def train_tiny_classifier(path: Path, headlines: Sequence[str], steps: int = 100) -> Path:
    """A tiny BERT classifier fitted to ``keyword_label`` on ``headlines`` (seeded, a few
    seconds on one CPU thread: two threads on a shared 2-core machine spin 10x slower),
    saved to ``path``."""
    tokenizer = replica_tokenizer()
    torch.manual_seed(0)
    model = BertForSequenceClassification(
        BertConfig(
            vocab_size=tokenizer.vocab_size,
            id2label=LABELS,
            label2id={v: k for k, v in LABELS.items()},
            **TINY,
        )
    )
    batch = tokenizer(
        list(headlines), padding=True, truncation=True, max_length=64, return_tensors="pt"
    )
    labels = torch.tensor([keyword_label(t) for t in headlines])
    optimiser = torch.optim.AdamW(model.parameters(), lr=3e-3)
    model.train()
    with torch_threads(1):
        for _ in range(steps):
            optimiser.zero_grad()
            loss = model(**batch, labels=labels).loss
            loss.backward()
            optimiser.step()
    return save(model.eval(), path)
