"""What a fleet run will do and what it may cost, before anything starts.

Names that end up in S3 keys, tags and file paths are validated here (a run id, an
instance type, a bucket), so a ``../`` can never reach a key or a folder. The worst-case
cost of a type is its on-demand price times ``--max-minutes`` (the dead-man timer); a
type with no known price is named, never guessed.
"""

from __future__ import annotations

import math
import re
import secrets
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime

from stockbench.errors import ConfigError

TYPE_NAME = re.compile(r"^[a-z][a-z0-9-]*\.[a-z0-9-]+$")  # t4g.micro, m7i-flex.large
BUCKET_NAME = re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$")
RUN_ID = re.compile(r"^sb-\d{8}-\d{6}-[0-9a-f]{4}$")
REGION_NAME = re.compile(r"^[a-z]{2}(-[a-z]+)+-\d+$")
MAX_MINUTES_LIMIT = 24 * 60
ROOT_VOLUME_GIB = 16  # AL2023's 8 GiB default is too tight for torch, pip's unpacking and swap
IPV4_USD_PER_HOUR = 0.005  # AWS's public IPv4 charge, every region, since 2024-02
VOLUME_USD_PER_HOUR = 0.002  # 16 GiB of gp3 at about $0.08-0.095 per GiB-month
UNLIMITED_BY_DEFAULT = ("t3", "t3a", "t4g")  # burstable families that bill surplus credits


def parse_types(text: str) -> tuple[str, ...]:
    """``t4g.micro,t2.micro`` as a tuple; empty, malformed or repeated names are refused."""
    names = [part.strip() for part in text.split(",")]
    if not any(names):
        raise ConfigError(
            "is empty: name at least one instance type, e.g. t4g.micro", setting="types"
        )
    for name in names:
        if not TYPE_NAME.match(name):
            raise ConfigError(
                f"{name!r} is not an instance type name like t4g.micro", setting="types"
            )
    repeated = sorted({n for n in names if names.count(n) > 1})
    if repeated:
        raise ConfigError(f"listed twice: {', '.join(repeated)}", setting="types")
    return tuple(names)


def check_run_id(text: str) -> str:
    if not RUN_ID.match(text):
        raise ConfigError(
            f"{text!r} is not a run id (they look like sb-20261126-131500-a1b2)", setting="run"
        )
    return text


def check_bucket(text: str) -> str:
    if not BUCKET_NAME.match(text) or ".." in text:
        raise ConfigError(f"{text!r} is not an S3 bucket name", setting="bucket")
    return text


def check_region(text: str) -> str:
    if not REGION_NAME.match(text):
        raise ConfigError(
            f"{text!r} is not an AWS region name like ap-northeast-2", setting="region"
        )
    return text


def check_max_minutes(value: float) -> int:
    if not math.isfinite(value) or value != int(value) or not 1 <= value <= MAX_MINUTES_LIMIT:
        raise ConfigError(
            f"must be a whole number from 1 to {MAX_MINUTES_LIMIT}, got {value}",
            setting="max_minutes",
        )
    return int(value)


def new_run_id(now: datetime | None = None) -> str:
    stamp = (now or datetime.now(UTC)).strftime("%Y%m%d-%H%M%S")
    return f"sb-{stamp}-{secrets.token_hex(2)}"


@dataclass(frozen=True)
class TypePlan:
    instance_type: str
    architecture: str | None = None  # "arm64" or "x86_64"
    vcpus: int | None = None
    memory_mib: int | None = None
    zones: tuple[str, ...] = ()
    image_id: str | None = None
    price_usd_per_hour: float | None = None
    spot_price_usd_per_hour: float | None = None
    rejected: str | None = None  # why it cannot run in this region

    def worst_case_usd(self, max_minutes: int) -> float | None:
        if self.price_usd_per_hour is None:
            return None
        return self.price_usd_per_hour * max_minutes / 60


@dataclass(frozen=True)
class Plan:
    run_id: str
    region: str
    bucket: str
    max_minutes: int
    spot: bool
    types: tuple[TypePlan, ...]
    images: dict[str, str]  # architecture -> "image id (name)"
    prices_as_of: str

    @property
    def runnable(self) -> tuple[TypePlan, ...]:
        return tuple(t for t in self.types if t.rejected is None)

    def worst_case_usd(self) -> float:
        costs = (t.worst_case_usd(self.max_minutes) for t in self.runnable)
        return sum(c for c in costs if c is not None)

    def unpriced(self) -> list[str]:
        return [t.instance_type for t in self.runnable if t.price_usd_per_hour is None]


def _usd(value: float | None, digits: int = 4) -> str:
    return "no price" if value is None else f"${value:.{digits}f}"


def format_plan(plan: Plan) -> str:
    """The plan as the user confirms it: one row per type, then the worst-case total."""
    head = ("TYPE", "ARCH", "vCPU", "MEMORY", "$/HOUR", f"WORST CASE ({plan.max_minutes} min)")
    rows: list[Sequence[str]] = [head]
    for t in plan.types:
        if t.rejected:
            rows.append((t.instance_type, "-", "-", "-", "-", f"rejected: {t.rejected}"))
            continue
        price = _usd(t.price_usd_per_hour)
        if plan.spot and t.spot_price_usd_per_hour is not None:
            price += f" (spot now ${t.spot_price_usd_per_hour:.4f})"
        rows.append(
            (
                t.instance_type,
                t.architecture or "?",
                str(t.vcpus or "?"),
                f"{t.memory_mib} MiB" if t.memory_mib else "?",
                price,
                _usd(t.worst_case_usd(plan.max_minutes), 2),
            )
        )
    widths = [max(len(r[i]) for r in rows) for i in range(len(head))]
    lines = [
        f"Run {plan.run_id} in {plan.region}, results to s3://{plan.bucket}/runs/{plan.run_id}/",
        "",
        *(
            "  " + "  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
            for r in rows
        ),
        "",
    ]
    for arch, image in sorted(plan.images.items()):
        lines.append(f"Image ({arch}): {image}")
    market = "spot (priced at most on-demand)" if plan.spot else "on-demand"
    lines.append(
        f"Each instance: {market}, {ROOT_VOLUME_GIB} GiB root volume, shuts itself down "
        f"(and terminates) after {plan.max_minutes} min at the latest."
    )
    total = f"Worst case: {_usd(plan.worst_case_usd(), 2)} for {len(plan.runnable)} instance(s)"
    unpriced = plan.unpriced()
    if unpriced:
        total += (
            f", not counting {', '.join(unpriced)} (no price in the table of {plan.prices_as_of})"
        )
    lines.append(total + ".")
    lines.append(
        f"Besides: a public IPv4 address (${IPV4_USD_PER_HOUR}/h) and the "
        f"{ROOT_VOLUME_GIB} GiB gp3 volume (about ${VOLUME_USD_PER_HOUR}/h) per instance."
    )
    unlimited = [
        t.instance_type
        for t in plan.runnable
        if t.instance_type.split(".", 1)[0] in UNLIMITED_BY_DEFAULT
    ]
    if unlimited:
        lines.append(
            f"{', '.join(unlimited)}: unlimited CPU credits by default; time above the "
            "baseline can add surplus-credit charges (about $0.04 per vCPU-hour)."
        )
    return "\n".join(lines)
