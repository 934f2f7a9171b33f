"""What a wheel ships: every subpackage, the suite, and every data file a module reads."""

from __future__ import annotations

import fnmatch
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SETUPTOOLS = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]


def test_every_subpackage_is_listed() -> None:
    src = ROOT / "src"
    found = {
        ".".join(init.parent.relative_to(src).parts)
        for init in src.joinpath("stockbench").rglob("__init__.py")
    }
    assert found | {"stockbench.benchmarks"} == set(SETUPTOOLS["packages"])
    assert SETUPTOOLS["package-dir"]["stockbench.benchmarks"] == "benchmarks"


def test_every_data_file_is_shipped() -> None:
    shipped = SETUPTOOLS["package-data"]
    for package, folder in (
        ("stockbench.data", ROOT / "src/stockbench/data"),
        ("stockbench.fleet", ROOT / "src/stockbench/fleet"),
        ("stockbench.benchmarks", ROOT / "benchmarks"),
    ):
        files = [p.name for p in folder.iterdir() if p.is_file() and p.suffix != ".py"]
        assert files, package
        for name in files:
            assert any(fnmatch.fnmatch(name, pattern) for pattern in shipped[package]), name
