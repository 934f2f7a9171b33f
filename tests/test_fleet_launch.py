"""``fleet run --detach`` against the local AWS: what each launched instance looks like."""

from __future__ import annotations

import base64
import re
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import pytest

from stockbench.cli import main
from stockbench.fleet.launch import launch_params

from .local_aws import ACCESS_KEY, BUCKET, REGION, SECRET_KEY, LocalAws, local_aws

TYPES = {"t4g.micro": "arm64", "t2.micro": "x86_64", "m5.large": "x86_64", "c6g.medium": "arm64"}
IMAGE = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{}"
RUN_ID = re.compile(r"Run (sb-\d{8}-\d{6}-[0-9a-f]{4}) launched")


def detach(aws: LocalAws, capsys: pytest.CaptureFixture[str], *extra: str) -> str:
    argv = ["fleet", "run", "--types", ",".join(TYPES), "--region", REGION, "--bucket", BUCKET]
    assert main([*argv, "--yes", "--detach", *extra]) == 0
    found = RUN_ID.search(capsys.readouterr().out)
    assert found, "no run id printed"
    return found[1]


def user_data(aws: LocalAws, instance_id: str) -> str:
    attr = aws.ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")
    return base64.b64decode(attr["UserData"]["Value"]).decode("utf-8")


def test_four_types_launch_locked_down_with_their_architectures_image(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        run = detach(aws, capsys)
        ssm = aws.session.client("ssm")
        images = {
            arch: ssm.get_parameter(Name=IMAGE.format(arch))["Parameter"]["Value"]
            for arch in ("arm64", "x86_64")
        }
        instances = aws.instances(run)
        assert sorted(i["InstanceType"] for i in instances) == sorted(TYPES)
        for inst in instances:
            iid, itype = inst["InstanceId"], inst["InstanceType"]
            tags = {t["Key"]: t["Value"] for t in inst["Tags"]}
            assert tags == {
                "Name": f"stockbench {run} {itype}",
                "stockbench:run": run,
                "stockbench:type": itype,
                "stockbench:bucket": BUCKET,
            }
            assert inst["ImageId"] == images[TYPES[itype]]
            assert inst["MetadataOptions"]["HttpTokens"] == "required"
            assert "KeyName" not in inst
            assert "InstanceLifecycle" not in inst  # on-demand unless --spot
            shutdown = aws.ec2.describe_instance_attribute(
                InstanceId=iid, Attribute="instanceInitiatedShutdownBehavior"
            )
            assert shutdown["InstanceInitiatedShutdownBehavior"]["Value"] == "terminate"
            volumes = aws.ec2.describe_volumes(
                Filters=[{"Name": "attachment.instance-id", "Values": [iid]}]
            )["Volumes"]
            assert [v["Size"] for v in volumes] == [16]
            (nic,) = inst["NetworkInterfaces"]
            assert "PublicIp" in nic["Association"]  # to reach S3 and PyPI
            (group,) = nic["Groups"]
            described = aws.ec2.describe_security_groups(GroupIds=[group["GroupId"]])
            assert described["SecurityGroups"][0]["IpPermissions"] == []
            assert group["GroupName"] == f"stockbench-{run}"

            script = user_data(aws, iid)
            assert script.startswith("#!/bin/bash\n")
            assert "set -euo pipefail" in script
            assert "MAX_MINUTES=90\n" in script
            dead_man = script.index('$SHUTDOWN "+$MAX_MINUTES"')
            assert dead_man < script.index("begin_phase fetch")  # the timer comes first
            assert f"ARCH={TYPES[itype]}\n" in script
            urls = re.findall(r"^(\w+_URL)='(.+)'$", script, re.MULTILINE)
            assert {name for name, _ in urls} == {
                "SOURCE_URL",
                "PUT_RESULT_URL",
                "PUT_LOG_URL",
                "PUT_STATUS_URL",
            }
            for name, url in urls:
                parts = urlsplit(url)
                query = parse_qs(parts.query)
                assert query["X-Amz-Expires"] == [str(90 * 60 + 15 * 60)]
                assert "X-Amz-Signature" in query
                own = f"/{BUCKET}/runs/{run}/" + ("" if name == "SOURCE_URL" else f"{itype}/")
                assert parts.path.startswith(own), (name, parts.path)
            # no secret: the secret key, session tokens and credential variables stay home
            assert SECRET_KEY not in script
            assert "X-Amz-Security-Token" not in script
            assert "AWS_SECRET_ACCESS_KEY" not in script
            assert "AWS_SESSION_TOKEN" not in script
            assert script.count(ACCESS_KEY) == 4  # the key id, inside each signature scope only
        assert aws.keys(f"runs/{run}/") == [
            f"runs/{run}/manifest.json",
            f"runs/{run}/source.tar.gz",
        ]


def test_temporary_credentials_are_refused_before_anything_starts(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        monkeypatch.setenv("AWS_SESSION_TOKEN", "FwoGZXIvYXdzEFakeSessionToken")
        argv = ["fleet", "run", "--types", "t4g.micro", "--bucket", BUCKET, "--yes", "--detach"]
        assert main(argv) == 2  # unusable credentials: a usage error
        err = capsys.readouterr().err
        assert "session token" in err
        assert len(err.strip().splitlines()) == 1
        assert aws.instances() == []
        assert aws.keys() == []


def test_spot_and_key_pair_only_when_asked() -> None:
    base = {
        "run_id": "sb-20261126-120000-abcd",
        "bucket": BUCKET,
        "instance_type": "t4g.micro",
        "image_id": "ami-1",
        "root_device": "/dev/xvda",
        "subnet_id": "subnet-1",
        "security_group_id": "sg-1",
        "user_data": "#!/bin/bash\n",
    }
    plain = launch_params(**base, spot=False, key_name=None)
    assert "InstanceMarketOptions" not in plain
    assert "KeyName" not in plain
    asked = launch_params(**base, spot=True, key_name="me")
    assert asked["InstanceMarketOptions"]["MarketType"] == "spot"
    assert asked["InstanceMarketOptions"]["SpotOptions"]["InstanceInterruptionBehavior"] == (
        "terminate"
    )
    assert asked["KeyName"] == "me"
