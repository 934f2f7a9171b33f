"""The ONNX backend of news mood on tiny models built from a config (ELECTRA and BERT
shapes, Korean labels): export once into the session's cache, run with no torch, stay
with the torch model's tokens, labels and logits, and refuse stale exports."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
import torch

from stockbench.cache import StaleExport
from stockbench.data import news_feed
from stockbench.news.feed import parse_feed
from stockbench.news.models import model_fingerprint
from stockbench.news.onnx_runtime import (
    classify_onnx,
    ensure_export,
    load_onnx,
    sentiment_slot,
)
from stockbench.news.predictions import agreement, margin_correlation, max_logit_diff
from stockbench.news.sentiment import classify, load_pretrained

from ..freshpython import run_python
from ..tinymodels import LABELS, save, train_tiny_classifier

pytestmark = pytest.mark.slow  # each export runs torch's exporter: seconds


@pytest.mark.parametrize("kind", ["electra", "bert"])
def test_export_runs_like_the_torch_model(
    tiny_dirs: dict[str, Path], kind: str, headlines: list[str]
) -> None:
    manifest, _ = ensure_export(str(tiny_dirs[kind]))
    assert set(manifest.files) >= {"model.onnx", "tokenizer.json"}
    assert manifest.meta["id2label"] == {str(k): v for k, v in LABELS.items()}
    again, made = ensure_export(str(tiny_dirs[kind]))
    assert (again, made) == (manifest, False)  # a cache hit: nothing exported twice

    onnx = load_onnx(str(tiny_dirs[kind]))
    fp32 = load_pretrained(tiny_dirs[kind])
    onnx.tokenizer.enable_truncation(128)
    ours = [e.ids for e in onnx.tokenizer.encode_batch(headlines)]
    assert ours == fp32.tokenizer(headlines, truncation=True, max_length=128)["input_ids"]
    a, b = classify(fp32, headlines), classify_onnx(onnx, headlines, batch_size=7)
    assert [p.title for p in b] == headlines
    assert {p.label for p in b} <= set(LABELS.values())
    assert onnx.labels_meaningful
    assert onnx.warning() is None
    assert agreement(a, b) >= 0.9
    assert max_logit_diff(a, b) < 0.05
    assert margin_correlation(a, b) >= 0.98


def test_untrained_head_warning_carries_over(tiny_dirs: dict[str, Path]) -> None:
    ensure_export(str(tiny_dirs["base"]))
    onnx = load_onnx(str(tiny_dirs["base"]))
    assert not onnx.labels_meaningful
    assert "randomly initialised" in (onnx.warning() or "")


def test_a_changed_model_is_exported_again(
    tiny_dirs: dict[str, Path], tmp_path: Path, headlines: list[str]
) -> None:
    folder = tmp_path / "electra"
    shutil.copytree(tiny_dirs["electra"], folder)
    ensure_export(str(folder))
    first = classify_onnx(load_onnx(str(folder)), headlines)
    before = model_fingerprint(str(folder))
    model = load_pretrained(folder).model
    with torch.no_grad():
        model.classifier.out_proj.weight.mul_(-1.0)  # a fine-tuned head, say
    save(model, folder)
    assert model_fingerprint(str(folder)) != before
    with pytest.raises(StaleExport, match="the model changed"):
        load_onnx(str(folder))
    _, made = ensure_export(str(folder))
    assert made
    second = classify_onnx(load_onnx(str(folder)), headlines)
    assert [p.logits for p in second] != [p.logits for p in first]
    torch_now = classify(load_pretrained(folder), headlines)
    assert max_logit_diff(torch_now, second) < 0.05


def test_a_damaged_export_is_refused_then_replaced(tiny_dirs: dict[str, Path]) -> None:
    spec = str(tiny_dirs["bert"])
    ensure_export(spec)
    model = sentiment_slot(spec).file("model.onnx")
    data = bytearray(model.read_bytes())
    data[len(data) // 2] ^= 0xFF
    model.write_bytes(bytes(data))
    with pytest.raises(StaleExport, match=r"model\.onnx is damaged"):
        load_onnx(spec)
    assert ensure_export(spec)[1]
    load_onnx(spec)


def test_int8_onnx_keeps_a_trained_classifiers_labels(
    tmp_path: Path, tiny_dirs: dict[str, Path]
) -> None:
    """A tiny classifier trained on the bundled headlines (labels from a keyword rule):
    its labels differ from headline to headline, so agreement means something."""
    titles = parse_feed(news_feed(), limit=None).titles
    folder = train_tiny_classifier(tmp_path / "trained", titles)
    fp32 = classify(load_pretrained(folder), titles)
    assert len({p.label for p in fp32}) == 3  # it did learn: every label is used
    ensure_export(str(folder))
    int8 = classify_onnx(load_onnx(str(folder)), titles)
    assert agreement(fp32, int8) >= 0.95
    assert margin_correlation(fp32, int8) >= 0.98


NO_TORCH = """
import json, sys
from stockbench.data import news_feed
from stockbench.news.feed import parse_feed
from stockbench.news.mood import news_mood
from stockbench.coldstart import run
feed = parse_feed(news_feed(), limit=5)
report = news_mood(feed, sys.argv[1])
cold = run("sentiment", "onnx", 3, model=sys.argv[1])
heavy = sorted({m.split(".")[0] for m in sys.modules} & {"torch", "transformers", "onnx"})
print(json.dumps({"n": len(report.predictions), "cold": cold["samples"], "heavy": heavy}))
"""


def test_the_onnx_path_imports_no_torch(tiny_dirs: dict[str, Path]) -> None:
    ensure_export(str(tiny_dirs["electra"]))
    done = run_python(NO_TORCH, str(tiny_dirs["electra"]))
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout) == {"n": 5, "cold": 3, "heavy": []}
