"""Writing output files atomically: readers see the old file or the new one, never half.

Every file stockbench writes (snapshot CSVs, report Markdown/CSV, charts, saved runs)
goes through ``atomic_write_bytes``: a temporary file in the same folder, flushed and
fsynced, then renamed over the target. The temporary file is removed on any failure,
Ctrl-C included, and the result gets the permissions the user's umask gives new files.

``why_unwritable``/``why_unwritable_folder`` say, before a job starts its work, why its
output could not be written later (a folder where a file belongs, a missing or read-only
place), by trying what the write will do: create a file in that folder.
"""

from __future__ import annotations

import os
import re
import tempfile
from pathlib import Path


def _umask() -> int:
    mask = os.umask(0)
    os.umask(mask)
    return mask


def atomic_write_bytes(path: Path, data: bytes) -> None:
    """Write ``data`` to ``path`` atomically, creating missing parent folders."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        # mkstemp creates 0600 files; an output file gets what any new file would.
        os.chmod(tmp, 0o666 & ~_umask())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def atomic_write_text(path: Path, text: str, encoding: str = "utf-8") -> None:
    """``atomic_write_bytes`` of ``text`` encoded with ``encoding`` (newlines kept as is)."""
    atomic_write_bytes(path, text.encode(encoding))


def _probe(folder: Path) -> str | None:
    try:
        fd, tmp = tempfile.mkstemp(prefix=".stockbench-probe.", dir=folder)
    except OSError as exc:
        return f"cannot write in {folder} ({exc.strerror or exc})"
    os.close(fd)
    os.unlink(tmp)
    return None


def why_unwritable(path: Path) -> str | None:
    """Why a file could not be written at ``path`` (its folder must exist), or None."""
    if path.is_dir():
        return "is a folder, not a file"
    if not path.parent.is_dir():
        return f"folder {path.parent} does not exist"
    return _probe(path.parent)


def why_unwritable_folder(folder: Path) -> str | None:
    """Why files could not be written into ``folder`` (created if missing), or None."""
    if folder.exists() and not folder.is_dir():
        return "is a file, not a folder"
    existing = folder
    while not existing.exists() and existing != existing.parent:
        existing = existing.parent
    if not existing.is_dir():
        return f"{existing} is a file, not a folder"
    return _probe(existing)


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_stem(name: str, *, default: str = "unnamed") -> str:
    """A file name made from ``name`` (a job, case or instance read from an input file)
    that stays inside the folder it is joined to: no separators, no ``..``, no dotfile."""
    stem = _UNSAFE.sub("_", name).strip("._")[:100]
    return stem or default
