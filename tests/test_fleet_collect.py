"""``fleet collect``: only files that match their status record's checksum come home."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from stockbench.fleet.aws import connect
from stockbench.fleet.collect import collect_type
from stockbench.fleet.manifest import Manifest, TypeRecord
from stockbench.fleet.storage import type_key

from .local_aws import BUCKET, REGION, LocalAws, local_aws

RUN = "sb-20261126-120000-abcd"
RESULT = json.dumps({"machine_info": {"cpu_count_logical": 2}, "benchmarks": []}).encode()


def upload(aws: LocalAws, itype: str, result: bytes, claimed: bytes, log: bytes = b"ok\n") -> None:
    status = {
        "phase": "done",
        "bench_exit_code": 0,
        "phases_s": {"install": 212.5, "bench": 1800.0},
        "result_name": f"0001_{itype}.json",
        "result_sha256": hashlib.sha256(claimed).hexdigest(),
        "log_sha256": hashlib.sha256(log).hexdigest(),
    }
    for what, body in (("result", result), ("log", log), ("status", json.dumps(status).encode())):
        aws.s3.put_object(Bucket=BUCKET, Key=type_key(RUN, itype, what), Body=body)


def manifest(spot: bool, price: float | None = None) -> Manifest:
    record = TypeRecord("t4g.micro", instance_id="i-1", spot_price_usd_per_hour=price)
    return Manifest(RUN, 0.0, REGION, BUCKET, REGION, 90, spot, types=[record])


def test_a_result_that_does_not_match_its_checksum_is_not_used(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        upload(aws, "t4g.micro", result=RESULT + b" ", claimed=RESULT)
        m = manifest(spot=False)
        got = collect_type(connect(None, REGION), m, m.types[0], tmp_path / "out")
    assert got.result is None
    assert got.problem == "the result does not match its checksum: not used"
    assert sorted(p.name for p in (tmp_path / "out" / "t4g.micro").iterdir()) == [
        "bench.log",
        "status.json",
    ]


def test_a_verified_spot_result_carries_the_spot_price(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        upload(aws, "t4g.micro", result=RESULT, claimed=RESULT)
        m = manifest(spot=True, price=0.0031)
        got = collect_type(connect(None, REGION), m, m.types[0], tmp_path / "out")
    assert got.result == tmp_path / "out" / "t4g.micro" / "0001_t4g.micro.json"
    assert (got.install_s, got.bench_s) == (212.5, 1800.0)
    saved = json.loads(got.result.read_text())
    assert saved["machine_info"] == {"cpu_count_logical": 2, "ec2_spot_price_usd_per_hour": 0.0031}


def test_an_on_demand_result_comes_home_byte_for_byte(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        upload(aws, "t4g.micro", result=RESULT, claimed=RESULT, log=b"half")
        aws.s3.put_object(Bucket=BUCKET, Key=type_key(RUN, "t4g.micro", "log"), Body=b"other")
        m = manifest(spot=False)
        got = collect_type(connect(None, REGION), m, m.types[0], tmp_path / "out")
    assert got.result is not None
    assert got.result.read_bytes() == RESULT
    folder = tmp_path / "out" / "t4g.micro"
    assert not (folder / "bench.log").exists()  # a log that fails its checksum is set apart
    assert (folder / "bench.log.unverified").read_bytes() == b"other"
