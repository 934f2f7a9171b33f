"""A loopback fake of the EC2 instance metadata service, for AWS_EC2_METADATA_SERVICE_ENDPOINT.

Modes: ``v2`` (token required), ``v1-only`` (the token PUT is refused with 403/405),
``silent`` (accepts connections and never answers), ``trickle`` (answers like ``v2``,
one byte every ``trickle_s``, headers included). ``answers`` replaces what a metadata
path returns (HTML, binary, a dump), the token included (``api/token``). Every request
is recorded, and every byte a trickle sent.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field

from .loopback import QuietHandler, serve_handler

TOKEN = "AQAEAFakeToken=="
META: dict[str, str | bytes] = {
    "instance-type": "t4g.micro",
    "placement/region": "ap-northeast-2",
    "placement/availability-zone": "ap-northeast-2a",
    "instance-life-cycle": "on-demand",
    "instance-id": "i-0123456789abcdef0",
}


@dataclass
class FakeImds:
    mode: str = "v2"
    refuse_status: int = 405
    trickle_s: float = 0.05
    answers: dict[str, str | bytes] = field(default_factory=dict)
    requests: list[tuple[str, str]] = field(default_factory=list)
    bytes_sent: int = 0
    stop: threading.Event = field(default_factory=threading.Event)


@contextmanager
def fake_imds(
    mode: str = "v2",
    refuse_status: int = 405,
    *,
    answers: Mapping[str, str | bytes] | None = None,
    trickle_s: float = 0.05,
) -> Iterator[tuple[str, FakeImds]]:
    state = FakeImds(mode, refuse_status, trickle_s, dict(answers or {}))

    class Handler(QuietHandler):
        def _reply(self, status: int, body: str | bytes = "") -> None:
            data = body if isinstance(body, bytes) else body.encode()
            if state.mode == "trickle":
                return self._trickle(status, data)
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)
            return None

        def _trickle(self, status: int, data: bytes) -> None:
            raw = f"HTTP/1.0 {status} OK\r\nContent-Length: {len(data)}\r\n\r\n".encode() + data
            try:
                for i in range(len(raw)):
                    if state.stop.is_set():
                        return
                    self.wfile.write(raw[i : i + 1])
                    self.wfile.flush()
                    state.bytes_sent += 1
                    state.stop.wait(state.trickle_s)
            except (BrokenPipeError, ConnectionResetError):
                return

        def _hang(self) -> None:
            state.stop.wait(30)

        def do_PUT(self) -> None:
            state.requests.append(("PUT", self.path))
            if state.mode == "silent":
                return self._hang()
            if state.mode == "v1-only":
                return self._reply(state.refuse_status)
            if self.path == "/latest/api/token" and self.headers.get(
                "X-aws-ec2-metadata-token-ttl-seconds"
            ):
                return self._reply(200, state.answers.get("api/token", TOKEN))
            return self._reply(400)

        def do_GET(self) -> None:
            state.requests.append(("GET", self.path))
            if state.mode == "silent":
                return self._hang()
            if state.mode in ("v2", "trickle") and self.headers.get(
                "X-aws-ec2-metadata-token"
            ) != state.answers.get("api/token", TOKEN):
                return self._reply(401)
            key = self.path.removeprefix("/latest/meta-data/")
            meta = {**META, **state.answers}
            if key in meta:
                return self._reply(200, meta[key])
            return self._reply(404)

    try:
        with serve_handler(Handler) as origin:
            yield origin, state
    finally:
        state.stop.set()  # release handlers of a silent or trickling service before shutdown
