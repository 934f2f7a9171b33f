"""``stockbench bench`` run by hand on several machines: one storage folder per save name,
so results of different instance types never share a file name once copied together."""

from __future__ import annotations

from pathlib import Path

import pytest

from stockbench.cli import main
from stockbench.cli.bench import storage_args


def test_each_save_name_gets_its_own_storage_folder(tmp_path: Path) -> None:
    t4g = storage_args(tmp_path, "t4g.micro", [])
    t2 = storage_args(tmp_path, "t2.micro", ["-k", "lstm"])
    assert t4g == [f"--benchmark-storage=file://{tmp_path}/.benchmarks/t4g.micro"]
    assert t2 == [f"--benchmark-storage=file://{tmp_path}/.benchmarks/t2.micro"]


@pytest.mark.parametrize(
    "given", [["--benchmark-storage=file:///data/runs"], ["--benchmark-storage", "/data/runs"]]
)
def test_a_storage_the_user_chose_is_kept(tmp_path: Path, given: list[str]) -> None:
    assert storage_args(tmp_path, "t4g.micro", given) == []


@pytest.mark.parametrize("name", ["..", "../t4g.micro", "a/b", "", "t4g micro"])
def test_save_names_that_are_not_one_folder_name_are_refused(
    name: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["bench", "--save-name", name]) == 2
    assert "--save-name" in capsys.readouterr().err
