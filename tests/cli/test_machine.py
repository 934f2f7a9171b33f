"""``stockbench machine --json`` in a real process, against a loopback fake IMDS."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from ..fake_imds import fake_imds

STOCKBENCH = str(Path(sys.executable).with_name("stockbench"))


def test_machine_json_reads_the_instance_type_from_imds() -> None:
    env = {**os.environ, "AWS_METADATA_SERVICE_TIMEOUT": "2"}
    with fake_imds("v2") as (endpoint, _):
        env["AWS_EC2_METADATA_SERVICE_ENDPOINT"] = endpoint
        done = subprocess.run(
            [STOCKBENCH, "machine", "--json"], capture_output=True, text=True, check=True, env=env
        )
    info = json.loads(done.stdout)
    assert info["ec2_instance_type"] == "t4g.micro"
    assert info["ec2_burstable"] is True
    assert info["cpu_count_logical"] == os.cpu_count()
