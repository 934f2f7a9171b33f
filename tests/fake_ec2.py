"""A stand-in for EC2's side of a fleet run: it "boots" each instance moto launches by
running the instance's own user data on this machine, with only the instance-only steps
replaced (package install and shutdown), then terminates it in moto as
``InstanceInitiatedShutdownBehavior=terminate`` would.

Per instance type a behaviour: ``boot`` (run the user data), ``vanish`` (terminated at
once, nothing uploaded), ``idle`` (stays running, does nothing). The script runs without
any AWS credential in its environment: what it reaches, it reaches through its URLs.
"""

from __future__ import annotations

import base64
import os
import shlex
import subprocess
import sys
import threading
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

RUN_TAG = "stockbench:run"
TYPE_TAG = "stockbench:type"

FAKE_SHUTDOWN = """#!/bin/sh
echo "$*" >> "$(dirname "$0")/shutdown.calls"
echo "[fake] shutdown -h $*"
"""


def install_command(python: str = sys.executable) -> str:
    """STOCKBENCH_BOOT_INSTALL for this machine: $VENV/bin/python is this interpreter
    with the unpacked bundle's ``src/`` first on the path, so the bundle's code runs."""
    wrapper = '#!/bin/sh\\nPYTHONPATH="%s/src" exec %s "$@"\\n'
    return (
        'mkdir -p "$VENV/bin" && '
        f'printf {shlex.quote(wrapper)} "$SRC" {shlex.quote(shlex.quote(python))} '
        '> "$VENV/bin/python" && chmod +x "$VENV/bin/python"'
    )


def boot_env(workdir: Path, install: str) -> dict[str, str]:
    """This machine's environment without any AWS setting, plus the boot overrides."""
    shutdown = workdir / "fake-shutdown"
    shutdown.write_text(FAKE_SHUTDOWN)
    shutdown.chmod(0o755)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "PYTEST_"))}
    env.update(
        STOCKBENCH_BOOT_DIR=str(workdir),
        STOCKBENCH_BOOT_INSTALL=install,
        STOCKBENCH_BOOT_SHUTDOWN=str(shutdown),
        # the project's own IMDS client stays off the link-local address on any machine
        AWS_EC2_METADATA_DISABLED="true",
    )
    return env


def run_user_data(user_data: str, workdir: Path, install: str) -> subprocess.CompletedProcess[str]:
    workdir.mkdir(parents=True, exist_ok=True)
    script = workdir / "user-data.sh"
    script.write_text(user_data)
    return subprocess.run(
        ["bash", str(script)],
        env=boot_env(workdir, install),
        cwd=workdir,
        capture_output=True,
        text=True,
        timeout=600,
        check=False,
    )


@dataclass
class Booted:
    instance_type: str
    workdir: Path
    process: subprocess.CompletedProcess[str] | None = None

    @property
    def shutdown_calls(self) -> list[str]:
        calls = self.workdir / "shutdown.calls"
        return calls.read_text().split("\n")[:-1] if calls.exists() else []


@dataclass
class FakeHypervisor:
    session: Any
    root: Path
    behaviour: Mapping[str, str] = field(default_factory=dict)
    install: str = field(default_factory=install_command)
    installs: Mapping[str, str] = field(default_factory=dict)  # per type, instead of install
    booted: dict[str, Booted] = field(default_factory=dict)
    _stop: threading.Event = field(default_factory=threading.Event)
    _workers: list[threading.Thread] = field(default_factory=list)

    def _boot(self, ec2: Any, instance_id: str, booted: Booted) -> None:
        attr = ec2.describe_instance_attribute(InstanceId=instance_id, Attribute="userData")
        user_data = base64.b64decode(attr["UserData"]["Value"]).decode("utf-8")
        install = self.installs.get(booted.instance_type, self.install)
        booted.process = run_user_data(user_data, booted.workdir, install)
        if "now" in booted.shutdown_calls:
            ec2.terminate_instances(InstanceIds=[instance_id])

    def _poll(self) -> None:
        ec2 = self.session.client("ec2")
        while not self._stop.wait(0.1):
            found = ec2.describe_instances(
                Filters=[
                    {"Name": "tag-key", "Values": [RUN_TAG]},
                    {"Name": "instance-state-name", "Values": ["pending", "running"]},
                ]
            )["Reservations"]
            for inst in (i for r in found for i in r["Instances"]):
                iid = inst["InstanceId"]
                if iid in self.booted:
                    continue
                itype = {t["Key"]: t["Value"] for t in inst["Tags"]}[TYPE_TAG]
                booted = self.booted[iid] = Booted(itype, self.root / iid)
                how = self.behaviour.get(itype, "boot")
                if how == "vanish":
                    ec2.terminate_instances(InstanceIds=[iid])
                elif how == "boot":
                    worker = threading.Thread(target=self._boot, args=(ec2, iid, booted))
                    worker.start()
                    self._workers.append(worker)

    @contextmanager
    def running(self) -> Iterator[FakeHypervisor]:
        poller = threading.Thread(target=self._poll, daemon=True)
        poller.start()
        try:
            yield self
        finally:
            self._stop.set()
            poller.join(timeout=30)
            for worker in self._workers:
                worker.join(timeout=600)

    def by_type(self, instance_type: str) -> Booted:
        return next(b for b in self.booted.values() if b.instance_type == instance_type)
