"""``fleet cleanup`` finds what a run left behind by its tags, even without a record of it."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from stockbench.cli import main

from .local_aws import BUCKET, local_aws
from .test_fleet_launch import detach


def test_cleanup_finds_leftovers_by_their_tags(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        run = detach(aws, capsys)
        bystander = aws.ec2.run_instances(ImageId="ami-12c6146b", MinCount=1, MaxCount=1)
        other_id = bystander["Instances"][0]["InstanceId"]
        shutil.rmtree(aws.env["STOCKBENCH_FLEET_HOME"])  # this machine forgot the run
        assert main(["fleet", "cleanup", "--wait-minutes", "0.05"]) == 0
        printed = capsys.readouterr().out
        states = aws.states(run)
        groups = aws.ec2.describe_security_groups(
            Filters=[{"Name": "tag:stockbench:run", "Values": [run]}]
        )["SecurityGroups"]
        keys = aws.keys()
        bystander_state = aws.states()[other_id]
        assert main(["fleet", "cleanup"]) == 0
        again = capsys.readouterr().out
    assert len(states) == 4
    assert set(states.values()) == {"terminated"}
    assert printed.count("terminated i-") == 4
    assert f"of run {run}" in printed
    assert "deleted security group sg-" in printed
    assert groups == []
    assert f"deleted 1 source bundle of run {run} in s3://{BUCKET}/runs/{run}/" in printed
    assert keys == [f"runs/{run}/manifest.json"]
    assert bystander_state == "running"  # not tagged for a run: not ours to end
    assert again.strip() == "Nothing to clean up in ap-northeast-2."


def test_cleanup_of_one_run_can_delete_its_results_too(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        first = detach(aws, capsys)
        second = detach(aws, capsys)
        argv = ["fleet", "cleanup", first, "--delete-results", "--wait-minutes", "0.05"]
        assert main(argv) == 0
        cleaned, kept = aws.states(first), aws.states(second)
        keys = aws.keys()
    assert len(cleaned) == len(kept) == 4
    assert set(cleaned.values()) == {"terminated"}
    assert set(kept.values()) == {"running"}
    assert not [k for k in keys if k.startswith(f"runs/{first}/")]
    assert f"runs/{second}/source.tar.gz" in keys


def test_list_shows_recorded_runs_and_live_instances_it_has_no_record_of(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        run = detach(aws, capsys)
        assert main(["fleet", "list"]) == 0
        recorded = capsys.readouterr().out.splitlines()
        shutil.rmtree(aws.env["STOCKBENCH_FLEET_HOME"])
        assert main(["fleet", "list"]) == 0
        forgotten = capsys.readouterr().out.splitlines()
    assert recorded[1].split() == [
        run, "ap-northeast-2", BUCKET, "4", "t4g.micro,t2.micro,m5.large,c6g.medium"
    ]  # fmt: skip
    assert forgotten[1].split() == [
        run,
        "?",
        "?",
        "4",
        "(not",
        "recorded",
        "on",
        "this",
        "machine)",
    ]
