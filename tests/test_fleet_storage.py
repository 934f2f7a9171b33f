"""Presigned URLs: each upload URL writes its one key under the run's prefix, nothing else.

What is proven where: moto does not check presigned signatures (the first test shows it),
so the confinement is shown against ``sigv4_proxy``, which recomputes each request's
SigV4 query signature with botocore's signer and the account's secret, as S3 does.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest
import requests

from stockbench.fleet.storage import RESULT_FILES, presign, type_key, upload_urls

from .local_aws import BUCKET, SECRET_KEY, local_aws
from .sigv4_proxy import sigv4_proxy, verify

RUN = "sb-20261126-120000-abcd"
OTHER_RUN = "sb-20261126-120000-ffff"
LIFETIME_S = 90 * 60 + 15 * 60


def _urls(s3: object) -> dict[str, str]:
    return upload_urls(s3, BUCKET, RUN, "t4g.micro", LIFETIME_S)


def _with_path(url: str, path: str) -> str:
    return urlsplit(url)._replace(path=path).geturl()


def test_upload_urls_are_one_put_per_fixed_key_of_the_type(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        urls = _urls(aws.s3)
    assert set(urls) == set(RESULT_FILES) == {"result", "log", "status"}
    for what, url in urls.items():
        parts = urlsplit(url)
        assert parts.path == f"/{BUCKET}/runs/{RUN}/t4g.micro/{RESULT_FILES[what]}"
        query = parse_qs(parts.query)
        assert query["X-Amz-Expires"] == [str(LIFETIME_S)]
        assert query["X-Amz-SignedHeaders"] == ["host"]
        assert "X-Amz-Security-Token" not in query
        assert SECRET_KEY not in url


@pytest.mark.parametrize("bad", ["../t4g.micro", "t4g.micro/../x", "T4G.MICRO", ""])
def test_keys_refuse_names_that_could_leave_the_prefix(bad: str) -> None:
    with pytest.raises(ValueError, match="not an instance type"):
        type_key(RUN, bad, "result")


def test_moto_alone_does_not_check_presigned_signatures(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Why the verifying proxy exists: moto takes a PUT to a key the URL was not signed for."""
    with local_aws(monkeypatch, tmp_path) as aws:
        url = _urls(aws.s3)["result"]
        elsewhere = _with_path(url, f"/{BUCKET}/runs/{OTHER_RUN}/t4g.micro/result.json")
        assert requests.put(elsewhere, data=b"{}", timeout=30).status_code == 200
        assert aws.keys(f"runs/{OTHER_RUN}/") == [f"runs/{OTHER_RUN}/t4g.micro/result.json"]


def test_an_upload_url_writes_its_key_and_nothing_outside_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with (
        local_aws(monkeypatch, tmp_path) as aws,
        sigv4_proxy(aws.endpoint, SECRET_KEY) as (
            origin,
            verdicts,
        ),
    ):
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", origin)
        url = _urls(aws.session.client("s3"))["result"]
        assert url.startswith(origin)
        assert requests.put(url, data=b'{"ok": 1}', timeout=30).status_code == 200
        outside = [
            f"/{BUCKET}/runs/{OTHER_RUN}/t4g.micro/result.json",  # another run
            f"/{BUCKET}/runs/{RUN}/m5.large/result.json",  # another type of this run
            f"/{BUCKET}/runs/{RUN}/t4g.micro/status.json",  # another key of this type
            f"/{BUCKET}/runs/{RUN}/t4g.micro/../../../manifest.json",  # a climb out
            f"/{BUCKET}/runs/{RUN}/manifest.json",
            f"/{BUCKET}-other/runs/{RUN}/t4g.micro/result.json",  # another bucket
        ]
        for path in outside:
            answer = requests.put(_with_path(url, path), data=b"{}", timeout=30)
            assert answer.status_code == 403, path
        assert requests.delete(url, timeout=30).status_code == 403
        assert requests.get(url, timeout=30).status_code == 403
        assert aws.keys() == [f"runs/{RUN}/t4g.micro/result.json"]
    assert verdicts.accepted == [("PUT", f"/{BUCKET}/runs/{RUN}/t4g.micro/result.json")]
    assert {why for *_, why in verdicts.refused} == {"SignatureDoesNotMatch"}
    assert len(verdicts.refused) == len(outside) + 2


def test_urls_expire_shortly_after_the_dead_man_timer(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        put = _urls(aws.s3)["log"]
        get = presign(aws.s3, "GET", BUCKET, f"runs/{RUN}/source.tar.gz", LIFETIME_S)
    signed = datetime.strptime(parse_qs(urlsplit(put).query)["X-Amz-Date"][0], "%Y%m%dT%H%M%SZ")
    signed = signed.replace(tzinfo=UTC)
    for method, url in (("PUT", put), ("GET", get)):
        assert verify(method, url, SECRET_KEY, now=signed + timedelta(minutes=104)) is None
        assert verify(method, url, SECRET_KEY, now=signed + timedelta(minutes=106)) == "expired"
    assert verify("PUT", put, "some-other-secret") == "SignatureDoesNotMatch"
