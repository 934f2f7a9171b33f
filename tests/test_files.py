"""Atomic output files: all or nothing, the user's permissions, names that stay put."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from stockbench.files import (
    atomic_write_bytes,
    atomic_write_text,
    safe_stem,
    why_unwritable,
    why_unwritable_folder,
)


def test_writes_creates_parents_and_replaces(tmp_path: Path) -> None:
    target = tmp_path / "a" / "b" / "out.csv"
    atomic_write_text(target, "first\n")
    atomic_write_text(target, "이름,코드\n", encoding="utf-8-sig")
    assert target.read_bytes() == "\ufeff이름,코드\n".encode()
    assert [p.name for p in target.parent.iterdir()] == ["out.csv"]


def test_permissions_follow_the_umask(tmp_path: Path) -> None:
    old = os.umask(0o027)
    try:
        atomic_write_bytes(tmp_path / "x.bin", b"1")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "x.bin").stat().st_mode) == 0o640


def test_a_failed_write_leaves_the_old_file_and_no_temporary(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    target = tmp_path / "keep.txt"
    target.write_text("old")

    def interrupted(src: object, dst: object) -> None:
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", interrupted)
    with pytest.raises(KeyboardInterrupt):
        atomic_write_text(target, "new")
    assert target.read_text() == "old"
    assert [p.name for p in tmp_path.iterdir()] == ["keep.txt"]


@pytest.mark.parametrize(
    ("name", "stem"),
    [
        ("m5.large", "m5.large"),
        ("cold_start:lstm", "cold_start_lstm"),
        ("../../x", "x"),
        ("/etc/passwd", "etc_passwd"),
        ("..", "unnamed"),
        ("", "unnamed"),
        (".hidden", "hidden"),
    ],
)
def test_safe_stem_stays_inside_its_folder(name: str, stem: str, tmp_path: Path) -> None:
    assert safe_stem(name) == stem
    assert (tmp_path / safe_stem(name)).resolve().parent == tmp_path.resolve()


def test_why_unwritable_names_what_is_wrong_without_writing_the_target(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    assert why_unwritable(tmp_path / "new.csv") is None
    assert why_unwritable(tmp_path / "file.txt") is None  # replaced, not appended to
    assert why_unwritable(tmp_path) == "is a folder, not a file"
    assert why_unwritable(tmp_path / "no" / "x.csv") == f"folder {tmp_path / 'no'} does not exist"
    assert (why_unwritable(Path("/proc/x.csv")) or "").startswith("cannot write in /proc (")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["file.txt"]  # the probe is gone


def test_why_unwritable_folder(tmp_path: Path) -> None:
    (tmp_path / "file.txt").write_text("x")
    assert why_unwritable_folder(tmp_path / "a" / "b") is None  # created with its parents
    assert why_unwritable_folder(tmp_path / "file.txt") == "is a file, not a folder"
    assert why_unwritable_folder(tmp_path / "file.txt" / "sub") == (
        f"{tmp_path / 'file.txt'} is a file, not a folder"
    )
    assert not (tmp_path / "a").exists()
