"""The run's objects in S3, and the presigned URLs that let an instance reach them.

Layout, all under ``runs/<run-id>/``: ``manifest.json`` and ``source.tar.gz`` written by
the controller; ``<type>/result.json``, ``<type>/bench.log`` and ``<type>/status.json``
written by the instance. Each instance gets one presigned GET (the source) and one
presigned PUT per fixed result key of its own type; a SigV4 signature covers the method
and the key, so such a URL cannot write anywhere else (``tests/test_fleet_urls.py``).
"""

from __future__ import annotations

import json
from typing import Any

from stockbench.errors import FleetError
from stockbench.fleet.aws import Client, api, call, pages
from stockbench.fleet.plan import TYPE_NAME, check_run_id

RESULT_FILES = {"result": "result.json", "log": "bench.log", "status": "status.json"}
URL_GRACE_S = 15 * 60  # URLs outlive the dead-man timer by this much, no more


def run_prefix(run_id: str) -> str:
    return f"runs/{check_run_id(run_id)}/"


def manifest_key(run_id: str) -> str:
    return run_prefix(run_id) + "manifest.json"


def source_key(run_id: str) -> str:
    return run_prefix(run_id) + "source.tar.gz"


def type_key(run_id: str, instance_type: str, what: str) -> str:
    """The fixed key of one of an instance's uploads (``result``, ``log`` or ``status``)."""
    if not TYPE_NAME.match(instance_type):
        raise ValueError(f"not an instance type: {instance_type!r}")
    return f"{run_prefix(run_id)}{instance_type}/{RESULT_FILES[what]}"


def url_lifetime_s(max_minutes: int) -> int:
    return max_minutes * 60 + URL_GRACE_S


def presign(s3: Client, method: str, bucket: str, key: str, expires_s: int) -> str:
    operation = {"GET": "get_object", "PUT": "put_object"}[method]
    url: str = call(
        lambda: s3.generate_presigned_url(
            operation, Params={"Bucket": bucket, "Key": key}, ExpiresIn=expires_s, HttpMethod=method
        ),
        f"presign {method} s3://{bucket}/{key}",
    )
    return url


def upload_urls(
    s3: Client, bucket: str, run_id: str, instance_type: str, expires_s: int
) -> dict[str, str]:
    """One presigned PUT per fixed result key of ``instance_type`` in this run."""
    return {
        what: presign(s3, "PUT", bucket, type_key(run_id, instance_type, what), expires_s)
        for what in RESULT_FILES
    }


def bucket_region(s3: Client, bucket: str) -> str:
    where = api(s3, "get_bucket_location", f"find bucket {bucket}", Bucket=bucket)
    return str(where.get("LocationConstraint") or "us-east-1")


def put_bytes(s3: Client, bucket: str, key: str, data: bytes) -> None:
    api(s3, "put_object", f"upload s3://{bucket}/{key}", Bucket=bucket, Key=key, Body=data)


def put_json(s3: Client, bucket: str, key: str, doc: Any) -> None:
    put_bytes(s3, bucket, key, json.dumps(doc, indent=2, sort_keys=True).encode("utf-8"))


def get_bytes(s3: Client, bucket: str, key: str) -> bytes | None:
    """The object's bytes, or None when it does not exist (yet)."""
    try:
        body = api(s3, "get_object", f"download s3://{bucket}/{key}", Bucket=bucket, Key=key)
    except FleetError as exc:
        if exc.code in {"NoSuchKey", "404"}:
            return None
        raise
    data: bytes = call(body["Body"].read, f"download s3://{bucket}/{key}")
    return data


def get_json(s3: Client, bucket: str, key: str) -> dict[str, Any] | None:
    """A JSON object stored at ``key``; None when absent or not a JSON object."""
    data = get_bytes(s3, bucket, key)
    if data is None:
        return None
    try:
        doc = json.loads(data)
    except (UnicodeDecodeError, json.JSONDecodeError):
        return None
    return doc if isinstance(doc, dict) else None


def delete_keys(s3: Client, bucket: str, prefix: str) -> int:
    """Delete every object whose key starts with ``prefix``; returns how many."""
    listed = pages(
        s3,
        "list_objects_v2",
        "Contents",
        f"list s3://{bucket}/{prefix}",
        Bucket=bucket,
        Prefix=prefix,
    )
    keys = [o["Key"] for o in listed]
    for start in range(0, len(keys), 1000):
        chunk = [{"Key": k} for k in keys[start : start + 1000]]
        api(
            s3,
            "delete_objects",
            f"delete under s3://{bucket}/{prefix}",
            Bucket=bucket,
            Delete={"Objects": chunk, "Quiet": True},
        )
    return len(keys)
