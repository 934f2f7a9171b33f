"""EC2 identity from the instance metadata service (IMDS), botocore's way.

IMDSv2 first (``PUT /latest/api/token``, then GETs with the token); on 403/404/405 to
the PUT, IMDSv1 (plain GETs), unless ``AWS_EC2_METADATA_V1_DISABLED=true``. Honours
``AWS_EC2_METADATA_DISABLED``, ``AWS_EC2_METADATA_SERVICE_ENDPOINT``,
``AWS_METADATA_SERVICE_TIMEOUT`` (default 1 s) and ``AWS_METADATA_SERVICE_NUM_ATTEMPTS``
(default 1).

The link-local default endpoint is asked only when the machine's DMI or hypervisor
files say it is EC2; an explicit endpoint (a loopback fake in tests) is always asked.
Nothing here raises: every failure means "unknown", returned as ``None``. Only the
instance type, region, zone and life cycle are read: no instance id, no credentials.

The service is not trusted either:

- each answer must have its field's shape (``t4g.micro``, ``ap-northeast-2``,
  ``ap-northeast-2a``, ``on-demand``) and at most ``MAX_ANSWER_BYTES``; anything else
  (HTML, binary, a dump) is unknown;
- every socket operation waits at most until a deadline: one request (all its bytes)
  at most the timeout, the whole lookup at most ``ImdsSettings.deadline_s`` (timeout x
  attempts x requests), so a service trickling one byte at a time holds nobody.
"""

from __future__ import annotations

import http.client
import io
import os
import re
import socket
import time
from collections.abc import Callable, Mapping, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

DEFAULT_ENDPOINT = "http://169.254.169.254"
TOKEN_TTL_S = 60
MAX_ANSWER_BYTES = 256  # a token is about 60 bytes, every value read here under 64
TOKEN = re.compile(r"^[\x21-\x7e]{1,256}$")  # visible ASCII: it goes into a header
# Field -> (metadata path, the shape of a real answer).
FIELDS: dict[str, tuple[str, re.Pattern[str]]] = {
    "instance_type": ("instance-type", re.compile(r"^[a-z][a-z0-9-]{0,24}\.[a-z0-9-]{1,24}$")),
    "region": ("placement/region", re.compile(r"^[a-z]{2}(-[a-z0-9]{1,12}){2,3}$")),
    "availability_zone": (
        "placement/availability-zone",
        re.compile(r"^[a-z]{2}(-[a-z0-9]{1,12}){2,6}$"),
    ),
    "instance_life_cycle": ("instance-life-cycle", re.compile(r"^[a-z][a-z-]{0,31}$")),
}


def _true(value: str | None) -> bool:
    return (value or "").strip().lower() == "true"


@dataclass(frozen=True, slots=True)
class ImdsSettings:
    disabled: bool
    endpoint: str
    explicit: bool
    timeout_s: float
    attempts: int
    v1_disabled: bool = False

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> ImdsSettings:
        env = os.environ if environ is None else environ
        endpoint = env.get("AWS_EC2_METADATA_SERVICE_ENDPOINT", "").strip()
        return cls(
            disabled=_true(env.get("AWS_EC2_METADATA_DISABLED")),
            endpoint=(endpoint or DEFAULT_ENDPOINT).rstrip("/"),
            explicit=bool(endpoint),
            timeout_s=_number(env.get("AWS_METADATA_SERVICE_TIMEOUT"), 1.0, float),
            attempts=int(_number(env.get("AWS_METADATA_SERVICE_NUM_ATTEMPTS"), 1, int)),
            v1_disabled=_true(env.get("AWS_EC2_METADATA_V1_DISABLED")),
        )

    @property
    def deadline_s(self) -> float:
        """The whole lookup: every request (the token and each field) with every attempt."""
        return self.timeout_s * self.attempts * (1 + len(FIELDS))


def _number(text: str | None, default: float, kind: Callable[[str], float]) -> float:
    """A positive, finite number from an environment variable, else ``default``."""
    if not text:
        return default
    try:
        value = kind(text)
    except (ValueError, OverflowError):
        return default
    return value if 0 < value < 3600 else default


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


# --- a tiny HTTP client whose every socket operation ends by a deadline ---------------


class _Deadline:
    def __init__(self, seconds: float, outer: _Deadline | None = None) -> None:
        end = time.monotonic() + seconds
        self.end: float = min(end, outer.end) if outer else end

    def left(self) -> float:
        left = self.end - time.monotonic()
        if left <= 0:
            raise TimeoutError("the metadata service ran out of time")
        return left


class _DeadlineReader(io.RawIOBase):
    """Socket reads that never wait past the deadline, however slowly bytes trickle in."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        super().__init__()
        # The socket's own raw file: it keeps the socket open until this reader is
        # closed, as http.client expects when it closes the connection before the body.
        self._raw = sock.makefile("rb", buffering=0)
        self._sock = sock
        self._deadline = deadline

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int | None:
        self._sock.settimeout(self._deadline.left())
        return self._raw.readinto(buffer)

    def close(self) -> None:
        self._raw.close()
        super().close()


class _DeadlineSocket:
    """What ``http.client`` uses of a socket, each operation bounded by the deadline."""

    def __init__(self, sock: socket.socket, deadline: _Deadline) -> None:
        self._sock = sock
        self._deadline = deadline

    def sendall(self, data: bytes) -> None:
        self._sock.settimeout(self._deadline.left())
        self._sock.sendall(data)

    def makefile(self, mode: str, *args: Any, **kwargs: Any) -> io.BufferedReader:
        return io.BufferedReader(_DeadlineReader(self._sock, self._deadline))

    def close(self) -> None:
        self._sock.close()


class _Connection(http.client.HTTPConnection):
    def __init__(self, host: str, port: int, deadline: _Deadline) -> None:
        super().__init__(host, port, timeout=deadline.left())
        self._deadline = deadline

    def connect(self) -> None:
        self.timeout = self._deadline.left()
        super().connect()
        self.sock = _DeadlineSocket(self.sock, self._deadline)


# Everything a request to a misbehaving service can raise; each means "no answer".
_NO_ANSWER = (OSError, http.client.HTTPException, ValueError)


class _Unavailable(Exception):
    pass


@dataclass(frozen=True, slots=True)
class _Answer:
    status: int
    body: bytes | None  # None: longer than MAX_ANSWER_BYTES


class _Client:
    def __init__(self, settings: ImdsSettings) -> None:
        try:
            url = urlsplit(settings.endpoint)
            port = url.port or 80
        except ValueError:  # no URL at all ("http://[::1", a port that is no port)
            url, port = None, 80
        if url is None or url.scheme != "http" or not url.hostname:
            raise _Unavailable(f"not an http:// endpoint: {settings.endpoint}")
        self.host = url.hostname
        self.port = port
        self.settings = settings
        self.deadline = _Deadline(settings.deadline_s)

    def _once(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        conn = _Connection(
            self.host, self.port, _Deadline(self.settings.timeout_s, outer=self.deadline)
        )
        try:
            conn.request(method, path, headers=headers)
            response = conn.getresponse()
            body = response.read(MAX_ANSWER_BYTES + 1)
            return _Answer(response.status, body if len(body) <= MAX_ANSWER_BYTES else None)
        finally:
            conn.close()

    def call(self, method: str, path: str, headers: dict[str, str]) -> _Answer:
        last = "no attempt"
        for _ in range(self.settings.attempts):
            try:
                answer = self._once(method, path, headers)
            except _NO_ANSWER as exc:
                last = f"{type(exc).__name__}: {exc}"
                if self.deadline.end <= time.monotonic():
                    break
                continue
            if answer.status >= 500:
                last = f"HTTP {answer.status}"
                continue
            return answer
        raise _Unavailable(last)


def _value(answer: _Answer, shape: re.Pattern[str]) -> str | None:
    """The answer's text if it has the field's shape, else None (unknown)."""
    if answer.status != 200 or answer.body is None:
        return None
    try:
        text = answer.body.decode("ascii").strip()
    except UnicodeDecodeError:
        return None
    return text if shape.match(text) else None


def _token_headers(client: _Client) -> tuple[dict[str, str], str] | None:
    """IMDSv2's token header, or v1's none, or None when neither may be used."""
    answer = client.call(
        "PUT", "/latest/api/token", {"X-aws-ec2-metadata-token-ttl-seconds": str(TOKEN_TTL_S)}
    )
    token = _value(answer, TOKEN)
    if token is not None:
        return {"X-aws-ec2-metadata-token": token}, "v2"
    if answer.status in (403, 404, 405) and not client.settings.v1_disabled:
        return {}, "v1"
    return None


def fetch_identity(
    environ: Mapping[str, str] | None = None, *, root: Path = Path("/")
) -> Ec2Identity | None:
    """The instance's identity, or None when disabled, not on EC2, or unreachable."""
    settings = ImdsSettings.from_env(environ)
    if settings.disabled or not (settings.explicit or looks_like_ec2(root)):
        return None
    try:
        client = _Client(settings)
        auth = _token_headers(client)
    except _Unavailable:
        return None
    if auth is None:
        return None
    headers, version = auth
    values: dict[str, str | None] = {}
    for key, (path, shape) in FIELDS.items():
        try:
            values[key] = _value(client.call("GET", f"/latest/meta-data/{path}", headers), shape)
        except _Unavailable:
            values[key] = None
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
