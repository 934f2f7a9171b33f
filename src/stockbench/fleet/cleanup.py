"""Leaving nothing behind: every instance still tagged for a run terminated, the run's
security group deleted, its source bundle (and on request its results) removed from S3.

Found by tags, not only by the run's record, so an instance whose launch answer never
arrived (Ctrl-C during RunInstances) is found as well.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

from stockbench.errors import FleetError
from stockbench.fleet.aws import Client, api, pages
from stockbench.fleet.launch import TAG_BUCKET, TAG_RUN, TAG_TYPE

LIVE_STATES = ["pending", "running", "stopping", "stopped", "shutting-down"]


@dataclass(frozen=True)
class Leftover:
    resource_id: str
    run_id: str
    detail: str  # instance type and state, or "security group"
    bucket: str | None = None


@dataclass
class Sweep:
    instances: list[Leftover] = field(default_factory=list)
    groups_deleted: list[Leftover] = field(default_factory=list)
    groups_kept: list[tuple[Leftover, str]] = field(default_factory=list)


def _tag_filter(run_id: str | None) -> dict[str, Any]:
    if run_id:
        return {"Name": f"tag:{TAG_RUN}", "Values": [run_id]}
    return {"Name": "tag-key", "Values": [TAG_RUN]}


def _tagged(
    ec2: Client, operation: str, key: str, run_id: str | None, *filters: dict[str, Any]
) -> list[dict[str, Any]]:
    """Every item of a paginated Describe call tagged for ``run_id`` (any run when None)."""
    return pages(
        ec2, operation, key, f"find the run's {key}", Filters=[_tag_filter(run_id), *filters]
    )


def _tags(resource: dict[str, Any]) -> dict[str, str]:
    return {t["Key"]: t["Value"] for t in resource.get("Tags") or []}


def live_instances(ec2: Client, run_id: str | None) -> list[Leftover]:
    """Instances tagged for ``run_id`` (any run when None) that are not terminated."""
    live = {"Name": "instance-state-name", "Values": LIVE_STATES}
    reservations = _tagged(ec2, "describe_instances", "Reservations", run_id, live)
    found = []
    for reservation in reservations:
        for inst in reservation["Instances"]:
            tags = _tags(inst)
            detail = f"{tags.get(TAG_TYPE, inst.get('InstanceType'))} {inst['State']['Name']}"
            found.append(Leftover(inst["InstanceId"], tags[TAG_RUN], detail, tags.get(TAG_BUCKET)))
    return found


def run_groups(ec2: Client, run_id: str | None) -> list[Leftover]:
    groups = _tagged(ec2, "describe_security_groups", "SecurityGroups", run_id)
    return [
        Leftover(g["GroupId"], _tags(g)[TAG_RUN], "security group", _tags(g).get(TAG_BUCKET))
        for g in groups
    ]


def terminate(ec2: Client, ids: list[str]) -> None:
    if ids:
        api(ec2, "terminate_instances", "terminate the run's instances", InstanceIds=ids)


def wait_gone(ec2: Client, ids: list[str], timeout_s: float, poll_s: float = 5.0) -> bool:
    """Whether every instance in ``ids`` reached ``terminated`` within ``timeout_s``."""
    stop = time.monotonic() + timeout_s
    while True:
        found = api(
            ec2,
            "describe_instances",
            "wait for termination",
            Filters=[
                {"Name": "instance-id", "Values": ids},
                {"Name": "instance-state-name", "Values": LIVE_STATES},
            ],
        )
        if not any(r["Instances"] for r in found["Reservations"]):
            return True
        if time.monotonic() > stop:
            return False
        time.sleep(poll_s)


def delete_group(ec2: Client, group_id: str, timeout_s: float, poll_s: float = 5.0) -> str | None:
    """Delete a security group, waiting while an instance still holds it; None or the cause."""
    stop = time.monotonic() + timeout_s
    while True:
        try:
            api(ec2, "delete_security_group", f"delete {group_id}", GroupId=group_id)
        except FleetError as exc:
            if exc.code == "InvalidGroup.NotFound":
                return None
            if exc.code != "DependencyViolation" or time.monotonic() > stop:
                return str(exc)
            time.sleep(poll_s)
            continue
        return None


def sweep(ec2: Client, run_id: str | None, *, wait_s: float, poll_s: float = 5.0) -> Sweep:
    """Terminate the live instances of ``run_id`` (every run when None), then delete its
    security groups once their instances are gone."""
    done = Sweep(instances=live_instances(ec2, run_id))
    ids = [i.resource_id for i in done.instances]
    terminate(ec2, ids)
    if ids:
        wait_gone(ec2, ids, wait_s, poll_s)
    for group in run_groups(ec2, run_id):
        cause = delete_group(ec2, group.resource_id, wait_s, poll_s)
        if cause is None:
            done.groups_deleted.append(group)
        else:
            done.groups_kept.append((group, cause))
    return done
