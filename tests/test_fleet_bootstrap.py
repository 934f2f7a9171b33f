"""The bootstrap script, executed here: its quoting, its failure path, its install step."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from stockbench.errors import ConfigError
from stockbench.fleet.bootstrap import BootConfig, render, template
from stockbench.fleet.storage import presign, type_key, upload_urls

from .fake_ec2 import run_user_data
from .local_aws import BUCKET, local_aws

RUN = "sb-20261126-120000-abcd"
URL = "https://sb-results.s3.ap-northeast-2.amazonaws.com/k?X-Amz-Signature=ab"


def config(**changes: object) -> BootConfig:
    base: dict[str, object] = {
        "run_id": RUN,
        "instance_type": "t4g.micro",
        "architecture": "arm64",
        "memory_mib": 1024,
        "max_minutes": 5,
        "source_url": URL,
        "source_sha256": "0" * 64,
        "put_urls": {"result": URL, "log": URL, "status": URL},
        "bench_args": [],
        "project_version": "0.1.0",
        "project_commit": "abc123+dirty",
    }
    return BootConfig(**{**base, **changes})  # type: ignore[arg-type]


def test_the_script_is_valid_bash() -> None:
    subprocess.run(["bash", "-n"], input=render(config()), text=True, check=True)


def test_values_reach_the_script_exactly_however_they_are_quoted() -> None:
    args = ["-k", "parse and not original", "it's", '"$HOME"', "$(reboot)", "a\\b", ""]
    script = render(config(bench_args=args, source_url=URL + "&x='y'"))
    probe = script.split("\nWORK=", 1)[0] + '\nprintf "%s\\0" "$SOURCE_URL" "${BENCH_ARGS[@]}"\n'
    done = subprocess.run(["bash"], input=probe, capture_output=True, text=True, check=True)
    assert done.stdout.split("\0")[:-1] == [URL + "&x='y'", *args]


def test_a_url_with_a_session_token_is_never_rendered() -> None:
    token_url = URL + "&X-Amz-Security-Token=FwoGZXIvYXdzE"
    with pytest.raises(ConfigError, match="session token"):
        render(config(put_urls={"result": URL, "log": token_url, "status": URL}))


def test_user_data_over_ec2s_limit_is_refused() -> None:
    with pytest.raises(ConfigError, match="over EC2's 16384"):
        render(config(bench_args=["-k", "x" * 16_000]))


def test_a_failing_step_still_uploads_the_log_and_a_status_record_then_shuts_down(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with local_aws(monkeypatch, tmp_path) as aws:
        aws.s3.put_object(Bucket=BUCKET, Key=f"runs/{RUN}/source.tar.gz", Body=b"not a tarball")
        script = render(
            config(
                source_url=presign(aws.s3, "GET", BUCKET, f"runs/{RUN}/source.tar.gz", 600),
                put_urls=upload_urls(aws.s3, BUCKET, RUN, "t4g.micro", 600),
            )
        )
        done = run_user_data(script, tmp_path / "instance", install="false")
        status = json.loads(
            aws.s3.get_object(Bucket=BUCKET, Key=type_key(RUN, "t4g.micro", "status"))[
                "Body"
            ].read()
        )
        log = aws.s3.get_object(Bucket=BUCKET, Key=type_key(RUN, "t4g.micro", "log"))["Body"].read()
    assert done.returncode != 0
    assert status["phase"] == "failed"
    assert status["failed_phase"] == "fetch"  # the checksum of the download did not match
    assert status["exit_code"] == 1
    assert status["result_sha256"] is None
    assert list(status["phases_s"]) == ["boot", "fetch"]
    assert status["project_commit"] == "abc123+dirty"
    assert b"source.tar.gz: FAILED" in log
    assert b"stockbench: failed in phase fetch (exit 1)" in log
    calls = (tmp_path / "instance" / "shutdown.calls").read_text().split()
    assert calls == ["+5", "now"]


INSTALL_HARNESS = """
set -euo pipefail
VENV=$PWD/venv MEMORY_MIB={memory} ARCH={arch}
echo torch==2.13.0 > constraints.txt
eval "$(sed -n '/^install_on_instance() {{/,/^}}/p' {template})"
install_on_instance
"""

STUB = '#!/bin/sh\necho "$(basename "$0") $*" >> "$CALLS"\n'


@pytest.mark.parametrize(
    ("arch", "memory", "expected"),
    [
        (
            "arm64",
            1024,
            [
                "dnf install -y python3.11 python3.11-pip",
                "dd if=/dev/zero of=/var/stockbench.swap bs=1M count=2048 status=none",
                "chmod 600 /var/stockbench.swap",
                "mkswap /var/stockbench.swap",
                "swapon /var/stockbench.swap",
                "python3.11 -m venv {venv}",
                "python -m pip install --no-cache-dir -c constraints.txt .",
                "swapoff /var/stockbench.swap",
                "rm -f /var/stockbench.swap",
            ],
        ),
        (
            "x86_64",
            8192,
            [
                "dnf install -y python3.11 python3.11-pip",
                "python3.11 -m venv {venv}",
                "python -m pip install --no-cache-dir --index-url "
                "https://download.pytorch.org/whl/cpu torch==2.13.0",
                "python -m pip install --no-cache-dir -c constraints.txt .",
            ],
        ),
    ],
)
def test_the_instance_install_step_swaps_on_small_machines_and_takes_cpu_torch_on_x86(
    tmp_path: Path, arch: str, memory: int, expected: list[str]
) -> None:
    stubs = tmp_path / "bin"
    (tmp_path / "venv" / "bin").mkdir(parents=True)
    stubs.mkdir()
    for name in ("dnf", "dd", "chmod", "mkswap", "swapon", "swapoff", "rm", "python3.11"):
        (stubs / name).write_text(STUB)
        (stubs / name).chmod(0o755)
    (tmp_path / "venv" / "bin" / "python").write_text(STUB)
    (tmp_path / "venv" / "bin" / "python").chmod(0o755)
    script_file = tmp_path / "bootstrap.sh"
    script_file.write_text(template())
    harness = INSTALL_HARNESS.format(memory=memory, arch=arch, template=script_file)
    env = {"PATH": f"{stubs}:/usr/bin:/bin", "CALLS": str(tmp_path / "calls")}
    subprocess.run(["bash", "-c", harness], cwd=tmp_path, env=env, check=True)
    calls = (tmp_path / "calls").read_text().splitlines()
    assert calls == [c.format(venv=tmp_path / "venv") for c in expected]
