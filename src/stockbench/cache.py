"""What stockbench builds once and keeps: ONNX exports of the ML jobs' models.

``cache_dir()`` is ``$STOCKBENCH_CACHE``, else the user's cache folder
(``$XDG_CACHE_HOME/stockbench`` or ``~/.cache/stockbench``; ``~/Library/Caches/stockbench``
on macOS, ``%LOCALAPPDATA%\\stockbench`` on Windows).

Each export has a folder of its own, ``<cache>/onnx/<kind>-<name>-<hash>/``: its files and a
``manifest.json`` naming the model (spec and fingerprint), the recipe, the versions of the
tools that made it, and each file's size and SHA-256. ``ExportSlot.check`` uses a folder
only when all of them still hold; ``ExportSlot.publish`` builds an export in a temporary
folder beside it and renames it into place when complete, so an interrupted export leaves
nothing that could be taken for one.

Hashing a 129 MB model costs 0.1-0.3 s, as much as classifying the day's headlines, so a
file is re-hashed only when its ``stat`` (size, mtime, ctime, inode) differs from the last
time it was verified (``verified.json``), as git does for its index: any write to a file
changes its ctime, which no user tool can set back.
"""

from __future__ import annotations

import contextlib
import hashlib
import importlib.util
import json
import os
import shutil
import sys
import tempfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

import psutil

from stockbench.errors import ConfigError
from stockbench.files import atomic_write_text, safe_stem

MANIFEST = "manifest.json"
VERIFIED = "verified.json"
# The packages an export is made with; the runtime needs only onnxruntime of them.
EXPORT_TOOLS = ("torch", "transformers", "onnx", "onnxscript", "onnxruntime")
Progress = Callable[[str], None]


def cache_dir() -> Path:
    """``$STOCKBENCH_CACHE``, else the platform's per-user cache folder + ``stockbench``."""
    explicit = os.environ.get("STOCKBENCH_CACHE")
    if explicit:
        return Path(explicit).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA") or Path.home() / "AppData/Local")
    elif sys.platform == "darwin":
        base = Path.home() / "Library/Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "stockbench"


def tool_versions() -> dict[str, str | None]:
    """Installed versions of the export tools (None: absent), read without importing them."""
    found: dict[str, str | None] = {}
    for name in EXPORT_TOOLS:
        try:
            found[name] = version(name)
        except PackageNotFoundError:
            found[name] = None
    return found


def missing_export_tools() -> list[str]:
    """The export tools that cannot be imported here (empty: exporting is possible)."""
    return [name for name in EXPORT_TOOLS if importlib.util.find_spec(name) is None]


def require_export_tools(what: str) -> None:
    missing = missing_export_tools()
    if missing:
        raise ConfigError(
            f"exporting {what} to ONNX needs {', '.join(missing)}, which this install lacks "
            f"(the runtime-only install cannot export): install stockbench with its "
            f"dependencies, or copy an export made elsewhere into {cache_dir() / 'onnx'}"
        )


def sha256_file(path: Path) -> str:
    with path.open("rb") as fh:
        return hashlib.file_digest(fh, "sha256").hexdigest()


def _stat_key(path: Path) -> list[int]:
    st = path.stat()
    return [st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino]


@dataclass(frozen=True)
class Wanted:
    """What an export must have been made from. ``fingerprint`` None: the model's files
    are not here to compare (a hub id never downloaded here), so any export of the spec
    will do."""

    kind: str
    spec: str
    fingerprint: str | None
    recipe: int
    files: tuple[str, ...]  # the files the runtime opens


@dataclass(frozen=True)
class Manifest:
    kind: str
    spec: str
    fingerprint: str | None
    recipe: int
    versions: dict[str, str | None]
    files: dict[str, dict[str, Any]]  # name -> {"bytes": n, "sha256": hex}
    meta: dict[str, Any] = field(default_factory=dict)  # what the job's runtime needs

    @classmethod
    def from_json(cls, doc: Any) -> Manifest:
        if not isinstance(doc, dict):
            raise ValueError("not a JSON object")
        return cls(
            kind=str(doc["kind"]),
            spec=str(doc["spec"]),
            fingerprint=doc["fingerprint"],
            recipe=int(doc["recipe"]),
            versions=dict(doc["versions"]),
            files={str(k): dict(v) for k, v in doc["files"].items()},
            meta=dict(doc.get("meta") or {}),
        )

    def to_json(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "spec": self.spec,
            "fingerprint": self.fingerprint,
            "recipe": self.recipe,
            "versions": self.versions,
            "files": self.files,
            "meta": self.meta,
        }

    def size_bytes(self) -> int:
        return sum(int(f["bytes"]) for f in self.files.values())


class StaleExport(ConfigError):
    """No usable export: never made, made from another model or with other tools, or
    damaged. ``reason`` says which."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(f"no usable ONNX export of {what}: {reason}", setting="model")
        self.reason = reason


class ExportSlot:
    """The cache folder of one model's export: checked before use, replaced whole."""

    def __init__(self, wanted: Wanted, root: Path | None = None) -> None:
        self.wanted = wanted
        self.root = (root or cache_dir()) / "onnx"
        digest = hashlib.sha256(f"{wanted.kind}\0{wanted.spec}".encode()).hexdigest()[:12]
        name = safe_stem(Path(wanted.spec).name or wanted.spec)[:40]
        self.path = self.root / f"{wanted.kind}-{name}-{digest}"

    def file(self, name: str) -> Path:
        return self.path / name

    def check(self) -> Manifest:
        """The manifest of a usable export, or ``StaleExport`` saying why there is none."""
        what = f"{self.wanted.kind} model {self.wanted.spec!r}"
        try:
            manifest = Manifest.from_json(json.loads((self.path / MANIFEST).read_text("utf-8")))
        except FileNotFoundError:
            raise StaleExport(what, f"not exported yet (cache: {self.root})") from None
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
            raise StaleExport(what, f"its manifest is unreadable ({exc})") from exc
        reason = self._stale_reason(manifest)
        if reason:
            raise StaleExport(what, reason)
        return manifest

    def ensure(
        self, export: Callable[[], Manifest], progress: Progress | None = None
    ) -> tuple[Manifest, bool]:
        """The usable export, else a new one from ``export()`` (which may import torch);
        True when it was made now. Without the export tools, a ``ConfigError`` naming
        them."""
        try:
            return self.check(), False
        except StaleExport as stale:
            what = f"{self.wanted.kind} model {self.wanted.spec!r}"
            require_export_tools(what)
            if progress is not None:
                progress(f"{stale.reason}: exporting {what} to ONNX once")
        return export(), True

    def _stale_reason(self, m: Manifest) -> str | None:
        w = self.wanted
        if (m.kind, m.spec) != (w.kind, w.spec):
            return f"the folder holds {m.kind} model {m.spec!r}"
        if m.recipe != w.recipe:
            return f"made by export recipe {m.recipe}, this stockbench uses {w.recipe}"
        if w.fingerprint is not None and m.fingerprint != w.fingerprint:
            return "the model changed since it was exported"
        if not missing_export_tools():  # only an install that can re-export asks for it
            installed = tool_versions()
            for name, made_with in m.versions.items():
                if name in installed and installed[name] != made_with:
                    return f"made with {name} {made_with}, this install has {installed[name]}"
        absent = [name for name in w.files if name not in m.files]
        if absent:
            return f"the export lacks {', '.join(absent)}"
        return self._damaged(m)

    def _damaged(self, m: Manifest) -> str | None:
        try:
            stamps = json.loads((self.path / VERIFIED).read_text("utf-8"))
        except (OSError, ValueError):
            stamps = {}
        renewed = {}
        for name, entry in m.files.items():
            path = self.path / name
            try:
                key = _stat_key(path)
            except OSError:
                return f"{name} is missing"
            if key[0] != int(entry["bytes"]):
                return f"{name} has {key[0]} bytes, the manifest says {entry['bytes']}"
            if stamps.get(name) != key and sha256_file(path) != entry["sha256"]:
                return f"{name} is damaged (its SHA-256 differs from the manifest's)"
            renewed[name] = key
        if renewed != stamps:
            with contextlib.suppress(OSError):  # a read-only cache is hashed every time
                atomic_write_text(self.path / VERIFIED, json.dumps(renewed))
        return None

    def publish(
        self, build: Callable[[Path], dict[str, Any]], versions: dict[str, Any]
    ) -> Manifest:
        """Run ``build(folder)`` (it writes the export's files, returns the runtime's meta)
        in a temporary folder, then put the folder in place of any previous export."""
        self.root.mkdir(parents=True, exist_ok=True)
        _remove_orphans(self.root)
        tmp = Path(tempfile.mkdtemp(prefix=f".tmp-{os.getpid()}-", dir=self.root))
        try:
            meta = build(tmp)
            files = {
                p.name: {"bytes": p.stat().st_size, "sha256": sha256_file(p)}
                for p in sorted(tmp.iterdir())
                if p.is_file()
            }
            w = self.wanted
            manifest = Manifest(w.kind, w.spec, w.fingerprint, w.recipe, versions, files, meta)
            atomic_write_text(tmp / MANIFEST, json.dumps(manifest.to_json(), indent=2) + "\n")
            stamps = {name: _stat_key(tmp / name) for name in files}
            atomic_write_text(tmp / VERIFIED, json.dumps(stamps))
            self._replace_with(tmp)
        finally:
            shutil.rmtree(tmp, ignore_errors=True)  # gone already when it was renamed
        return manifest

    def _replace_with(self, tmp: Path) -> None:
        if self.path.exists():
            old = Path(tempfile.mkdtemp(prefix=f".old-{os.getpid()}-", dir=self.root))
            os.replace(self.path, old / "export")
            shutil.rmtree(old, ignore_errors=True)
        try:
            os.replace(tmp, self.path)
        except OSError:
            if not self.path.is_dir():
                raise
            # another process published the same export meanwhile: theirs stands


def _remove_orphans(root: Path) -> None:
    """Temporary folders left by exports whose process is gone (killed, power lost)."""
    for entry in root.glob(".*-*-*"):
        pid = entry.name.split("-")[1]
        if entry.is_dir() and pid.isdigit() and not psutil.pid_exists(int(pid)):
            shutil.rmtree(entry, ignore_errors=True)
