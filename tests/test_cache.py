"""The export cache without any model: where it lives, what makes an export stale or
damaged, and that an interrupted export leaves nothing behind."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

from stockbench import cache
from stockbench.cache import ExportSlot, Manifest, StaleExport, Wanted, cache_dir, tool_versions

WANTED = Wanted("demo", "some/model", "print-1", 1, ("model.onnx",))


def build(folder: Path) -> dict[str, Any]:
    (folder / "model.onnx").write_bytes(b"weights" * 100)
    (folder / "tokenizer.json").write_text("{}")
    return {"answer": 42}


def publish(slot: ExportSlot) -> Manifest:
    return slot.publish(build, tool_versions())


def test_cache_dir_from_env_and_xdg(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STOCKBENCH_CACHE", str(tmp_path / "mine"))
    assert cache_dir() == tmp_path / "mine"
    monkeypatch.delenv("STOCKBENCH_CACHE")
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "xdg"))
    assert cache_dir() == tmp_path / "xdg" / "stockbench"


def test_publish_then_check_round_trip(tmp_path: Path) -> None:
    slot = ExportSlot(WANTED, tmp_path)
    with pytest.raises(StaleExport, match="not exported yet"):
        slot.check()
    made = publish(slot)
    assert slot.check() == made
    assert made.meta == {"answer": 42}
    assert set(made.files) == {"model.onnx", "tokenizer.json"}
    assert made.size_bytes() == 702
    assert made.versions["onnxruntime"] == tool_versions()["onnxruntime"]
    assert [p.name for p in (tmp_path / "onnx").iterdir()] == [slot.path.name]


@pytest.mark.parametrize(
    ("changed", "reason"),
    [
        ({"fingerprint": "print-2"}, "the model changed"),
        ({"recipe": 2}, "export recipe 1, this stockbench uses 2"),
        ({"files": ("model.onnx", "vocab.txt")}, "lacks vocab.txt"),
    ],
)
def test_a_changed_model_or_recipe_is_stale(
    tmp_path: Path, changed: dict[str, Any], reason: str
) -> None:
    publish(ExportSlot(WANTED, tmp_path))
    other = ExportSlot(Wanted(**{**WANTED.__dict__, **changed}), tmp_path)
    with pytest.raises(StaleExport, match=reason):
        other.check()


def test_unknown_fingerprint_takes_any_export_of_the_spec(tmp_path: Path) -> None:
    publish(ExportSlot(WANTED, tmp_path))
    ExportSlot(Wanted(**{**WANTED.__dict__, "fingerprint": None}), tmp_path).check()


def rewrite_manifest(slot: ExportSlot, **changes: Any) -> None:
    path = slot.path / cache.MANIFEST
    doc = json.loads(path.read_text())
    doc.update(changes)
    path.write_text(json.dumps(doc))


def test_other_tool_versions_are_stale_only_where_it_could_re_export(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slot = ExportSlot(WANTED, tmp_path)
    publish(slot)
    rewrite_manifest(slot, versions={**tool_versions(), "onnx": "0.0.1"})
    with pytest.raises(StaleExport, match=r"made with onnx 0\.0\.1, this install has"):
        slot.check()
    # a runtime-only install (no torch) cannot make another: it uses this one
    monkeypatch.setattr(cache, "missing_export_tools", lambda: ["torch"])
    slot.check()


def test_damaged_files_are_never_trusted(tmp_path: Path) -> None:
    slot = ExportSlot(WANTED, tmp_path)
    publish(slot)
    model = slot.file("model.onnx")
    model.write_bytes(b"Weights" + model.read_bytes()[7:])  # same size, other bytes
    with pytest.raises(StaleExport, match=r"model\.onnx is damaged"):
        slot.check()
    model.write_bytes(b"weights")
    with pytest.raises(StaleExport, match=r"model\.onnx has 7 bytes, the manifest says 700"):
        slot.check()
    model.unlink()
    with pytest.raises(StaleExport, match=r"model\.onnx is missing"):
        slot.check()
    (slot.path / cache.MANIFEST).write_text("{not json")
    with pytest.raises(StaleExport, match="manifest is unreadable"):
        slot.check()


def test_verified_files_are_not_hashed_again_until_touched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    slot = ExportSlot(WANTED, tmp_path)
    publish(slot)
    hashed: list[str] = []
    real = cache.sha256_file
    monkeypatch.setattr(cache, "sha256_file", lambda p: hashed.append(p.name) or real(p))
    slot.check()
    assert hashed == []
    os.utime(slot.file("tokenizer.json"))  # a write of the same bytes: ctime moves on
    slot.check()
    assert hashed == ["tokenizer.json"]
    slot.check()
    assert hashed == ["tokenizer.json"]


def test_an_interrupted_export_leaves_the_old_one_and_no_half_folder(tmp_path: Path) -> None:
    slot = ExportSlot(WANTED, tmp_path)
    old = publish(slot)

    def interrupted(folder: Path) -> dict[str, Any]:
        (folder / "model.onnx").write_bytes(b"half a mod")
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        slot.publish(interrupted, tool_versions())
    assert slot.check() == old
    assert [p.name for p in (tmp_path / "onnx").iterdir()] == [slot.path.name]


def test_a_new_export_replaces_the_old_and_orphans_are_swept(tmp_path: Path) -> None:
    slot = ExportSlot(WANTED, tmp_path)
    publish(slot)
    orphan = tmp_path / "onnx" / ".tmp-999999999-abc"  # a pid no process has
    orphan.mkdir()
    (orphan / "model.onnx").write_bytes(b"x")
    newer = ExportSlot(Wanted(**{**WANTED.__dict__, "fingerprint": "print-2"}), tmp_path)
    assert newer.path == slot.path  # one folder per spec: the new export replaces the old
    made = publish(newer)
    assert newer.check() == made
    assert sorted(p.name for p in (tmp_path / "onnx").iterdir()) == [slot.path.name]


def test_missing_export_tools_are_named(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(cache, "missing_export_tools", lambda: ["onnx", "onnxscript"])
    with pytest.raises(cache.ConfigError, match="needs onnx, onnxscript, which this install"):
        cache.require_export_tools("the LSTM")
