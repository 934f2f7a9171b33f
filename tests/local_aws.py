"""A local AWS for the fleet tests: moto's server on a loopback port, fake credentials,
and boto3 pointed at it through ``AWS_ENDPOINT_URL`` (no other address is reachable).

One server per test process, reset before each use; every use gets an empty account with
one results bucket in ``REGION``.
"""

from __future__ import annotations

import functools
import logging
import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import boto3
import pytest
import requests
from moto.server import ThreadedMotoServer

REGION = "ap-northeast-2"
BUCKET = "sb-results"
ACCESS_KEY = "AKIAFLEETTESTS000000"
SECRET_KEY = "fleet-test-secret-key-must-never-leave-this-machine"
RUN_TAG = "stockbench:run"


@functools.cache
def _server() -> str:
    logging.getLogger("werkzeug").setLevel(logging.WARNING)  # a line per request otherwise
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    return f"http://{host}:{port}"


def aws_env(endpoint: str, state: Path) -> dict[str, str]:
    """What a process needs to reach the local AWS, and nothing else of the user's."""
    return {
        "AWS_ENDPOINT_URL": endpoint,
        "AWS_ACCESS_KEY_ID": ACCESS_KEY,
        "AWS_SECRET_ACCESS_KEY": SECRET_KEY,
        "AWS_DEFAULT_REGION": REGION,
        "AWS_CONFIG_FILE": os.devnull,
        "AWS_SHARED_CREDENTIALS_FILE": os.devnull,
        "AWS_EC2_METADATA_DISABLED": "true",
        "STOCKBENCH_FLEET_HOME": str(state),
    }


@dataclass
class LocalAws:
    endpoint: str
    env: Mapping[str, str]
    session: Any

    @property
    def ec2(self) -> Any:
        return self.session.client("ec2")

    @property
    def s3(self) -> Any:
        return self.session.client("s3")

    def instances(self, run_id: str | None = None) -> list[dict[str, Any]]:
        filters = [{"Name": f"tag:{RUN_TAG}", "Values": [run_id]}] if run_id else []
        found = self.ec2.describe_instances(Filters=filters)["Reservations"]
        return [i for r in found for i in r["Instances"]]

    def states(self, run_id: str | None = None) -> dict[str, str]:
        return {i["InstanceId"]: i["State"]["Name"] for i in self.instances(run_id)}

    def keys(self, prefix: str = "") -> list[str]:
        listed = self.s3.list_objects_v2(Bucket=BUCKET, Prefix=prefix).get("Contents", [])
        return sorted(o["Key"] for o in listed)


@contextmanager
def local_aws(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[LocalAws]:
    """An empty local AWS with the results bucket, and this process's env pointing at it."""
    endpoint = _server()
    requests.post(f"{endpoint}/moto-api/reset", timeout=30).raise_for_status()
    env = aws_env(endpoint, tmp_path / "fleet-state")
    for name in [n for n in os.environ if n.startswith("AWS_")]:
        monkeypatch.delenv(name)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    session = boto3.Session(
        aws_access_key_id=ACCESS_KEY, aws_secret_access_key=SECRET_KEY, region_name=REGION
    )
    session.client("s3").create_bucket(
        Bucket=BUCKET, CreateBucketConfiguration={"LocationConstraint": REGION}
    )
    yield LocalAws(endpoint, env, session)
