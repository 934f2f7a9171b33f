"""The suite's pytest hooks end to end, with pytester: machine identity from a loopback
fake IMDS into the saved JSON, extra_info on real cases, and pytest-benchmark compare."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from .fake_imds import fake_imds

ROOT = Path(__file__).resolve().parents[1]
pytest_plugins = ["pytester"]
pytestmark = pytest.mark.slow  # each test runs pytest in a fresh process

TINY_BENCH = """
def test_tiny(benchmark):
    assert benchmark(sum, range(100)) == 4950
"""


def run_with_imds(pytester: pytest.Pytester, env: dict[str, str]) -> dict[str, Any]:
    """The project's root conftest in a fresh pytest process, IMDS settings from ``env``."""
    pytester.makeconftest((ROOT / "benchmarks" / "conftest.py").read_text())
    pytester.makepyfile(test_tiny=TINY_BENCH)
    with pytest.MonkeyPatch.context() as mp:
        for key, value in env.items():
            mp.setenv(key, value)
        result = pytester.runpytest_subprocess(
            "--benchmark-json=out.json", "-p", "no:cacheprovider"
        )
    result.assert_outcomes(passed=1)
    return json.loads((pytester.path / "out.json").read_text())["machine_info"]


@pytest.fixture(autouse=True)
def _no_real_imds(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in (
        "AWS_EC2_METADATA_DISABLED",
        "AWS_EC2_METADATA_SERVICE_ENDPOINT",
        "AWS_METADATA_SERVICE_TIMEOUT",
        "AWS_METADATA_SERVICE_NUM_ATTEMPTS",
        "AWS_EC2_METADATA_V1_DISABLED",
    ):
        monkeypatch.delenv(key, raising=False)


def test_instance_type_from_fake_imds_v2(pytester: pytest.Pytester) -> None:
    with fake_imds("v2") as (endpoint, state):
        info = run_with_imds(pytester, {"AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint})
    assert info["ec2_instance_type"] == "t4g.micro"
    assert info["ec2_region"] == "ap-northeast-2"
    assert info["ec2_imds_version"] == "v2"
    assert info["ec2_burstable"] is True
    assert "i-0123456789abcdef0" not in json.dumps(info)
    assert sum(1 for m, _ in state.requests if m == "PUT") == 1  # once per session
    for key in (
        "cpu_architecture",
        "cpu_model",
        "cpu_count_logical",
        "total_memory_bytes",
        "torch_version",
        "torch_num_threads",
        "transformers_version",
        "sentiment_model",
    ):
        assert info[key] is not None, key
    assert info["sentiment_weights_trained"] is False


def test_v1_fallback_when_token_refused(pytester: pytest.Pytester) -> None:
    with fake_imds("v1-only", refuse_status=403) as (endpoint, _):
        info = run_with_imds(pytester, {"AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint})
    assert info["ec2_instance_type"] == "t4g.micro"
    assert info["ec2_imds_version"] == "v1"


def test_disabled_means_null_and_no_request(pytester: pytest.Pytester) -> None:
    with fake_imds("v2") as (endpoint, state):
        info = run_with_imds(
            pytester,
            {"AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint, "AWS_EC2_METADATA_DISABLED": "true"},
        )
    assert info["ec2_instance_type"] is None
    assert state.requests == []


def test_silent_imds_is_null_after_the_timeout(pytester: pytest.Pytester) -> None:
    with fake_imds("silent") as (endpoint, state):
        info = run_with_imds(
            pytester,
            {"AWS_EC2_METADATA_SERVICE_ENDPOINT": endpoint, "AWS_METADATA_SERVICE_TIMEOUT": "0.3"},
        )
    assert info["ec2_instance_type"] is None
    assert state.requests == [("PUT", "/latest/api/token")]


EXTRA_KEYS = (
    "job",
    "role",
    "samples",
    "time_per_sample_s",
    "samples_per_s",
    "cpu_percent",
    "rss_before_bytes",
    "peak_rss_bytes",
    "steal_percent",
    "threads",
    "round_p50_s",
    "round_p90_s",
    "round_p99_s",
)


def _run_cases(
    tmp_path: Path, files: list[str], select: str, *args: str
) -> subprocess.CompletedProcess[str]:
    """Real cases (timing on) in a fresh pytest process, files in the order given."""
    cmd = [
        sys.executable,
        "-m",
        "pytest",
        *(f"benchmarks/{f}" for f in files),
        "-k",
        select,
        "-p",
        "no:cacheprovider",
        "-q",
        f"--benchmark-storage=file://{tmp_path / 'storage'}",
        *args,
    ]
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    return subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, check=False, env=env)


def _cases(tmp_path: Path, files: list[str], select: str) -> dict[str, dict[str, Any]]:
    out = tmp_path / "run.json"
    done = _run_cases(tmp_path, files, select, f"--benchmark-json={out}")
    assert done.returncode == 0, done.stdout + done.stderr
    return {c["name"]: c for c in json.loads(out.read_text())["benchmarks"]}


@pytest.fixture(scope="module")
def after_torch(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    """The page parse measured after the LSTM case has loaded torch into the process."""
    tmp = tmp_path_factory.mktemp("after")
    return _cases(tmp, ["test_lstm.py", "test_market.py"], "parse or warm")


@pytest.fixture(scope="module")
def parse_alone(tmp_path_factory: pytest.TempPathFactory) -> dict[str, dict[str, Any]]:
    return _cases(tmp_path_factory.mktemp("alone"), ["test_market.py"], "parse_page")


def test_real_cases_record_every_extra_info_key(after_torch: dict[str, dict[str, Any]]) -> None:
    assert set(after_torch) == {"test_parse_page_original", "test_parse_page", "test_lstm_warm"}
    for case in after_torch.values():
        extra = case["extra_info"]
        missing = [k for k in EXTRA_KEYS if k not in extra]
        assert not missing, (case["name"], missing)
        assert extra["peak_rss_bytes"] >= extra["rss_before_bytes"] > 0
        assert 0.0 <= extra["steal_percent"] <= 100.0
        assert extra["cpu_percent"] > 0
        assert extra["round_p50_s"] <= extra["round_p90_s"] <= extra["round_p99_s"]
        assert extra["time_per_sample_s"] * extra["samples_per_s"] == pytest.approx(1.0)


def test_each_jobs_memory_is_its_own_whatever_ran_before(
    after_torch: dict[str, dict[str, Any]], parse_alone: dict[str, dict[str, Any]]
) -> None:
    for name in ("test_parse_page", "test_parse_page_original"):
        alone, after = parse_alone[name]["extra_info"], after_torch[name]["extra_info"]
        assert after["peak_rss_method"] == "job_process_vmhwm"
        assert after["peak_rss_bytes"] == pytest.approx(alone["peak_rss_bytes"], rel=0.10)
        # the pytest process itself holds torch by then: far more than the job needs
        assert after["process_peak_rss_bytes"] > 1.5 * after["peak_rss_bytes"]
    lstm = after_torch["test_lstm_warm"]["extra_info"]
    assert lstm["peak_rss_bytes"] > after_torch["test_parse_page"]["extra_info"]["peak_rss_bytes"]


def test_two_saves_work_with_pytest_benchmark_compare(tmp_path: Path) -> None:
    for name in ("t4g.micro", "m5.large"):
        done = _run_cases(tmp_path, ["test_market.py"], "parse_page", f"--benchmark-save={name}")
        assert done.returncode == 0, done.stdout + done.stderr
    saved = sorted(p.name for p in (tmp_path / "storage").rglob("*.json"))
    assert [n.split("_", 1)[1] for n in saved] == ["t4g.micro.json", "m5.large.json"]
    compare = subprocess.run(
        [
            str(Path(sys.executable).with_name("pytest-benchmark")),
            "compare",
            "--columns",
            "min,median",
            "--group-by",
            "group",
            *map(str, (tmp_path / "storage").rglob("*.json")),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    assert compare.returncode == 0, compare.stderr
    # both saves side by side (compare cuts run names to 12 characters)
    assert "0001_t4g.mic" in compare.stdout
    assert "0002_m5.larg" in compare.stdout
    assert "Min" in compare.stdout
    assert "Median" in compare.stdout
    assert "test_parse_page" in compare.stdout
