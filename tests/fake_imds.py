"""A loopback fake of the EC2 instance metadata service, for AWS_EC2_METADATA_SERVICE_ENDPOINT.

Modes: ``v2`` (token required), ``v1-only`` (the token PUT is refused with 403/405),
``silent`` (accepts connections and never answers). Every request is recorded.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .loopback import QuietHandler, serve_handler

TOKEN = "AQAEAFakeToken=="
META = {
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
    requests: list[tuple[str, str]] = field(default_factory=list)
    stop: threading.Event = field(default_factory=threading.Event)


@contextmanager
def fake_imds(mode: str = "v2", refuse_status: int = 405) -> Iterator[tuple[str, FakeImds]]:
    state = FakeImds(mode, refuse_status)

    class Handler(QuietHandler):
        def _reply(self, status: int, body: str = "") -> None:
            data = body.encode()
            self.send_response(status)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            self.wfile.write(data)

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
                return self._reply(200, TOKEN)
            return self._reply(400)

        def do_GET(self) -> None:
            state.requests.append(("GET", self.path))
            if state.mode == "silent":
                return self._hang()
            if state.mode == "v2" and self.headers.get("X-aws-ec2-metadata-token") != TOKEN:
                return self._reply(401)
            key = self.path.removeprefix("/latest/meta-data/")
            if key in META:
                return self._reply(200, META[key])
            return self._reply(404)

    try:
        with serve_handler(Handler) as origin:
            yield origin, state
    finally:
        state.stop.set()  # release handlers of a silent service before shutdown
