"""The user's own checkout as one tarball: what the instances install and run.

In a git checkout the bundle holds what git would (tracked files and untracked ones that
are not ignored, with their uncommitted edits); elsewhere every file but build and cache
folders. The commit and whether the tree was dirty go into the status records.
"""

from __future__ import annotations

import hashlib
import os
import re
import subprocess
import tarfile
from dataclasses import dataclass
from pathlib import Path

from stockbench.errors import ConfigError

CHECKOUT = Path(__file__).resolve().parents[3]  # src/stockbench/fleet/bundle.py -> checkout
SKIP_DIRS = frozenset(
    {
        ".git",
        ".venv",
        "venv",
        ".tox",
        "__pycache__",
        ".benchmarks",
        ".mypy_cache",
        ".ruff_cache",
        ".pytest_cache",
        ".hypothesis",
        "build",
        "dist",
        "stockbench-report",
        "stockbench-fleet",
    }
)
MAX_BUNDLE_BYTES = 100 * 1024 * 1024
# only characters that are safe inside the status record's JSON and the shell script
VERSION_LINE = re.compile(r'^__version__\s*=\s*"([0-9A-Za-z.+!_-]+)"', re.MULTILINE)


@dataclass(frozen=True)
class Bundle:
    path: Path
    sha256: str
    size_bytes: int
    files: int
    version: str
    commit: str  # "unknown" outside git; "+dirty" when the tree had uncommitted edits


def find_checkout(explicit: Path | None) -> Path:
    """``explicit``, else the checkout this stockbench runs from, else the current folder."""
    candidates = [explicit] if explicit else [CHECKOUT, Path.cwd()]
    for root in candidates:
        if root and (root / "pyproject.toml").is_file() and (root / "benchmarks").is_dir():
            return root.resolve()
    where = explicit or Path.cwd()
    raise ConfigError(f"{where} is not a stockbench checkout (no pyproject.toml and benchmarks/)")


def _git(root: Path, *args: str) -> str | None:
    try:
        done = subprocess.run(
            ["git", "-C", str(root), *args], capture_output=True, check=True, timeout=60
        )
    except (OSError, subprocess.SubprocessError):
        return None
    return done.stdout.decode("utf-8", "surrogateescape")


def source_files(root: Path) -> list[str]:
    """Relative paths of the files to ship, sorted."""
    listed = _git(root, "ls-files", "-z", "--cached", "--others", "--exclude-standard")
    if listed is not None:
        names = [n for n in listed.split("\0") if n and (root / n).is_file()]
        return sorted(n for n in names if not SKIP_DIRS.intersection(Path(n).parts))
    found: list[str] = []
    for folder, dirs, files in os.walk(root):
        dirs[:] = sorted(d for d in dirs if d not in SKIP_DIRS and not d.endswith(".egg-info"))
        found.extend(str((Path(folder) / f).relative_to(root)) for f in files)
    return sorted(found)


def commit_of(root: Path) -> str:
    head = _git(root, "rev-parse", "HEAD")
    if head is None:
        return "unknown"
    dirty = _git(root, "status", "--porcelain", "--untracked-files=no")
    return head.strip() + ("+dirty" if dirty else "")


def make_bundle(root: Path, dest: Path) -> Bundle:
    """Write ``dest`` (a .tar.gz with one top folder) and describe it."""
    init = root / "src/stockbench/__init__.py"
    match = VERSION_LINE.search(init.read_text("utf-8")) if init.is_file() else None
    names = source_files(root)
    dest.parent.mkdir(parents=True, exist_ok=True)
    with tarfile.open(dest, "w:gz") as tar:
        for name in names:
            tar.add(root / name, arcname=f"stockbench/{name}", recursive=False)
    size = dest.stat().st_size
    if size > MAX_BUNDLE_BYTES:
        raise ConfigError(
            f"the source bundle of {root} is {size // 2**20} MiB: move large untracked "
            "files out of the checkout or into .gitignore"
        )
    digest = hashlib.sha256(dest.read_bytes()).hexdigest()
    return Bundle(dest, digest, size, len(names), match[1] if match else "unknown", commit_of(root))
