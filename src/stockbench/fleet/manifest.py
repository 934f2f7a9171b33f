"""The record of a run: what was asked, what was launched where, what it cost to know.

Kept twice: in S3 (``runs/<id>/manifest.json``, so any machine with ``--bucket`` can find
the run) and in a local state folder (``$STOCKBENCH_FLEET_HOME``, else
``$XDG_STATE_HOME/stockbench/fleet``, else ``~/.local/state/stockbench/fleet``), so that
``fleet status RUN`` needs nothing else.
"""

from __future__ import annotations

import json
import os
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from stockbench.errors import ConfigError, ParseError
from stockbench.files import atomic_write_text
from stockbench.fleet.plan import TYPE_NAME, check_bucket, check_run_id

SCHEMA = 1


@dataclass
class TypeRecord:
    instance_type: str
    architecture: str | None = None
    memory_mib: int | None = None
    image_id: str | None = None
    price_usd_per_hour: float | None = None
    spot_price_usd_per_hour: float | None = None  # what the controller saw at launch
    instance_id: str | None = None
    zone: str | None = None
    launched_at: float | None = None
    not_launched: str | None = None  # why, when it was rejected or its launch failed


@dataclass
class Manifest:
    run_id: str
    created_at: float
    region: str
    bucket: str
    bucket_region: str
    max_minutes: int
    spot: bool
    profile: str | None = None
    bench_args: list[str] = field(default_factory=list)
    source: dict[str, Any] = field(default_factory=dict)
    security_group_id: str | None = None
    types: list[TypeRecord] = field(default_factory=list)
    collected_to: str | None = None
    cleaned_at: float | None = None
    schema: int = SCHEMA

    def record(self, instance_type: str) -> TypeRecord:
        return next(t for t in self.types if t.instance_type == instance_type)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), indent=2, sort_keys=True) + "\n"

    @classmethod
    def from_dict(cls, doc: dict[str, Any], where: str) -> Manifest:
        try:
            fields = {k: v for k, v in doc.items() if k != "types"}
            manifest = cls(**fields, types=[TypeRecord(**t) for t in doc["types"]])
            # its names become S3 keys and local folders: a tampered record must not escape
            check_run_id(manifest.run_id)
            check_bucket(manifest.bucket)
            for name in (t.instance_type for t in manifest.types):
                if not isinstance(name, str) or not TYPE_NAME.match(name):
                    raise ValueError(f"instance type {name!r}")
        except (TypeError, KeyError, AttributeError, ValueError, ConfigError) as exc:
            raise ParseError(
                f"not a stockbench fleet manifest ({exc})", source=where, field="manifest"
            ) from exc
        return manifest


def state_dir() -> Path:
    explicit = os.environ.get("STOCKBENCH_FLEET_HOME")
    if explicit:
        return Path(explicit)
    base = os.environ.get("XDG_STATE_HOME") or str(Path.home() / ".local/state")
    return Path(base) / "stockbench" / "fleet"


def save_local(manifest: Manifest) -> Path:
    path = state_dir() / f"{check_run_id(manifest.run_id)}.json"
    atomic_write_text(path, manifest.to_json())
    return path


def load_local(run_id: str) -> Manifest | None:
    path = state_dir() / f"{check_run_id(run_id)}.json"
    try:
        doc = json.loads(path.read_text("utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        raise ParseError(f"unreadable run record ({exc})", source=str(path)) from exc
    return Manifest.from_dict(doc, str(path))


def list_local() -> list[Manifest]:
    """Every run recorded on this machine, oldest first; unreadable records are skipped."""
    found: list[Manifest] = []
    for path in sorted(state_dir().glob("sb-*.json")):
        try:
            found.append(Manifest.from_dict(json.loads(path.read_text("utf-8")), str(path)))
        except (OSError, ValueError, ConfigError):
            continue
    return sorted(found, key=lambda m: m.created_at)
