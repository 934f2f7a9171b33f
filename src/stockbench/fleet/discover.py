"""What the region offers: each type's architecture and memory, where it is offered, the
Amazon Linux 2023 image for its architecture, spot prices, the default VPC's subnets.

Amazon Linux 2023 is the image because AWS publishes it for arm64 and x86_64 under one
public SSM parameter name each, and it packages Python 3.11 (``dnf install python3.11``)
on both; its own system Python (3.9) is too old for stockbench.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from stockbench.errors import ConfigError, FleetError
from stockbench.fleet.aws import Aws, Client, api, pages
from stockbench.fleet.plan import Plan, TypePlan
from stockbench.report.prices import PriceTable

IMAGE_PARAMETER = "/aws/service/ami-amazon-linux-latest/al2023-ami-kernel-default-{arch}"
ARCHITECTURES = ("arm64", "x86_64")
SPOT_PRODUCTS = ["Linux/UNIX", "Linux/UNIX (Amazon VPC)"]


@dataclass(frozen=True)
class Image:
    image_id: str
    name: str
    root_device: str


@dataclass(frozen=True)
class Network:
    vpc_id: str
    subnets: dict[str, str]  # availability zone -> default subnet id


def describe_types(ec2: Client, region: str, types: tuple[str, ...]) -> dict[str, dict[str, Any]]:
    """DescribeInstanceTypes for ``types``; names AWS does not know are a usage error."""
    try:
        found = api(
            ec2, "describe_instance_types", "describe instance types", InstanceTypes=[*types]
        )
    except FleetError as exc:
        if exc.code != "InvalidInstanceType":
            raise
        unknown = [t for t in types if not _known(ec2, t)]
        raise ConfigError(
            f"unknown instance type in {region}: {', '.join(unknown)}", setting="types"
        ) from exc
    return {d["InstanceType"]: d for d in found["InstanceTypes"]}


def _known(ec2: Client, instance_type: str) -> bool:
    try:
        api(
            ec2, "describe_instance_types", "describe instance types", InstanceTypes=[instance_type]
        )
    except FleetError as exc:
        if exc.code == "InvalidInstanceType":
            return False
        raise
    return True


def architecture(description: dict[str, Any]) -> str | None:
    supported = description.get("ProcessorInfo", {}).get("SupportedArchitectures", [])
    return next((a for a in ARCHITECTURES if a in supported), None)


def offered_zones(ec2: Client, types: tuple[str, ...]) -> dict[str, tuple[str, ...]]:
    offers = pages(
        ec2,
        "describe_instance_type_offerings",
        "InstanceTypeOfferings",
        "describe instance type offerings",
        LocationType="availability-zone",
        Filters=[{"Name": "instance-type", "Values": [*types]}],
    )
    zones: dict[str, set[str]] = {t: set() for t in types}
    for offer in offers:
        zones.setdefault(offer["InstanceType"], set()).add(offer["Location"])
    return {t: tuple(sorted(z)) for t, z in zones.items()}


def image_for(aws: Aws, arch: str) -> Image:
    name = IMAGE_PARAMETER.format(arch=arch)
    param = api(aws.client("ssm"), "get_parameter", f"read {name}", Name=name)
    image_id = param["Parameter"]["Value"]
    images = api(aws.client("ec2"), "describe_images", f"describe {image_id}", ImageIds=[image_id])[
        "Images"
    ]
    if not images:
        raise FleetError(f"{name} names {image_id}, which is not visible", action="find image")
    return Image(
        image_id, images[0].get("Name", name), images[0].get("RootDeviceName", "/dev/xvda")
    )


def spot_prices(ec2: Client, instance_type: str) -> dict[str, float]:
    """The latest spot price in each zone, USD per hour."""
    history = api(
        ec2,
        "describe_spot_price_history",
        f"spot prices of {instance_type}",
        InstanceTypes=[instance_type],
        ProductDescriptions=SPOT_PRODUCTS,
        StartTime=datetime.now(UTC),
    )["SpotPriceHistory"]
    latest: dict[str, tuple[datetime, float]] = {}
    for item in history:
        zone, stamp = item["AvailabilityZone"], item["Timestamp"]
        if zone not in latest or stamp > latest[zone][0]:
            latest[zone] = (stamp, float(item["SpotPrice"]))
    return {zone: price for zone, (_, price) in latest.items()}


def default_network(ec2: Client, region: str) -> Network:
    vpcs = api(
        ec2,
        "describe_vpcs",
        "find the default VPC",
        Filters=[{"Name": "isDefault", "Values": ["true"]}],
    )["Vpcs"]
    if not vpcs:
        raise FleetError(
            f"{region} has no default VPC; create one (aws ec2 create-default-vpc)",
            action="find the default VPC",
        )
    vpc_id = vpcs[0]["VpcId"]
    subnets = api(
        ec2,
        "describe_subnets",
        "find the default subnets",
        Filters=[
            {"Name": "vpc-id", "Values": [vpc_id]},
            {"Name": "default-for-az", "Values": ["true"]},
        ],
    )["Subnets"]
    return Network(vpc_id, {s["AvailabilityZone"]: s["SubnetId"] for s in subnets})


def build_plan(
    aws: Aws,
    *,
    run_id: str,
    types: tuple[str, ...],
    bucket: str,
    max_minutes: int,
    spot: bool,
    prices: PriceTable,
    network: Network,
) -> tuple[Plan, dict[str, Image]]:
    """The plan for ``types`` in ``aws.region``, and the image of each architecture used."""
    ec2 = aws.client("ec2")
    described = describe_types(ec2, aws.region, types)
    zones = offered_zones(ec2, types)
    images: dict[str, Image] = {}
    planned: list[TypePlan] = []
    for name in types:
        desc = described[name]
        arch = architecture(desc)
        usable = tuple(z for z in zones.get(name, ()) if z in network.subnets)
        rejected = None
        if arch is None:
            rejected = "neither arm64 nor x86_64"
        elif not zones.get(name):
            rejected = f"not offered in {aws.region}"
        elif not usable:
            rejected = "not offered in any zone with a default subnet"
        if arch and not rejected and arch not in images:
            images[arch] = image_for(aws, arch)
        spot_now = None
        if spot and not rejected:
            in_zones = [p for z, p in spot_prices(ec2, name).items() if z in usable]
            spot_now = min(in_zones) if in_zones else None
        planned.append(
            TypePlan(
                instance_type=name,
                architecture=arch,
                vcpus=desc.get("VCpuInfo", {}).get("DefaultVCpus"),
                memory_mib=desc.get("MemoryInfo", {}).get("SizeInMiB"),
                zones=usable,
                image_id=images[arch].image_id if arch in images else None,
                price_usd_per_hour=prices.price(aws.region, name),
                spot_price_usd_per_hour=spot_now,
                rejected=rejected,
            )
        )
    shown = {arch: f"{img.image_id} ({img.name})" for arch, img in images.items()}
    plan = Plan(run_id, aws.region, bucket, max_minutes, spot, tuple(planned), shown, prices.as_of)
    return plan, images
