"""A fleet run from plan to teardown: upload the checkout, launch one instance per type,
and, when it is over or interrupted, leave nothing running."""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path

from stockbench.errors import ConfigError
from stockbench.fleet.aws import Aws, connect
from stockbench.fleet.bootstrap import BootConfig, render
from stockbench.fleet.bundle import Bundle
from stockbench.fleet.cleanup import Sweep, live_instances, sweep, terminate
from stockbench.fleet.collect import collect_and_report
from stockbench.fleet.discover import Image, Network, spot_prices
from stockbench.fleet.launch import Launched, create_security_group, launch, launch_params
from stockbench.fleet.manifest import Manifest, TypeRecord, load_local, save_local
from stockbench.fleet.monitor import watch
from stockbench.fleet.plan import Plan, TypePlan
from stockbench.fleet.storage import (
    bucket_region,
    delete_keys,
    get_json,
    manifest_key,
    presign,
    put_bytes,
    put_json,
    run_prefix,
    source_key,
    upload_urls,
    url_lifetime_s,
)

Say = Callable[[str], None]


@dataclass(frozen=True)
class Launch:
    """What the controller needs to start a planned run."""

    plan: Plan
    images: dict[str, Image]
    network: Network
    bucket_region: str
    bundle: Bundle
    bench_args: Sequence[str]
    profile: str | None = None
    key_name: str | None = None


def refuse_session_token(aws: Aws) -> None:
    """Presigned URLs signed with temporary credentials carry the session token."""
    if aws.credentials_token():
        raise ConfigError(
            "these AWS credentials are temporary (they have a session token), and every "
            "presigned URL in the user data would carry it; run `fleet run` with the "
            "long-term keys of an IAM user holding the README's policy"
        )


def _record(tp: TypePlan) -> TypeRecord:
    return TypeRecord(
        instance_type=tp.instance_type,
        architecture=tp.architecture,
        memory_mib=tp.memory_mib,
        image_id=tp.image_id,
        price_usd_per_hour=tp.price_usd_per_hour,
        not_launched=tp.rejected,
    )


def _launch_one(aws: Aws, job: Launch, manifest: Manifest, tp: TypePlan, source_url: str) -> str:
    record = manifest.record(tp.instance_type)
    ec2 = aws.client("ec2")
    s3 = aws.client("s3", job.bucket_region)
    expires = url_lifetime_s(job.plan.max_minutes)
    # a runnable type has both
    assert tp.architecture is not None
    assert tp.image_id is not None
    user_data = render(
        BootConfig(
            run_id=manifest.run_id,
            instance_type=tp.instance_type,
            architecture=tp.architecture,
            memory_mib=tp.memory_mib or 0,
            max_minutes=job.plan.max_minutes,
            source_url=source_url,
            source_sha256=job.bundle.sha256,
            put_urls=upload_urls(s3, manifest.bucket, manifest.run_id, tp.instance_type, expires),
            bench_args=job.bench_args,
            project_version=job.bundle.version,
            project_commit=job.bundle.commit,
        )
    )
    image_id, root_device = tp.image_id, job.images[tp.architecture].root_device
    started = launch(
        ec2,
        {z: job.network.subnets[z] for z in tp.zones},
        lambda subnet: launch_params(
            run_id=manifest.run_id,
            bucket=manifest.bucket,
            instance_type=tp.instance_type,
            image_id=image_id,
            root_device=root_device,
            subnet_id=subnet,
            security_group_id=str(manifest.security_group_id),
            user_data=user_data,
            spot=job.plan.spot,
            key_name=job.key_name,
        ),
    )
    if not isinstance(started, Launched):
        record.not_launched = started.cause
        return f"{tp.instance_type}: not launched: {started.cause}"
    record.instance_id, record.zone = started.instance_id, started.zone
    record.launched_at = started.launched_at
    if job.plan.spot:
        record.spot_price_usd_per_hour = spot_prices(ec2, tp.instance_type).get(started.zone)
    return f"{tp.instance_type}: launched {started.instance_id} in {started.zone}"


def _short(commit: str) -> str:
    return commit[:12] + ("+dirty" if commit.endswith("+dirty") else "")


def start(aws: Aws, job: Launch, say: Say) -> Manifest:
    """Upload the checkout, create the security group, launch every runnable type."""
    plan = job.plan
    manifest = Manifest(
        run_id=plan.run_id,
        created_at=time.time(),
        region=plan.region,
        bucket=plan.bucket,
        bucket_region=job.bucket_region,
        max_minutes=plan.max_minutes,
        spot=plan.spot,
        profile=job.profile,
        bench_args=list(job.bench_args),
        source={k: v for k, v in asdict(job.bundle).items() if k != "path"},
        types=[_record(tp) for tp in plan.types],
    )
    save_local(manifest)
    s3 = aws.client("s3", job.bucket_region)
    put_json(s3, plan.bucket, manifest_key(plan.run_id), manifest.to_dict())
    put_bytes(s3, plan.bucket, source_key(plan.run_id), job.bundle.path.read_bytes())
    say(
        f"Uploaded the checkout ({job.bundle.files} files, {job.bundle.size_bytes // 1024} KiB, "
        f"commit {_short(job.bundle.commit)}) to s3://{plan.bucket}/{source_key(plan.run_id)}"
    )
    manifest.security_group_id = create_security_group(
        aws.client("ec2"), plan.run_id, job.network.vpc_id, plan.bucket
    )
    save_local(manifest)
    source_url = presign(
        s3, "GET", plan.bucket, source_key(plan.run_id), url_lifetime_s(plan.max_minutes)
    )
    for tp in plan.runnable:
        say(_launch_one(aws, job, manifest, tp, source_url))
        save_local(manifest)
    put_json(s3, plan.bucket, manifest_key(plan.run_id), manifest.to_dict())
    return manifest


def stop_everything(aws: Aws, run_id: str, known: Sequence[str]) -> list[str]:
    """Terminate every instance of the run: the known ids and any other tagged with it."""
    ec2 = aws.client("ec2")
    ids = sorted({*known, *(i.resource_id for i in live_instances(ec2, run_id))})
    terminate(ec2, ids)
    return ids


def follow(aws: Aws, manifest: Manifest, *, poll_s: float, out: Path, say: Say, tty: bool) -> bool:
    """Watch a launched run to its end, then collect, report and tidy up; whether every
    type came home clean and nothing is left running."""
    say("")
    rows = watch(
        aws,
        manifest,
        poll_s=poll_s,
        out=say,
        tty=tty,
        on_timeout=lambda ids: terminate(aws.client("ec2"), ids),
    )
    for row in rows:
        if row.outcome != "done" or row.cause:
            say(f"\n{row.instance_type}: {row.outcome}: {row.cause}")
            for line in row.detail.splitlines():
                say(f"  | {line}")
    lines, good = collect_and_report(aws, manifest, out)
    for line in lines:
        say(line)
    swept = tidy(aws, manifest, wait_s=poll_s * 20)
    for group, cause in swept.groups_kept:
        say(f"Security group {group.resource_id} kept: {cause} (stockbench fleet cleanup)")
    left = [i.resource_id for i in live_instances(aws.client("ec2"), manifest.run_id)]
    say(f"Instances of run {manifest.run_id} still running: {', '.join(left) or 'none'}.")
    clean = all(r.outcome == "done" and not r.cause for r in rows)
    return clean and good == len(rows) and not left


def delete_run_objects(aws: Aws, bucket: str, run_id: str, *, results: bool) -> int:
    """Delete the run's source bundle (and all its results when ``results``) from S3."""
    s3 = aws.client("s3", bucket_region(aws.client("s3"), bucket))
    return delete_keys(s3, bucket, run_prefix(run_id) if results else source_key(run_id))


def tidy(aws: Aws, manifest: Manifest, *, wait_s: float) -> Sweep:
    """After a run: terminate stragglers, delete the security group and the source bundle."""
    swept = sweep(aws.client("ec2"), manifest.run_id, wait_s=wait_s)
    delete_run_objects(aws, manifest.bucket, manifest.run_id, results=False)
    manifest.cleaned_at = time.time()
    save_local(manifest)
    return swept


def find_manifest(
    run_id: str, *, bucket: str | None, region: str | None, profile: str | None
) -> tuple[Aws, Manifest]:
    """The run's record from this machine, else from ``s3://BUCKET/runs/RUN/``."""
    manifest = load_local(run_id)
    if manifest is None:
        if bucket is None:
            raise ConfigError(
                f"run {run_id} is not recorded on this machine: name its bucket (and region)",
                setting="bucket",
            )
        aws = connect(profile, region)
        s3 = aws.client("s3", bucket_region(aws.client("s3"), bucket))
        doc = get_json(s3, bucket, manifest_key(run_id))
        if doc is None:
            raise ConfigError(f"no run {run_id} in s3://{bucket}/")
        manifest = Manifest.from_dict(doc, f"s3://{bucket}/{manifest_key(run_id)}")
        save_local(manifest)
    return connect(profile or manifest.profile, manifest.region), manifest


def clean_region(
    aws: Aws,
    *,
    run_id: str | None,
    records: Sequence[Manifest],
    bucket: str | None,
    delete_results: bool,
    wait_s: float,
) -> tuple[list[str], bool]:
    """``fleet cleanup`` in ``aws.region``: what was done, and whether something was kept."""
    swept = sweep(aws.client("ec2"), run_id, wait_s=wait_s)
    lines = [
        f"terminated {i.resource_id} ({i.detail}) of run {i.run_id} in {aws.region}"
        for i in swept.instances
    ]
    lines += [
        f"deleted security group {g.resource_id} of run {g.run_id}" for g in swept.groups_deleted
    ]
    lines += [
        f"kept security group {g.resource_id} of run {g.run_id}: {cause}"
        for g, cause in swept.groups_kept
    ]
    # runs by their bucket: recorded here, or named by the tags of what was just swept
    buckets = {m.run_id: m.bucket for m in records if delete_results or not m.cleaned_at}
    for item in [*swept.instances, *swept.groups_deleted]:
        if item.bucket:
            buckets.setdefault(item.run_id, item.bucket)
    if run_id and bucket:
        buckets.setdefault(run_id, bucket)
    for run, where in sorted(buckets.items()):
        count = delete_run_objects(aws, where, run, results=delete_results)
        what = "objects" if delete_results else "source bundle"
        lines.append(f"deleted {count} {what} of run {run} in s3://{where}/runs/{run}/")
    for manifest in records:
        manifest.cleaned_at = manifest.cleaned_at or time.time()
        save_local(manifest)
    if not lines:
        lines.append(f"Nothing to clean up in {aws.region}.")
    return lines, bool(swept.groups_kept)
