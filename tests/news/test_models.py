"""Model specs without loading a model: canonical names and fingerprints that change
when, and only when, the model's files do."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from stockbench.news.models import REPLICA, canonical_spec, model_fingerprint


def test_replica_fingerprint_is_stable() -> None:
    assert model_fingerprint(REPLICA) == model_fingerprint(REPLICA) is not None
    assert canonical_spec(REPLICA) == REPLICA


def test_folder_fingerprint_follows_its_files(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    folder = tmp_path / "model"
    folder.mkdir()
    (folder / "config.json").write_text("{}")
    (folder / "model.safetensors").write_bytes(b"w" * 10)
    monkeypatch.chdir(tmp_path)
    assert canonical_spec("model") == str(folder)
    first = model_fingerprint("model")
    assert model_fingerprint(str(folder)) == first
    (folder / ".lock").write_text("")  # hidden files are not the model
    assert model_fingerprint(str(folder)) == first
    os.utime(folder / "model.safetensors", ns=(1, 1))  # re-saved weights
    assert model_fingerprint(str(folder)) != first


def test_hub_model_never_downloaded_here_has_no_fingerprint() -> None:
    assert canonical_spec("nobody/no-such-model") == "nobody/no-such-model"
    assert model_fingerprint("nobody/no-such-model") is None
