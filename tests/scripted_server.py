"""A loopback HTTP server that plays a script of responses and records every hit.

For the few HTTP behaviours ``responses`` cannot show (urllib3 sleeping on
``Retry-After``, a socket read timeout, a body trickling in one byte at a time, a long
reason phrase): whole flows use ``stockbench.fakemarket.server``.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field

from .loopback import QuietHandler, serve_handler


@dataclass
class Step:
    status: int = 200
    body: bytes = b"ok"
    headers: dict[str, str] = field(default_factory=dict)
    delay_s: float = 0.0
    trickle_s: float = 0.0  # > 0: the body goes out one byte at a time, this far apart
    reason: str | None = None  # the status line's reason phrase


class Script:
    def __init__(self, steps: list[Step]) -> None:
        self.steps = list(steps)
        self.hits: list[str] = []
        self.times: list[float] = []  # monotonic arrival time of each hit
        self.bytes_sent = 0
        self.lock = threading.Lock()

    def next(self, path: str) -> Step:
        with self.lock:
            self.hits.append(path)
            self.times.append(time.monotonic())
            return self.steps.pop(0) if len(self.steps) > 1 else self.steps[0]


@contextmanager
def scripted_server(steps: list[Step]) -> Iterator[tuple[str, Script]]:
    script = Script(steps)

    class Handler(QuietHandler):
        def do_GET(self) -> None:
            step = script.next(self.path)
            if step.delay_s:
                time.sleep(step.delay_s)
            try:
                self.send_response(step.status, step.reason)
                for k, v in step.headers.items():
                    self.send_header(k, v)
                self.send_header("Content-Length", str(len(step.body)))
                self.end_headers()
                if not step.trickle_s:
                    self.wfile.write(step.body)
                    return
                for i in range(len(step.body)):
                    self.wfile.write(step.body[i : i + 1])
                    self.wfile.flush()
                    script.bytes_sent += 1
                    time.sleep(step.trickle_s)
            except (BrokenPipeError, ConnectionResetError):
                pass

    with serve_handler(Handler) as origin:
        yield origin, script
