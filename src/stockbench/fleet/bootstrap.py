"""The user data of one instance: ``bootstrap.sh`` with this run's values on top.

The script is a real file next to this module (read it: it is what runs as root on the
instance); rendering only prepends shell-quoted assignments. Everything in it is either
public (run id, type, versions) or a presigned URL that expires shortly after the
dead-man timer; no key, secret or session token is ever rendered.
"""

from __future__ import annotations

import re
import shlex
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from importlib.resources import files

from stockbench.errors import ConfigError

MARKER = "# @@CONFIG@@"
USER_DATA_LIMIT = 16 * 1024  # EC2's limit on user data before base64
SESSION_TOKEN = re.compile(r"[?&]X-Amz-Security-Token=", re.IGNORECASE)


@dataclass(frozen=True)
class BootConfig:
    run_id: str
    instance_type: str
    architecture: str
    memory_mib: int
    max_minutes: int
    source_url: str
    source_sha256: str
    put_urls: Mapping[str, str]  # result, log, status -> presigned PUT URL
    bench_args: Sequence[str]
    project_version: str
    project_commit: str


def template() -> str:
    return files("stockbench.fleet").joinpath("bootstrap.sh").read_text("utf-8")


def render(config: BootConfig) -> str:
    """The user data for ``config``; refuses URLs that would carry a session token."""
    urls = [config.source_url, *config.put_urls.values()]
    if any(SESSION_TOKEN.search(u) for u in urls):
        raise ConfigError(
            "the presigned URLs would carry a session token (temporary credentials): "
            "use credentials without one for `fleet run`, or see the README"
        )
    values = {
        "RUN_ID": config.run_id,
        "INSTANCE_TYPE": config.instance_type,
        "ARCH": config.architecture,
        "MEMORY_MIB": str(int(config.memory_mib)),
        "MAX_MINUTES": str(int(config.max_minutes)),
        "PROJECT_VERSION": config.project_version,
        "PROJECT_COMMIT": config.project_commit,
        "SOURCE_SHA256": config.source_sha256,
        "SOURCE_URL": config.source_url,
        "PUT_RESULT_URL": config.put_urls["result"],
        "PUT_LOG_URL": config.put_urls["log"],
        "PUT_STATUS_URL": config.put_urls["status"],
    }
    lines = [f"{name}={shlex.quote(value)}" for name, value in values.items()]
    lines.append(f"BENCH_ARGS=({' '.join(shlex.quote(a) for a in config.bench_args)})")
    script = template().replace(MARKER, "\n".join(lines), 1)
    size = len(script.encode("utf-8"))
    if size > USER_DATA_LIMIT:
        raise ConfigError(
            f"the user data is {size} bytes, over EC2's {USER_DATA_LIMIT}: "
            "fewer or shorter bench arguments"
        )
    return script
