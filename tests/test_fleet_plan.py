"""Flags, names and the plan's cost: refused with one clear line, before anything starts."""

from __future__ import annotations

import sys
from datetime import UTC, datetime
from pathlib import Path

import pytest

from stockbench.cli import main
from stockbench.errors import ConfigError
from stockbench.fleet.plan import (
    Plan,
    TypePlan,
    check_run_id,
    format_plan,
    new_run_id,
    parse_types,
)

from .local_aws import BUCKET, REGION, local_aws

RUN = "sb-20261126-120000-abcd"
BASE = ["fleet", "run", "--types", "t4g.micro", "--bucket", BUCKET, "--yes"]


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["fleet", "run", "--types", "", "--bucket", BUCKET], "--types: is empty"),
        (["fleet", "run", "--types", " , ", "--bucket", BUCKET], "--types: is empty"),
        (["fleet", "run", "--types", "t4g.micro,,m5.large", "--bucket", BUCKET], "''"),
        (["fleet", "run", "--types", "../t4g.micro", "--bucket", BUCKET], "not an instance type"),
        (["fleet", "run", "--types", "t4g.micro,t4g.micro", "--bucket", BUCKET], "listed twice"),
        ([*BASE, "--max-minutes", "nan"], "whole number from 1 to 1440"),
        ([*BASE, "--max-minutes", "inf"], "whole number from 1 to 1440"),
        ([*BASE, "--max-minutes", "-5"], "whole number from 1 to 1440"),
        ([*BASE, "--max-minutes", "0"], "whole number from 1 to 1440"),
        ([*BASE, "--max-minutes", "1.5"], "whole number from 1 to 1440"),
        ([*BASE, "--max-minutes", "ninety"], "could not convert"),
        ([*BASE, "--poll-seconds", "nan"], "must be a number > 0"),
        ([*BASE, "--poll-seconds", "-1"], "must be a number > 0"),
        ([*BASE, "--region", "../ap-northeast-2"], "not an AWS region name"),
        ([*BASE, "--key-name", ""], "not a key pair name"),
        (["fleet", "run", "--types", "t4g.micro", "--bucket", "Bad_Bucket"], "not an S3 bucket"),
        (["fleet", "run", "--types", "t4g.micro", "--bucket", "a..b"], "not an S3 bucket"),
        (["fleet", "run", "--types", "t4g.micro"], "--bucket"),
        (["fleet", "status", "../../etc"], "not a run id"),
        (["fleet", "collect", "sb-20261126-120000-abcd/../x"], "not a run id"),
        (["fleet", "cleanup", "runs"], "not a run id"),
        (["fleet", "cleanup", "--wait-minutes", "nan"], "must be a number > 0"),
    ],
)
def test_bad_flags_are_usage_errors_with_a_clear_message(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    with pytest.raises(SystemExit) as exit_:
        main(argv)
    assert exit_.value.code == 2
    err = capsys.readouterr().err
    assert message in err
    assert "Traceback" not in err


def test_bench_arguments_must_come_after_a_double_dash(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        assert main([*BASE, "--max-minute", "5"]) == 2  # no abbreviations either
        assert main([*BASE, "-k", "parse"]) == 2
        assert aws.instances() == []
    assert "arguments for `stockbench bench` go after --" in capsys.readouterr().err


def test_an_unknown_type_is_a_usage_error_naming_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["fleet", "run", "--types", "t4g.micro,t4g.mirco", "--bucket", BUCKET, "--yes"]
    with local_aws(monkeypatch, tmp_path) as aws:
        assert main(argv) == 2
        assert aws.instances() == []
    err = capsys.readouterr().err
    assert (
        err == f"stockbench fleet: error: --types: unknown instance type in {REGION}: t4g.mirco\n"
    )


def test_the_plan_needs_a_confirmation_and_no_is_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["fleet", "run", "--types", "t4g.micro", "--bucket", BUCKET]
    with local_aws(monkeypatch, tmp_path) as aws:
        monkeypatch.setattr(sys.stdin, "isatty", lambda: True)
        monkeypatch.setattr("builtins.input", lambda prompt: "n")
        assert main(argv) == 1
        assert "Not confirmed: nothing started." in capsys.readouterr().out
        monkeypatch.setattr(sys.stdin, "isatty", lambda: False)
        assert main(argv) == 2
        assert "pass --yes" in capsys.readouterr().err
        assert aws.instances() == []
        assert aws.keys() == []


def test_missing_boto3_says_how_to_install_it(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STOCKBENCH_FLEET_HOME", str(tmp_path))
    monkeypatch.setitem(sys.modules, "boto3", None)  # import boto3 -> ImportError
    assert main(["fleet", "status", RUN, "--bucket", BUCKET]) == 2  # an unusable setup
    assert capsys.readouterr().err == (
        "stockbench fleet: error: stockbench fleet needs boto3: pip install 'stockbench[fleet]'\n"
    )


def test_parse_types_keeps_order_and_strips_spaces() -> None:
    assert parse_types(" t4g.micro, m7i-flex.large ") == ("t4g.micro", "m7i-flex.large")
    with pytest.raises(ConfigError, match=r"listed twice: m5\.large"):
        parse_types("m5.large,t2.micro,m5.large")


def test_new_run_ids_pass_their_own_check() -> None:
    run = new_run_id(datetime(2026, 11, 26, 13, 5, 9, tzinfo=UTC))
    assert check_run_id(run) == run
    assert run.startswith("sb-20261126-130509-")


def _row(text: str, instance_type: str) -> list[str]:
    (line,) = [ln.split() for ln in text.splitlines() if ln.split()[:1] == [instance_type]]
    return line[1:]


def _plan(*types: TypePlan, spot: bool = False) -> Plan:
    return Plan(RUN, REGION, BUCKET, 90, spot, types, {"arm64": "ami-1 (al2023)"}, "2026-11")


def test_worst_case_is_price_times_max_minutes_and_unpriced_types_are_named() -> None:
    plan = _plan(
        TypePlan("t4g.micro", "arm64", 2, 1024, price_usd_per_hour=0.0104),
        TypePlan("m5.large", "x86_64", 2, 8192, price_usd_per_hour=0.118),
        TypePlan("c6g.medium", "arm64", 1, 2048, price_usd_per_hour=None),
        TypePlan("u-6tb1.metal", rejected=f"not offered in {REGION}"),
    )
    assert plan.worst_case_usd() == pytest.approx((0.0104 + 0.118) * 1.5)
    text = format_plan(plan)
    assert _row(text, "t4g.micro") == ["arm64", "2", "1024", "MiB", "$0.0104", "$0.02"]
    assert _row(text, "m5.large") == ["x86_64", "2", "8192", "MiB", "$0.1180", "$0.18"]
    assert _row(text, "c6g.medium") == ["arm64", "1", "2048", "MiB", "no", "price", "no", "price"]
    assert " ".join(_row(text, "u-6tb1.metal")) == f"- - - - rejected: not offered in {REGION}"
    assert (
        "\nWorst case: $0.19 for 3 instance(s), not counting c6g.medium "
        "(no price in the table of 2026-11).\n"
    ) in text
    assert "t4g.micro: unlimited CPU credits by default" in text
    assert "m5.large: unlimited" not in text


def test_a_spot_plan_shows_the_spot_price_and_caps_at_on_demand() -> None:
    plan = _plan(
        TypePlan("t4g.micro", "arm64", 2, 1024, price_usd_per_hour=0.0104,
                 spot_price_usd_per_hour=0.0031),
        spot=True,
    )  # fmt: skip
    text = format_plan(plan)
    assert "$0.0104 (spot now $0.0031)" in text
    assert "spot (priced at most on-demand)" in text
    assert "Worst case: $0.02 for 1 instance(s)." in text


def test_a_type_not_offered_in_the_region_is_rejected_and_the_others_go_on(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["fleet", "run", "--bucket", BUCKET, "--yes", "--detach", "--types"]
    with local_aws(monkeypatch, tmp_path) as aws:
        assert main([*argv, "t4g.micro,a1.medium"]) == 0
        launched = sorted(i["InstanceType"] for i in aws.instances())
        printed = capsys.readouterr().out
        assert main([*argv, "a1.medium"]) == 1
        assert len(aws.instances()) == 1
    assert launched == ["t4g.micro"]
    assert _row(printed, "a1.medium") == [
        "-",
        "-",
        "-",
        "-",
        "rejected:",
        "not",
        "offered",
        "in",
        REGION,
    ]
    assert "Worst case: $0.02 for 1 instance(s)." in printed
    assert f"none of the types can run in {REGION}: nothing started" in capsys.readouterr().err
