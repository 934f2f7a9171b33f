"""``stockbench news`` through the CLI's ``main`` with tiny local models (no hub)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from stockbench.cli import main
from stockbench.news.sentiment import classify, load_pretrained

from ..tinymodels import LABELS


def test_json_with_a_local_model(
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


def test_text_warns_once_for_a_headless_model(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["news", "--model", str(tiny_dirs["base"]), "--limit", "3"]) == 0
    out = capsys.readouterr()
    assert out.err.count("warning:") == 1
    assert "randomly initialised" in out.err
    assert out.out.count("→") == 3
    assert "Mood of 3 headlines" in out.out


def test_int8_reports_agreement_with_fp32(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["news", "--model", str(tiny_dirs["electra"]), "--limit", "12", "--json", "--int8"]
    assert main([*argv, "--check-agreement"]) == 0
    doc = json.loads(capsys.readouterr().out)
    check = doc["int8_vs_fp32"]
    assert doc["int8"] is True
    # the labels printed are the int8 model's own, and they stay close to fp32's
    titles = [h["title"] for h in doc["headlines"]]
    int8 = classify(load_pretrained(tiny_dirs["electra"], int8=True), titles)
    assert [h["label"] for h in doc["headlines"]] == [p.label for p in int8]
    assert check["label_agreement"] >= 0.9
    assert 0.0 < check["max_abs_logit_diff"] < 0.05


def test_check_agreement_needs_int8(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["news", "--model", str(tiny_dirs["bert"]), "--check-agreement"]) == 2
    assert "add --int8" in capsys.readouterr().err
