"""What S3 does with a presigned URL, done on loopback: verify the SigV4 query signature
with botocore's own signer, then pass the request on to moto.

moto does not check presigned signatures (it answers a tampered URL like a good one), so
on its own it cannot show that an upload URL is confined to its key. This proxy
recomputes the signature of the request *as it arrived* (method, path, query, host) with
the account's secret key and refuses a mismatch or an expired URL with 403, as S3 does.
Requests without a query signature (the controller's own, header-signed) pass unchecked.
"""

from __future__ import annotations

import http.client
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qsl, urlsplit

from botocore.auth import S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from .loopback import QuietHandler, serve_handler

HOP_BY_HOP = {"connection", "keep-alive", "transfer-encoding", "te", "upgrade", "proxy-connection"}


def verify(method: str, url: str, secret_key: str, now: datetime | None = None) -> str | None:
    """Why S3 would refuse this presigned request, or None when it would accept it."""
    parts = urlsplit(url)
    params = dict(parse_qsl(parts.query, keep_blank_values=True))
    if params.get("X-Amz-Algorithm") != "AWS4-HMAC-SHA256" or "X-Amz-Signature" not in params:
        return "not a SigV4 presigned URL"
    if params.get("X-Amz-SignedHeaders") != "host":
        return "signs headers other than host"
    access_key, day, region, service, _ = params["X-Amz-Credential"].split("/")
    signed_at = datetime.strptime(params["X-Amz-Date"], "%Y%m%dT%H%M%SZ").replace(tzinfo=UTC)
    if (now or datetime.now(UTC)) > signed_at + timedelta(seconds=int(params["X-Amz-Expires"])):
        return "expired"
    if day != params["X-Amz-Date"][:8]:
        return "credential scope and date disagree"
    unsigned = "&".join(p for p in parts.query.split("&") if not p.startswith("X-Amz-Signature="))
    request = AWSRequest(method=method, url=parts._replace(query=unsigned).geturl())
    request.context["timestamp"] = params["X-Amz-Date"]
    signer = S3SigV4QueryAuth(Credentials(access_key, secret_key), service, region)
    expected = signer.signature(
        signer.string_to_sign(request, signer.canonical_request(request)), request
    )
    return None if expected == params["X-Amz-Signature"] else "SignatureDoesNotMatch"


@dataclass
class Verdicts:
    accepted: list[tuple[str, str]] = field(default_factory=list)  # (method, path)
    refused: list[tuple[str, str, str]] = field(default_factory=list)  # (method, path, why)


@contextmanager
def sigv4_proxy(upstream: str, secret_key: str) -> Iterator[tuple[str, Verdicts]]:
    """Yield ``(origin, verdicts)`` of a verifying proxy in front of ``upstream``."""
    target = urlsplit(upstream)
    verdicts = Verdicts()
    lock = threading.Lock()

    class Handler(QuietHandler):
        protocol_version = "HTTP/1.1"

        def _any(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            url = f"http://{self.headers['Host']}{self.path}"
            if "X-Amz-Signature=" in self.path:
                why = verify(self.command, url, secret_key)
                with lock:
                    if why:
                        verdicts.refused.append((self.command, urlsplit(url).path, why))
                    else:
                        verdicts.accepted.append((self.command, urlsplit(url).path))
                if why:
                    self._answer(403, {}, f"<Error><Code>{why}</Code></Error>".encode())
                    return
            conn = http.client.HTTPConnection(target.hostname, target.port, timeout=60)
            headers = {k: v for k, v in self.headers.items() if k.lower() not in HOP_BY_HOP}
            conn.request(self.command, self.path, body=body, headers=headers)
            answer = conn.getresponse()
            data = answer.read()
            kept = {k: v for k, v in answer.getheaders() if k.lower() not in HOP_BY_HOP}
            conn.close()
            self._answer(answer.status, kept, data)

        def _answer(self, status: int, headers: dict[str, str], data: bytes) -> None:
            self.send_response(status)
            for name, value in headers.items():
                if name.lower() != "content-length":
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(data)))
            self.end_headers()
            if self.command != "HEAD":
                self.wfile.write(data)

        do_GET = do_PUT = do_POST = do_DELETE = do_HEAD = _any

    with serve_handler(Handler) as origin:
        yield origin, verdicts
