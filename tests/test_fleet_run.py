"""``fleet run`` end to end against the local AWS: instances "boot" by running their own
user data on this machine (``fake_ec2``), upload through presigned URLs that a SigV4
verifier checks (``sigv4_proxy``), and the run collects and reports what came back."""

from __future__ import annotations

import json
import os
import shutil
import signal
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from botocore.awsrequest import AWSResponse

from stockbench.cli import main
from stockbench.fleet import aws as fleet_aws

from .fake_ec2 import FakeHypervisor
from .local_aws import BUCKET, REGION, SECRET_KEY, LocalAws, local_aws
from .sigv4_proxy import sigv4_proxy
from .test_fleet_launch import detach

STOCKBENCH = str(Path(sys.executable).with_name("stockbench"))
SMOKE = ["--", "-k", "parse_page", "-p", "no:cacheprovider"]


def fleet_run(types: str, out: Path, *extra: str) -> list[str]:
    return [
        "fleet", "run", "--types", types, "--region", REGION, "--bucket", BUCKET, "--yes",
        "--poll-seconds", "0.5", "--out", str(out), *extra,
    ]  # fmt: skip


def run_id_of(aws: LocalAws) -> str:
    (run,) = {
        t["Value"] for i in aws.instances() for t in i["Tags"] if t["Key"] == "stockbench:run"
    }
    return run


def test_run_boots_each_type_uploads_collects_and_reports(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "results"
    with (
        local_aws(monkeypatch, tmp_path) as aws,
        sigv4_proxy(aws.endpoint, SECRET_KEY) as (s3_origin, verdicts),
    ):
        monkeypatch.setenv("AWS_ENDPOINT_URL_S3", s3_origin)
        ec2 = FakeHypervisor(aws.session, tmp_path / "instances")
        with ec2.running():
            status = main(fleet_run("t4g.micro,m5.large", out, "--spot", *SMOKE))
        printed = capsys.readouterr().out
        run = run_id_of(aws)
        states = aws.states(run)
        groups = aws.ec2.describe_security_groups(
            Filters=[{"Name": "tag:stockbench:run", "Values": [run]}]
        )["SecurityGroups"]
        kept = aws.keys(f"runs/{run}/")
    assert status == 0, printed
    for itype in ("t4g.micro", "m5.large"):
        booted = ec2.by_type(itype)
        assert booted.process is not None
        assert booted.process.returncode == 0, booted.process.stdout[-3000:]
        assert booted.shutdown_calls == ["+90", "now"]  # dead-man at boot, then the end
        log = (out / itype / "bench.log").read_text()
        # the bundle's own code ran, and `stockbench bench` saved under its save name
        assert f"stockbench 0.1.0 from {booted.workdir}/src/src/stockbench/__init__.py" in log
        assert f"/.benchmarks/{itype}/" in log
        record = json.loads((out / itype / "status.json").read_text())
        assert record["phase"] == "done"
        assert record["bench_exit_code"] == 0
        assert set(record["phases_s"]) == {"boot", "fetch", "install", "bench", "upload"}
        saved = json.loads((out / itype / f"0001_{itype}.json").read_text())
        assert {b["name"] for b in saved["benchmarks"]} == {
            "test_parse_page",
            "test_parse_page_original",
        }
        assert saved["machine_info"]["ec2_spot_price_usd_per_hour"] > 0
    report = (out / "report.md").read_text().splitlines()
    assert report[0] == "# stockbench: which instance, for the money"
    assert report[2].startswith("Baseline instance: **t4g.micro**.")  # the first type listed
    table = "\n".join(report)
    assert "| t4g.micro | 1 |" in table
    assert "| m5.large | 1 |" in table
    assert "TYPE          INSTANCE" in printed
    assert "t4g.micro" in printed
    assert "done" in printed
    # every upload and the source download passed the signature check; none was refused
    assert verdicts.refused == []
    assert sorted({(m, p.rsplit("/", 1)[-1]) for m, p in verdicts.accepted}) == [
        ("GET", "source.tar.gz"),
        ("PUT", "bench.log"),
        ("PUT", "result.json"),
        ("PUT", "status.json"),
    ]
    # nothing left behind but the results
    assert set(states.values()) == {"terminated"}
    assert groups == []
    assert f"runs/{run}/source.tar.gz" not in kept
    assert f"runs/{run}/t4g.micro/result.json" in kept
    assert f"Instances of run {run} still running: none." in printed


def _no_capacity_for(instance_type: str) -> Any:
    """A botocore hook answering RunInstances for ``instance_type`` as AWS does when a zone
    is out of capacity (moto cannot produce this)."""

    def handler(params: dict[str, Any], **_: Any) -> Any:
        if params["body"].get("InstanceType") != instance_type:
            return None
        error = {
            "Error": {
                "Code": "InsufficientInstanceCapacity",
                "Message": f"We currently do not have sufficient {instance_type} capacity",
            }
        }
        return AWSResponse("https://ec2.local", 500, {}, None), error

    return handler


def test_one_type_rejected_one_failing_one_lost_and_the_others_complete(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    real_connect = fleet_aws.connect

    def connect(profile: str | None, region: str | None) -> fleet_aws.Aws:
        aws = real_connect(profile, region)
        aws.session.events.register("before-call.ec2.RunInstances", _no_capacity_for("c6g.medium"))
        return aws

    monkeypatch.setattr(fleet_aws, "connect", connect)
    out = tmp_path / "results"
    with local_aws(monkeypatch, tmp_path) as aws:
        ec2 = FakeHypervisor(
            aws.session,
            tmp_path / "instances",
            behaviour={"t2.micro": "vanish"},
            installs={"m5.large": "echo 'pip: Killed (out of memory)' >&2; exit 137"},
        )
        with ec2.running():
            status = main(fleet_run("t4g.micro,c6g.medium,t2.micro,m5.large", out, *SMOKE))
        printed = capsys.readouterr().out
        run = run_id_of(aws)
        states = aws.states(run)
    assert status == 1
    # the capacity refusal is named with AWS's code, for every zone that was tried
    assert (
        "c6g.medium: not launched: launch in ap-northeast-2a: AWS has no free capacity" in printed
    )
    assert "(InsufficientInstanceCapacity)" in printed
    for zone in "abcd":  # every zone that offers it was tried before giving up
        assert f"launch in ap-northeast-2{zone}: AWS has no free capacity" in printed
    # the vanished instance is lost, and its console output is shown
    assert "t2.micro: lost: instance terminated before its final status record" in printed
    assert "  | Linux version 2.6.16-xenU" in printed
    # the failed install is reported with its exit code and the uploaded log's tail
    assert "m5.large: failed: install failed (exit 137)" in printed
    assert "  | pip: Killed (out of memory)" in printed
    # and the healthy type went on to the end
    assert (out / "t4g.micro" / "0001_t4g.micro.json").is_file()
    assert "| t4g.micro | 1 |" in (out / "report.md").read_text()
    assert "  t2.micro: nothing: no status record" in printed
    assert set(states.values()) == {"terminated"}
    assert len(states) == 3


def test_ctrl_c_terminates_every_instance_of_the_run(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        env = {**{k: v for k, v in os.environ.items() if not k.startswith("AWS_")}, **aws.env}
        argv = [STOCKBENCH, *fleet_run("t4g.micro,t2.micro,m5.large,c6g.medium", tmp_path / "o")]
        with subprocess.Popen(
            argv,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # the child takes Ctrl-C as a user's shell gives it, whatever pytest ignores
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
        ) as proc:
            assert proc.stdout is not None
            seen: list[str] = []
            for line in proc.stdout:  # the live table starts once all four are launched
                seen.append(line)
                if line.startswith("TYPE "):
                    break
            launched = [line for line in seen if ": launched i-" in line]
            proc.send_signal(signal.SIGINT)
            _, err = proc.communicate(timeout=120)
        run = run_id_of(aws)
        states = aws.states(run)
    assert len(launched) == 4, seen
    assert proc.returncode == 130, err
    assert f"Interrupted: terminated 4 instance(s) of run {run}" in err
    assert "Traceback" not in err
    assert len(states) == 4
    assert set(states.values()) == {"terminated"}


def test_status_finds_a_run_recorded_here_or_only_in_its_bucket(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        run = detach(aws, capsys)
        assert main(["fleet", "status", run]) == 0
        here = capsys.readouterr().out
        shutil.rmtree(aws.env["STOCKBENCH_FLEET_HOME"])  # another machine
        assert main(["fleet", "status", run]) == 2  # which bucket? a usage error
        unknown = capsys.readouterr().err
        assert main(["fleet", "status", run, "--bucket", BUCKET]) == 0
        from_s3 = capsys.readouterr().out
        key = f"runs/{run}/manifest.json"
        doc = json.loads(aws.s3.get_object(Bucket=BUCKET, Key=key)["Body"].read())
        doc["types"][0]["instance_type"] = "../../etc"
        aws.s3.put_object(Bucket=BUCKET, Key=key, Body=json.dumps(doc).encode())
        shutil.rmtree(aws.env["STOCKBENCH_FLEET_HOME"])
        assert (
            main(["fleet", "collect", run, "--bucket", BUCKET, "--out", str(tmp_path / "o")]) == 1
        )
        tampered = capsys.readouterr().err
    assert [ln.split()[:4] for ln in here.splitlines()] == [
        ln.split()[:4] for ln in from_s3.splitlines()
    ]  # the same table, elapsed times aside
    assert "Live instances: 4." in here
    assert sum(" booting " in line for line in here.splitlines()) == 4
    assert f"--bucket: run {run} is not recorded on this machine: name its bucket" in unknown
    assert "not a stockbench fleet manifest (instance type '../../etc')" in tampered
    assert not (tmp_path / "etc").exists()
