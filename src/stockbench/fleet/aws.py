"""The one door to AWS: a boto3 session from the standard chain, and botocore's errors
translated into :class:`~stockbench.errors.FleetError` by a table.

Credentials, profile and region come from boto3's chain (environment, ``~/.aws``, SSO,
``--profile``); ``AWS_ENDPOINT_URL`` (and ``AWS_ENDPOINT_URL_<SERVICE>``) is honoured by
botocore itself, which is how the tests reach a local AWS. boto3 is an optional extra.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from stockbench.errors import ConfigError, FleetError
from stockbench.imds import keep_boto_off_imds

Client = Any  # boto3 generates its clients at run time; botocore ships no type hints

INSTALL_HINT = "stockbench fleet needs boto3: pip install 'stockbench[fleet]'"

# AWS error code -> what it means for the user, in words.
CAUSES: dict[str, str] = {
    "InsufficientInstanceCapacity": "AWS has no free capacity for this type in the zone now",
    "InsufficientCapacity": "AWS has no free capacity for this request now",
    "Unsupported": "this type is not offered in the availability zone",
    "InvalidInstanceType": "no such instance type in this region",
    "VcpuLimitExceeded": "the account's vCPU limit for this family is reached "
    "(raise it in Service Quotas: Running On-Demand instances)",
    "InstanceLimitExceeded": "the account's instance limit in this region is reached",
    "MaxSpotInstanceCountExceeded": "the account's spot instance limit is reached",
    "SpotMaxPriceTooLow": "the spot price is above the maximum price",
    "UnauthorizedOperation": "these credentials may not do this (see the README's IAM policy)",
    "AccessDenied": "these credentials may not do this (see the README's IAM policy)",
    "AuthFailure": "AWS did not accept the credentials",
    "InvalidClientTokenId": "AWS does not know these credentials",
    "SignatureDoesNotMatch": "the secret key does not match the access key",
    "ExpiredToken": "the credentials have expired (log in again)",
    "RequestExpired": "the request expired: is this machine's clock right?",
    "OptInRequired": "the account is not subscribed to this service or region",
    "RequestLimitExceeded": "AWS throttled the requests; try again in a minute",
    "Throttling": "AWS throttled the requests; try again in a minute",
    "NoSuchBucket": "the bucket does not exist (create it: aws s3 mb s3://NAME --region REGION)",
    "PermanentRedirect": "the bucket is in another region than the one asked",
    "ParameterNotFound": "AWS's public image parameter is not published in this region",
    "InvalidAMIID.NotFound": "the image does not exist in this region",
    "DependencyViolation": "it is still in use (an instance is still shutting down)",
    "InvalidGroup.NotFound": "the security group is already gone",
    "InvalidInstanceID.NotFound": "the instance no longer exists",
    "NoSuchKey": "the object is not there",
}

# Codes after which the same launch may still work in another availability zone.
ZONE_CODES = frozenset({"InsufficientInstanceCapacity", "InsufficientCapacity", "Unsupported"})

# botocore exceptions that carry no AWS code, by class name -> cause.
BOTOCORE_CAUSES: dict[str, str] = {
    "NoCredentialsError": "no AWS credentials found (environment, ~/.aws, --profile, SSO)",
    "PartialCredentialsError": "the AWS credentials are incomplete",
    "ProfileNotFound": "no such AWS profile",
    "NoRegionError": "no region: pass --region or set AWS_REGION",
    "EndpointConnectionError": "could not reach the AWS endpoint",
    "ConnectTimeoutError": "connecting to AWS timed out",
    "ReadTimeoutError": "AWS did not answer in time",
    "SSOTokenLoadError": "the SSO session is missing or expired: aws sso login",
    "UnauthorizedSSOTokenError": "the SSO session is missing or expired: aws sso login",
    "TokenRetrievalError": "the SSO session is missing or expired: aws sso login",
}


def translate(exc: Exception, action: str) -> FleetError:
    """A botocore exception as a FleetError naming the action and the cause."""
    response = getattr(exc, "response", None)
    if isinstance(response, dict) and "Error" in response:
        code = str(response["Error"].get("Code") or "") or None
        message = str(response["Error"].get("Message") or "")
        cause = CAUSES.get(code or "", message or str(exc))
        return FleetError(f"{action}: {cause} ({code})", action=action, code=code)
    cause = BOTOCORE_CAUSES.get(type(exc).__name__, str(exc))
    return FleetError(f"{action}: {cause}", action=action)


@dataclass
class Aws:
    """A boto3 session and its region; clients made on first use, one per service."""

    session: Any
    region: str
    _clients: dict[tuple[str, str], Client] = field(default_factory=dict, repr=False)

    def client(self, service: str, region: str | None = None) -> Client:
        from botocore.config import Config

        where = region or self.region
        key = (service, where)
        if key not in self._clients:
            config = Config(
                retries={"mode": "standard", "max_attempts": 5},
                connect_timeout=10,
                read_timeout=60,
                signature_version="s3v4" if service == "s3" else None,
            )
            self._clients[key] = call(
                lambda: self.session.client(service, region_name=where, config=config),
                f"connect to {service} in {where}",
            )
        return self._clients[key]

    def credentials_token(self) -> str | None:
        """The session token of the credentials in use, if they are temporary."""
        creds = self.session.get_credentials()
        return None if creds is None else creds.get_frozen_credentials().token


def connect(profile: str | None, region: str | None) -> Aws:
    """A session from boto3's standard chain; a clear error when boto3 is missing."""
    try:
        import boto3
    except ImportError as exc:
        raise ConfigError(INSTALL_HINT) from exc
    keep_boto_off_imds()  # boto3's credential chain must not reach for IMDS off EC2
    session = call(lambda: boto3.Session(profile_name=profile, region_name=region), "AWS session")
    if not session.region_name:
        raise ConfigError("no AWS region: name one, or set AWS_REGION", setting="region")
    return Aws(session, str(session.region_name))


def call(fn: Callable[[], Any], action: str) -> Any:
    """Run one AWS call; botocore's exceptions come out as FleetError."""
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        return fn()
    except (ClientError, BotoCoreError) as exc:
        raise translate(exc, action) from exc


def api(client: Client, operation: str, action: str, **params: Any) -> dict[str, Any]:
    """``client.<operation>(**params)`` through :func:`call`."""
    result: dict[str, Any] = call(lambda: getattr(client, operation)(**params), action)
    return result


def pages(
    client: Client, operation: str, key: str, action: str, **params: Any
) -> list[dict[str, Any]]:
    """Every item under ``key`` over all pages of a paginated operation."""
    paginator = client.get_paginator(operation)

    def collect() -> list[dict[str, Any]]:
        return [item for page in paginator.paginate(**params) for item in page.get(key, [])]

    items: list[dict[str, Any]] = call(collect, action)
    return items
