"""The source bundle: the user's checkout as git sees it, and what the package ships."""

from __future__ import annotations

import subprocess
import tarfile
from pathlib import Path

import pytest

from stockbench.errors import ConfigError
from stockbench.fleet.bundle import find_checkout, make_bundle

ROOT = Path(__file__).resolve().parents[1]


def checkout(root: Path) -> Path:
    (root / "benchmarks").mkdir(parents=True)
    (root / "benchmarks" / "conftest.py").write_text("")
    (root / "pyproject.toml").write_text("[project]\nname = 'stockbench'\n")
    (root / "src" / "stockbench").mkdir(parents=True)
    (root / "src" / "stockbench" / "__init__.py").write_text('__version__ = "9.8.7"\n')
    (root / ".gitignore").write_text("secret.txt\n")
    (root / "secret.txt").write_text("ignored")
    (root / ".venv" / "bin").mkdir(parents=True)
    (root / ".venv" / "bin" / "python").write_text("")
    (root / ".benchmarks").mkdir()
    (root / ".benchmarks" / "0001_old.json").write_text("{}")
    return root


def names(bundle: Path) -> list[str]:
    with tarfile.open(bundle) as tar:
        return sorted(tar.getnames())


def git(root: Path, *args: str) -> None:
    subprocess.run(
        ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@t.invalid", *args],
        check=True,
        capture_output=True,
    )


def test_a_git_checkout_ships_what_git_would_with_uncommitted_edits(tmp_path: Path) -> None:
    root = checkout(tmp_path / "co")
    git(root, "init", "-q")
    git(root, "add", "-A")
    git(root, "commit", "-qm", "first")
    (root / "benchmarks" / "conftest.py").write_text("# edited\n")
    (root / "new_module.py").write_text("")  # untracked, not ignored
    bundle = make_bundle(root, tmp_path / "out" / "source.tar.gz")
    assert names(bundle.path) == [
        "stockbench/.gitignore",
        "stockbench/benchmarks/conftest.py",
        "stockbench/new_module.py",
        "stockbench/pyproject.toml",
        "stockbench/src/stockbench/__init__.py",
    ]
    assert bundle.version == "9.8.7"
    assert bundle.commit.endswith("+dirty")
    assert len(bundle.commit) == 40 + len("+dirty")
    with tarfile.open(bundle.path) as tar:
        member = tar.extractfile("stockbench/benchmarks/conftest.py")
        assert member is not None
        assert member.read() == b"# edited\n"


def test_outside_git_build_and_cache_folders_stay_home(tmp_path: Path) -> None:
    root = checkout(tmp_path / "co")
    bundle = make_bundle(root, tmp_path / "source.tar.gz")
    assert "stockbench/secret.txt" in names(bundle.path)  # no git: nothing says it is ignored
    assert not [n for n in names(bundle.path) if "/.venv/" in n or "/.benchmarks/" in n]
    assert bundle.commit == "unknown"


def test_a_folder_that_is_not_a_checkout_is_refused(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match="is not a stockbench checkout"):
        find_checkout(tmp_path)
