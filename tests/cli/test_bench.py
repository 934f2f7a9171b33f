"""``stockbench bench``: runs the installed suite from any folder, saves per name, prints
each case against its baseline."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from stockbench.cli import main
from stockbench.cli.bench import pytest_argv

STOCKBENCH = str(Path(sys.executable).with_name("stockbench"))


def bench(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "AWS_EC2_METADATA_DISABLED": "true"}
    return subprocess.run(
        [STOCKBENCH, "bench", *args, "-q"],
        capture_output=True,
        text=True,
        check=False,
        cwd=cwd,  # any folder: the suite is found through the package
        env=env,
    )


@pytest.mark.slow
def test_saves_per_name_from_any_folder_and_prints_ratios(tmp_path: Path) -> None:
    for name in ("t4g.micro", "m5.large"):
        done = bench(tmp_path, "--save-name", name, "-k", "parse_page")
        assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    saved = sorted(p.relative_to(tmp_path) for p in (tmp_path / ".benchmarks").rglob("*.json"))
    # one folder per name: copies from many machines never share a file name
    assert [p.parts[1] for p in saved] == ["m5.large", "t4g.micro"]
    assert [p.name.split("_", 1)[1] for p in saved] == ["m5.large.json", "t4g.micro.json"]
    doc = json.loads((tmp_path / saved[0]).read_text())
    assert {b["name"] for b in doc["benchmarks"]} == {"test_parse_page", "test_parse_page_original"}
    roles = {b["name"]: b["extra_info"]["role"] for b in doc["benchmarks"]}
    assert roles == {"test_parse_page": "headline", "test_parse_page_original": "baseline"}
    assert all(b["stats"].get("data") for b in doc["benchmarks"])  # raw rounds for the report
    assert "[parse]  baseline: test_parse_page_original" in done.stdout
    assert "speed-up" in done.stdout
    assert not (tmp_path / ".pytest_cache").exists()


@pytest.mark.parametrize("name", ["../escape", "a/b", "", "..", "t4g micro"])
def test_a_save_name_that_is_not_a_plain_name_is_a_usage_error(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "--save-name", name]) == 2
    assert "--save-name" in capsys.readouterr().err


def test_a_folder_without_a_suite_is_a_usage_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "--benchmarks", str(tmp_path), "--save-name", "x"]) == 2
    assert "holds no benchmark suite" in capsys.readouterr().err


def test_each_save_name_gets_its_own_storage_folder(tmp_path: Path) -> None:
    suite, out = tmp_path / "suite", tmp_path / "run.json"
    t4g = pytest_argv(suite, "t4g.micro", out, [])
    t2 = pytest_argv(suite, "t2.micro", out, ["-k", "lstm"])
    assert f"--benchmark-storage=file://{Path.cwd()}/.benchmarks/t4g.micro" in t4g
    assert f"--benchmark-storage=file://{Path.cwd()}/.benchmarks/t2.micro" in t2
    assert t2[-2:] == ["-k", "lstm"]


@pytest.mark.parametrize(
    "given", [["--benchmark-storage=file:///data/runs"], ["--benchmark-storage", "/data/runs"]]
)
def test_a_storage_the_user_chose_is_kept(tmp_path: Path, given: list[str]) -> None:
    argv = pytest_argv(tmp_path, "t4g.micro", tmp_path / "run.json", given)
    assert [a for a in argv if a.startswith("--benchmark-storage")] == given[:1]
