"""EC2 identity from the instance metadata service (IMDS), botocore's way.

IMDSv2 first (``PUT /latest/api/token``, then GETs with the token); on 403/404/405 to
the PUT, IMDSv1 (plain GETs). Honours ``AWS_EC2_METADATA_DISABLED``,
``AWS_EC2_METADATA_SERVICE_ENDPOINT``, ``AWS_METADATA_SERVICE_TIMEOUT`` (default 1 s)
and ``AWS_METADATA_SERVICE_NUM_ATTEMPTS`` (default 1).

The link-local default endpoint is asked only when the machine's DMI or hypervisor
files say it is EC2; an explicit endpoint (a loopback fake in tests) is always asked.
Nothing here raises: every failure means "unknown", returned as ``None``. Only the
instance type, region, zone and life cycle are read: no instance id, no credentials.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path

import requests

DEFAULT_ENDPOINT = "http://169.254.169.254"
TOKEN_TTL_S = 60
FIELDS = {
    "instance_type": "instance-type",
    "region": "placement/region",
    "availability_zone": "placement/availability-zone",
    "instance_life_cycle": "instance-life-cycle",
}


@dataclass(frozen=True, slots=True)
class ImdsSettings:
    disabled: bool
    endpoint: str
    explicit: bool
    timeout_s: float
    attempts: int

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ImdsSettings:
        env = os.environ if environ is None else environ
        endpoint = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", "").strip()
        return cls(
            disabled=env.get("AWS_EC2_METADATA_DISABLED", "").strip().lower() == "true",
            endpoint=(endpoint or DEFAULT_ENDPOINT).rstrip("/"),
            explicit=bool(endpoint),
            timeout_s=_number(env.get("AWS_METADATA_SERVICE_TIMEOUT"), 1.0, float),
            attempts=int(_number(env.get("AWS_METADATA_SERVICE_NUM_ATTEMPTS"), 1, int)),
        )


def _number(text: str | None, default: float, kind: Callable[[str], float]) -> float:
    """A positive number from an environment variable, else ``default``."""
    if not text:
        return default
    try:
        value = kind(text)
    except ValueError:
        return default
    return value if value > 0 else default


@dataclass(frozen=True, slots=True)
class Ec2Identity:
    instance_type: str | None
    region: str | None
    availability_zone: str | None
    instance_life_cycle: str | None
    imds_version: str  # "v2" or "v1"


def looks_like_ec2(root: Path = Path("/")) -> bool:
    """EC2 by local files alone: Nitro's DMI vendor, or a Xen hypervisor uuid (t2)."""
    checks: tuple[tuple[str, Callable[[str], bool]], ...] = (
        ("sys/devices/virtual/dmi/id/sys_vendor", lambda t: t == "Amazon EC2"),
        ("sys/devices/virtual/dmi/id/board_asset_tag", lambda t: t.startswith("i-")),
        ("sys/hypervisor/uuid", lambda t: t.lower().startswith("ec2")),
    )
    for path, test in checks:
        try:
            if test((root / path).read_text(errors="replace").strip()):
                return True
        except OSError:
            continue
    return False


class _Unavailable(Exception):
    pass


def _call(
    session: requests.Session,
    method: str,
    url: str,
    settings: ImdsSettings,
    headers: dict[str, str],
) -> requests.Response:
    last: Exception | None = None
    for _ in range(settings.attempts):
        try:
            response = session.request(method, url, headers=headers, timeout=settings.timeout_s)
        except requests.RequestException as exc:
            last = exc
            continue
        if response.status_code >= 500:
            last = _Unavailable(f"HTTP {response.status_code}")
            continue
        return response
    raise _Unavailable(str(last))


def fetch_identity(
    environ: Mapping[str, str] | None = None, *, root: Path = Path("/")
) -> Ec2Identity | None:
    """The instance's identity, or None when disabled, not on EC2, or unreachable."""
    settings = ImdsSettings.from_env(environ)
    if settings.disabled or not (settings.explicit or looks_like_ec2(root)):
        return None
    with requests.Session() as session:
        session.trust_env = False  # never send metadata requests through a proxy
        try:
            token = _call(
                session,
                "PUT",
                f"{settings.endpoint}/latest/api/token",
                settings,
                {"X-aws-ec2-metadata-token-ttl-seconds": str(TOKEN_TTL_S)},
            )
        except _Unavailable:
            return None
        if token.status_code == 200 and token.text:
            headers, version = {"X-aws-ec2-metadata-token": token.text.strip()}, "v2"
        elif token.status_code in (403, 404, 405):
            headers, version = {}, "v1"
        else:
            return None
        values: dict[str, str | None] = {}
        for key, path in FIELDS.items():
            try:
                response = _call(
                    session,
                    "GET",
                    f"{settings.endpoint}/latest/meta-data/{path}",
                    settings,
                    headers,
                )
            except _Unavailable:
                values[key] = None
                continue
            values[key] = response.text.strip() if response.status_code == 200 else None
    if values["instance_type"] is None:
        return None
    return Ec2Identity(imds_version=version, **values)


def keep_boto_off_imds(
    environ: MutableMapping[str, str] | None = None, *, root: Path = Path("/")
) -> bool:
    """Off EC2, stop botocore from asking the metadata service for credentials.

    botocore's credential chain ends at the link-local metadata address, which must never
    be contacted on a machine that is not EC2; it honours ``AWS_EC2_METADATA_DISABLED``.
    Call before creating a boto3 client. True when it was disabled here.
    """
    env = os.environ if environ is None else environ
    if "AWS_EC2_METADATA_DISABLED" in env or env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT"):
        return False  # the user's own choice
    if looks_like_ec2(root):
        return False
    env["AWS_EC2_METADATA_DISABLED"] = "true"
    return True
