"""The runtime-only install (requirements-runtime.txt): every package the daily path
loads is in it, or comes with something in it, and none of the export tools is."""

from __future__ import annotations

import json
from importlib.metadata import packages_distributions, requires
from pathlib import Path

import pytest
from packaging.requirements import Requirement
from packaging.utils import canonicalize_name

from stockbench.lstm.onnx_runtime import ensure_lstm_export
from stockbench.news.onnx_runtime import ensure_export

from .freshpython import run_python

ROOT = Path(__file__).resolve().parents[1]
EXPORT_TOOLS = {"torch", "transformers", "onnx", "onnxscript"}

DAILY_PATH = """
import json, os, sys
import stockbench.cli
from stockbench.coldstart import run
from stockbench.fakemarket import ServerConfig, serve_market
with serve_market(ServerConfig(latency_ms=0)) as server:
    os.environ["STOCKBENCH_ORIGIN"] = server.origin
    run("market", "ranking", 20, pause=False)
run("lstm", "onnx", 8)
run("sentiment", "onnx", 3, model=sys.argv[1])
print(json.dumps(sorted({m.split(".")[0] for m in sys.modules} - set(sys.stdlib_module_names))))
"""


def _name(requirement: str) -> str:
    return canonicalize_name(Requirement(requirement).name)


def _closure(names: set[str]) -> set[str]:
    """``names`` and everything they require here (markers evaluated), transitively."""
    seen: set[str] = set()
    todo = list(names)
    while todo:
        name = todo.pop()
        if name in seen:
            continue
        seen.add(name)
        for text in requires(name) or []:
            req = Requirement(text)
            if req.marker is None or req.marker.evaluate({"extra": ""}):
                todo.append(canonicalize_name(req.name))
    return seen


@pytest.mark.slow
def test_requirements_cover_the_daily_path(tiny_dirs: dict[str, Path]) -> None:
    ensure_lstm_export()
    ensure_export(str(tiny_dirs["bert"]))
    done = run_python(DAILY_PATH, str(tiny_dirs["bert"]))
    assert done.returncode == 0, done.stderr
    modules = set(json.loads(done.stdout)) - {"stockbench", "_distutils_hack"}
    owners = packages_distributions()
    loaded = {canonicalize_name(d) for m in modules for d in owners.get(m, [])}
    listed = {
        _name(line)
        for line in (ROOT / "requirements-runtime.txt").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    }
    assert loaded
    assert not loaded & EXPORT_TOOLS
    assert loaded <= _closure(listed), loaded - _closure(listed)
    assert not listed & EXPORT_TOOLS
