"""Starting the instances of a run: a security group with no inbound rule, then one
instance per type, each tried in every zone that offers it until one has capacity.

Every instance: IMDSv2 only, terminate on shutdown, no key pair unless asked, a root
volume big enough for torch, spot when asked, and tags naming the run and its type.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from stockbench.errors import FleetError
from stockbench.fleet.aws import ZONE_CODES, Client, api
from stockbench.fleet.plan import ROOT_VOLUME_GIB

TAG_RUN = "stockbench:run"
TAG_TYPE = "stockbench:type"
TAG_BUCKET = "stockbench:bucket"


@dataclass(frozen=True)
class Launched:
    instance_id: str
    zone: str
    launched_at: float


@dataclass(frozen=True)
class NotLaunched:
    cause: str


def tags(run_id: str, bucket: str, instance_type: str | None = None) -> list[dict[str, str]]:
    found = [
        {"Key": "Name", "Value": f"stockbench {run_id} {instance_type or ''}".strip()},
        {"Key": TAG_RUN, "Value": run_id},
        {"Key": TAG_BUCKET, "Value": bucket},
    ]
    if instance_type:
        found.append({"Key": TAG_TYPE, "Value": instance_type})
    return found


def create_security_group(ec2: Client, run_id: str, vpc_id: str, bucket: str) -> str:
    """A group for this run's instances: outbound only (HTTPS to S3 and PyPI)."""
    group = api(
        ec2,
        "create_security_group",
        "create the run's security group",
        GroupName=f"stockbench-{run_id}",
        Description=f"stockbench fleet run {run_id}: no inbound rule",
        VpcId=vpc_id,
        TagSpecifications=[{"ResourceType": "security-group", "Tags": tags(run_id, bucket)}],
    )
    group_id: str = group["GroupId"]
    described = api(
        ec2, "describe_security_groups", "check the security group", GroupIds=[group_id]
    )["SecurityGroups"][0]
    if described.get("IpPermissions"):
        # a new group has none; one that has them is not ours to trust
        raise FleetError(f"security group {group_id} has inbound rules", action="security group")
    return group_id


def launch_params(
    *,
    run_id: str,
    bucket: str,
    instance_type: str,
    image_id: str,
    root_device: str,
    subnet_id: str,
    security_group_id: str,
    user_data: str,
    spot: bool,
    key_name: str | None,
) -> dict[str, Any]:
    """The RunInstances request for one instance of the run in one subnet. A public IPv4
    address whatever the subnet's default: the instance must reach S3 and PyPI."""
    params: dict[str, Any] = {
        "ImageId": image_id,
        "InstanceType": instance_type,
        "MinCount": 1,
        "MaxCount": 1,
        "NetworkInterfaces": [
            {
                "DeviceIndex": 0,
                "SubnetId": subnet_id,
                "Groups": [security_group_id],
                "AssociatePublicIpAddress": True,
                "DeleteOnTermination": True,
            }
        ],
        "UserData": user_data,
        "InstanceInitiatedShutdownBehavior": "terminate",
        "MetadataOptions": {
            "HttpTokens": "required",
            "HttpEndpoint": "enabled",
            "HttpPutResponseHopLimit": 1,
        },
        "BlockDeviceMappings": [
            {
                "DeviceName": root_device,
                "Ebs": {
                    "VolumeSize": ROOT_VOLUME_GIB,
                    "VolumeType": "gp3",
                    "DeleteOnTermination": True,
                },
            }
        ],
        "TagSpecifications": [
            {"ResourceType": kind, "Tags": tags(run_id, bucket, instance_type)}
            for kind in ("instance", "volume")
        ],
    }
    if spot:
        params["InstanceMarketOptions"] = {
            "MarketType": "spot",
            "SpotOptions": {
                "SpotInstanceType": "one-time",
                "InstanceInterruptionBehavior": "terminate",
            },
        }
    if key_name:
        params["KeyName"] = key_name
    return params


def launch(
    ec2: Client, zones: dict[str, str], params_for: Callable[[str], dict[str, Any]]
) -> Launched | NotLaunched:
    """Try each zone (zone -> subnet) in turn; a capacity or offering refusal moves on."""
    causes: list[str] = []
    for zone, subnet in zones.items():
        try:
            started = api(ec2, "run_instances", f"launch in {zone}", **params_for(subnet))
        except FleetError as exc:
            if exc.code not in ZONE_CODES:
                return NotLaunched(str(exc))
            causes.append(str(exc))
            continue
        return Launched(started["Instances"][0]["InstanceId"], zone, time.time())
    return NotLaunched("; ".join(causes) or "no zone with a default subnet offers it")
