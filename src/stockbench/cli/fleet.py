"""``stockbench fleet``: run the study on EC2 instances and bring the results home.

``fleet run`` plans, asks, launches one instance per type, watches them, collects and
reports, and leaves nothing running; ``status``, ``collect``, ``list`` and ``cleanup``
work on a run later, from its id.
"""

from __future__ import annotations

import argparse
import math
import signal
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, TypeVar

from stockbench.cli.common import (
    EXIT_FAILURE,
    EXIT_INTERRUPTED,
    EXIT_USAGE,
    CliError,
    usage_error,
)
from stockbench.errors import ConfigError

T = TypeVar("T")


def _checked(fn: Callable[[str], T]) -> Callable[[str], T]:
    def parse(text: str) -> T:
        try:
            return fn(text)
        except ConfigError as exc:  # argparse names the flag itself
            raise argparse.ArgumentTypeError(exc.message) from exc
        except ValueError as exc:
            raise argparse.ArgumentTypeError(str(exc)) from exc

    return parse


def _positive_number(text: str) -> float:
    value = float(text)
    if not math.isfinite(value) or value <= 0:
        raise ValueError(f"must be a number > 0, got {text}")
    return value


def _key_name(text: str) -> str:
    if not text.strip() or len(text) > 255 or not text.isprintable():
        raise ValueError(f"not a key pair name: {text!r}")
    return text


def register(sub: Any) -> None:
    from stockbench.fleet import plan

    fleet = sub.add_parser("fleet", help="run the study on EC2 instances and collect it")
    cmds = fleet.add_subparsers(dest="fleet_command", required=True)
    run_id = _checked(plan.check_run_id)
    region = _checked(plan.check_region)
    bucket = _checked(plan.check_bucket)

    def aws_options(p: argparse.ArgumentParser, need_bucket: bool = False) -> None:
        p.add_argument("--region", type=region, help="AWS region (default: boto3's)")
        p.add_argument("--profile", help="AWS profile (default: boto3's chain)")
        p.add_argument(
            "--bucket",
            type=bucket,
            required=need_bucket,
            help="S3 bucket for the code and results"
            + ("" if need_bucket else " (only for a run not recorded on this machine)"),
        )

    run = cmds.add_parser(
        "run",
        help="launch one instance per type, run the bench on each, collect, report",
        description="Arguments after -- go to `stockbench bench` on every instance.",
        allow_abbrev=False,  # an abbreviated or mistyped flag must not pass as a bench argument
    )
    run.add_argument(
        "--types",
        required=True,
        type=_checked(plan.parse_types),
        help="instance types, comma-separated (t4g.micro,t2.micro,m5.large)",
    )
    aws_options(run, need_bucket=True)
    run.add_argument(
        "--spot", action="store_true", help="spot instances (priced at most on-demand)"
    )
    run.add_argument(
        "--max-minutes",
        type=_checked(lambda t: plan.check_max_minutes(float(t))),
        default=90,
        help="dead-man timer: every instance is gone after this",
    )
    run.add_argument("--detach", action="store_true", help="return once launched")
    run.add_argument("--yes", action="store_true", help="no confirmation of the plan")
    run.add_argument("--key-name", type=_checked(_key_name), help="an EC2 key pair (default none)")
    run.add_argument("--source", type=Path, help="checkout to run (default: this one)")
    run.add_argument("--out", type=Path, help="results folder (default stockbench-fleet/RUN)")
    run.add_argument(
        "--poll-seconds",
        type=_checked(_positive_number),
        default=15.0,
        help="how often to look at the instances (default %(default)s)",
    )
    run.set_defaults(run=_guarded(cmd_run), passes_unknown_args=True)

    status = cmds.add_parser("status", help="where each instance of a run is")
    status.add_argument("run_id", type=run_id, metavar="RUN")
    aws_options(status)
    status.set_defaults(run=_guarded(cmd_status))

    collect = cmds.add_parser("collect", help="download, verify and report a run's results")
    collect.add_argument("run_id", type=run_id, metavar="RUN")
    collect.add_argument("--out", type=Path, help="folder (default stockbench-fleet/RUN)")
    aws_options(collect)
    collect.set_defaults(run=_guarded(cmd_collect))

    listing = cmds.add_parser("list", help="runs recorded here, and any instance still tagged")
    aws_options(listing)
    listing.set_defaults(run=_guarded(cmd_list))

    cleanup = cmds.add_parser("cleanup", help="terminate and delete what a run left behind")
    cleanup.add_argument(
        "run_id",
        type=run_id,
        nargs="?",
        metavar="RUN",
        help="one run (default: every run tagged in the region)",
    )
    aws_options(cleanup)
    cleanup.add_argument(
        "--delete-results", action="store_true", help="also delete the run's results in S3"
    )
    cleanup.add_argument(
        "--wait-minutes",
        type=_checked(_positive_number),
        default=5.0,
        help="wait this long for instances to terminate (default %(default)s)",
    )
    cleanup.set_defaults(run=_guarded(cmd_cleanup))


def _guarded(cmd: Callable[..., int]) -> Callable[..., int]:
    """Ctrl-C outside a launch (which handles it itself) ends the command with 130."""

    def run(args: argparse.Namespace, rest: Sequence[str] = ()) -> int:
        try:
            return cmd(args, rest) if rest else cmd(args)
        except KeyboardInterrupt:
            print(f"\nstockbench fleet {args.fleet_command}: interrupted", file=sys.stderr)
            return EXIT_INTERRUPTED

    return run


def say(text: str) -> None:
    print(text, flush=True)


def _bench_args(rest: Sequence[str]) -> list[str]:
    if not rest:
        return []
    if rest[0] != "--":
        raise CliError(
            f"unrecognized arguments: {' '.join(rest)} (arguments for `stockbench bench` "
            "go after --)",
            EXIT_USAGE,
        )
    return list(rest[1:])


def _confirm(question: str) -> bool:
    if not sys.stdin.isatty():
        raise CliError("the plan needs a confirmation: run in a terminal or pass --yes", EXIT_USAGE)
    try:
        return input(f"{question} [y/N] ").strip().lower() in {"y", "yes"}
    except EOFError:
        return False


def cmd_run(args: argparse.Namespace, rest: Sequence[str] = ()) -> int:
    from stockbench.fleet import aws as fleet_aws
    from stockbench.fleet.bundle import find_checkout, make_bundle
    from stockbench.fleet.discover import build_plan, default_network
    from stockbench.fleet.manifest import load_local
    from stockbench.fleet.plan import format_plan, new_run_id
    from stockbench.fleet.run import (
        Launch,
        follow,
        refuse_session_token,
        start,
        stop_everything,
    )
    from stockbench.fleet.storage import bucket_region
    from stockbench.report.prices import load_prices

    bench_args = _bench_args(rest)
    checkout = find_checkout(args.source)
    aws = fleet_aws.connect(args.profile, args.region)
    refuse_session_token(aws)
    network = default_network(aws.client("ec2"), aws.region)
    try:
        plan, images = build_plan(
            aws,
            run_id=new_run_id(),
            types=args.types,
            bucket=args.bucket,
            max_minutes=args.max_minutes,
            spot=args.spot,
            prices=load_prices(),
            network=network,
        )
    except ConfigError as exc:  # a type AWS does not know: the flag is wrong
        raise usage_error(exc) from exc
    say(format_plan(plan))
    if not plan.runnable:
        raise CliError(f"none of the types can run in {plan.region}: nothing started")
    where = bucket_region(aws.client("s3"), plan.bucket)
    if not args.yes and not _confirm(f"Launch {len(plan.runnable)} instance(s)?"):
        say("Not confirmed: nothing started.")
        return EXIT_FAILURE
    with tempfile.TemporaryDirectory(prefix="stockbench-fleet-") as tmp:
        bundle = make_bundle(checkout, Path(tmp) / "source.tar.gz")
        job = Launch(plan, images, network, where, bundle, bench_args, args.profile, args.key_name)
        try:
            manifest = start(aws, job, say)
            if args.detach:
                say(
                    f"\nRun {plan.run_id} launched. Watch: stockbench fleet status {plan.run_id}"
                    f"\nThen: stockbench fleet collect {plan.run_id} --out DIR; "
                    f"stockbench fleet cleanup {plan.run_id}"
                )
                return 0
            out = args.out or Path("stockbench-fleet") / manifest.run_id
            ok = follow(
                aws, manifest, poll_s=args.poll_seconds, out=out, say=say, tty=sys.stdout.isatty()
            )
            return 0 if ok else EXIT_FAILURE
        except KeyboardInterrupt:
            signal.signal(signal.SIGINT, signal.SIG_IGN)  # a second Ctrl-C must not stop this
            record = load_local(plan.run_id)
            known = [t.instance_id for t in (record.types if record else []) if t.instance_id]
            ids = stop_everything(aws, plan.run_id, known)
            print(
                f"\nInterrupted: terminated {len(ids)} instance(s) of run {plan.run_id}"
                f"{': ' + ', '.join(ids) if ids else ''}. The rest goes with "
                f"`stockbench fleet cleanup {plan.run_id}`.",
                file=sys.stderr,
                flush=True,
            )
            return EXIT_INTERRUPTED


def _collect(aws: Any, manifest: Any, out: Path | None) -> int:
    from stockbench.fleet.collect import collect_and_report

    lines, count = collect_and_report(
        aws, manifest, out or Path("stockbench-fleet") / manifest.run_id
    )
    for line in lines:
        say(line)
    return count


def cmd_status(args: argparse.Namespace) -> int:
    from stockbench.fleet.cleanup import live_instances
    from stockbench.fleet.monitor import format_table, observe
    from stockbench.fleet.run import find_manifest

    aws, manifest = find_manifest(
        args.run_id, bucket=args.bucket, region=args.region, profile=args.profile
    )
    rows = observe(aws, manifest, {}, time.time())
    say(
        f"Run {manifest.run_id} in {manifest.region}, s3://{manifest.bucket}/runs/"
        f"{manifest.run_id}/, dead-man {manifest.max_minutes} min"
    )
    say(format_table(rows))
    left = live_instances(aws.client("ec2"), manifest.run_id)
    say(f"Live instances: {len(left)}.")
    if all(r.outcome for r in rows):
        say(f"Finished: stockbench fleet collect {manifest.run_id} --out DIR")
    return 0


def cmd_collect(args: argparse.Namespace) -> int:
    from stockbench.fleet.run import find_manifest

    aws, manifest = find_manifest(
        args.run_id, bucket=args.bucket, region=args.region, profile=args.profile
    )
    if not _collect(aws, manifest, args.out):
        raise CliError(f"run {manifest.run_id} has no verified result yet")
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    from stockbench.fleet.aws import connect
    from stockbench.fleet.cleanup import live_instances
    from stockbench.fleet.manifest import list_local

    runs = list_local()
    regions = {m.region for m in runs} | {connect(args.profile, args.region).region}
    live: dict[str, list[str]] = {}
    for region in sorted(regions):
        for item in live_instances(connect(args.profile, region).client("ec2"), None):
            live.setdefault(item.run_id, []).append(item.resource_id)
    say(f"{'RUN':<26}{'REGION':<16}{'BUCKET':<24}{'LIVE':>5}  TYPES")
    for m in runs:
        types = ",".join(t.instance_type for t in m.types)
        say(f"{m.run_id:<26}{m.region:<16}{m.bucket:<24}{len(live.pop(m.run_id, [])):>5}  {types}")
    for run_id, ids in sorted(live.items()):
        say(f"{run_id:<26}{'?':<16}{'?':<24}{len(ids):>5}  (not recorded on this machine)")
    return 0


def cmd_cleanup(args: argparse.Namespace) -> int:
    from stockbench.fleet.aws import connect

    records = _records(args.run_id)
    regions = [args.region] if args.region else sorted({m.region for m in records})
    if not regions:
        regions = [connect(args.profile, None).region]
    kept = False
    for region in regions:
        kept |= _cleanup_region(args, region, [m for m in records if m.region == region])
    return EXIT_FAILURE if kept else 0


def _records(run_id: str | None) -> list[Any]:
    from stockbench.fleet.manifest import list_local, load_local

    return [m for m in ([load_local(run_id)] if run_id else list_local()) if m]


def _cleanup_region(args: argparse.Namespace, region: str, records: list[Any]) -> bool:
    """Clean up one region; whether something had to be kept."""
    from stockbench.fleet.aws import connect
    from stockbench.fleet.run import clean_region

    lines, kept = clean_region(
        connect(args.profile, region),
        run_id=args.run_id,
        records=records,
        bucket=args.bucket,
        delete_results=args.delete_results,
        wait_s=args.wait_minutes * 60,
    )
    for line in lines:
        say(line)
    return kept
