"""Writing output files atomically: readers see the old file or the new one, never half.

Every file stockbench writes (snapshot CSVs, report Markdown/CSV, charts, saved runs)
goes through ``atomic_write_bytes``: a temporary file in the same folder, flushed and
fsynced, then renamed over the target. The temporary file is removed on any failure,
Ctrl-C included, and the result gets the permissions the user's umask gives new files.
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


_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


def safe_stem(name: str, *, default: str = "unnamed") -> str:
    """A file name made from ``name`` (a job, case or instance read from an input file)
    that stays inside the folder it is joined to: no separators, no ``..``, no dotfile."""
    stem = _UNSAFE.sub("_", name).strip("._")[:100]
    return stem or default
