"""``stockbench news`` through the CLI's ``main`` with tiny local models (no hub)."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path

import pytest

from stockbench.cli import main
from stockbench.fakemarket import ServerConfig, serve_market
from stockbench.news.onnx_runtime import ensure_export
from stockbench.news.sentiment import classify, load_pretrained

from ..freshpython import run_python
from ..scripted_server import Step, scripted_server
from ..tinymodels import LABELS

STOCKBENCH = str(Path(sys.executable).with_name("stockbench"))


def rss_with_titles(titles: Sequence[str]) -> bytes:
    items = "".join(f"<item><title>{t}</title></item>" for t in titles)
    return f'<?xml version="1.0"?><rss><channel>{items}</channel></rss>'.encode()


def test_json_with_a_local_model(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["news", "--model", str(tiny_dirs["bert"]), "--backend", "torch"]
    assert main([*argv, "--limit", "7", "--json"]) == 0
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert doc["model"] == str(tiny_dirs["bert"])
    assert doc["backend"] == "torch"
    assert doc["weights_trained"] is True
    assert len(doc["headlines"]) == 7
    assert {h["label"] for h in doc["headlines"]} <= set(LABELS.values())
    assert sum(m["count"] for m in doc["mood"].values()) == 7
    assert out.err == ""


def test_text_warns_once_for_a_headless_model(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["news", "--model", str(tiny_dirs["base"]), "--limit", "3"]) == 0
    out = capsys.readouterr()
    assert out.err.count("warning:") == 1
    assert "randomly initialised" in out.err
    assert out.out.count("→") == 3
    assert "Mood of 3 headlines" in out.out


def test_int8_reports_agreement_with_fp32(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["news", "--model", str(tiny_dirs["electra"]), "--backend", "torch", "--limit", "12"]
    argv += ["--json", "--int8"]
    assert main([*argv, "--check-agreement"]) == 0
    doc = json.loads(capsys.readouterr().out)
    check = doc["int8_vs_fp32"]
    assert doc["int8"] is True
    # the labels printed are the int8 model's own, and they stay close to fp32's
    titles = [h["title"] for h in doc["headlines"]]
    int8 = classify(load_pretrained(tiny_dirs["electra"], int8=True), titles)
    assert [h["label"] for h in doc["headlines"]] == [p.label for p in int8]
    assert check["label_agreement"] >= 0.9
    assert 0.0 < check["max_abs_logit_diff"] < 0.05


def test_check_agreement_needs_int8(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    argv = ["news", "--model", str(tiny_dirs["bert"]), "--backend", "torch"]
    assert main([*argv, "--check-agreement"]) == 2
    assert "add --int8" in capsys.readouterr().err


def test_a_feed_server_that_never_answers_fails_within_the_timeout(
    capsys: pytest.CaptureFixture[str],
) -> None:
    with scripted_server([Step(200, b"<rss/>", delay_s=5)]) as (origin, script):
        argv = ["news", "--origin", origin, "--timeout", "0.3", "--retries", "0"]
        assert main(argv) == 1
    assert len(script.hits) == 1
    err = capsys.readouterr().err
    assert err.startswith("stockbench news: error: read timed out: http://127.0.0.1:")
    assert err.count("\n") == 1


def test_a_trickling_feed_fails_within_the_timeout(capsys: pytest.CaptureFixture[str]) -> None:
    body = rss_with_titles(["하나", "둘"]) + b" " * 2000  # 2 kB at 10 ms a byte: 20 s
    with scripted_server([Step(200, body, trickle_s=0.01)]) as (origin, script):
        assert main(["news", "--origin", origin, "--timeout", "0.5", "--retries", "0"]) == 1
        assert script.bytes_sent < len(body)
    assert "error: body not complete within 0.5 s: http://" in capsys.readouterr().err


def test_bad_feed_items_are_skipped_and_counted(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    body = rss_with_titles(["", "가" * 2000, "코스피 상승", "환율 하락"])
    with scripted_server([Step(200, body)]) as (origin, _):
        argv = ["news", "--origin", origin, "--model", str(tiny_dirs["bert"]), "--json"]
        assert main(argv) == 0
    doc = json.loads(capsys.readouterr().out)
    assert [h["title"] for h in doc["headlines"]] == ["코스피 상승", "환율 하락"]
    assert doc["skipped"] == [
        {"index": 0, "reason": "blank <title>"},
        {"index": 1, "reason": "<title> of 2,000 characters is no headline"},
    ]


@pytest.mark.slow
def test_a_model_id_the_hub_cannot_serve_offline_fails_in_one_line(tmp_path: Path) -> None:
    """No hub and no cache: one line, not huggingface_hub's minute of retry warnings."""
    with socket.socket() as closed:  # a loopback port nobody listens on
        closed.bind(("127.0.0.1", 0))
        hub = f"http://127.0.0.1:{closed.getsockname()[1]}"
    env = {k: v for k, v in os.environ.items() if not k.endswith("_OFFLINE")}
    env |= {"HF_ENDPOINT": hub, "HF_HOME": str(tmp_path / "hf")}
    with serve_market(ServerConfig(latency_ms=0)) as server:
        argv = [STOCKBENCH, "news", "--origin", server.origin, "--model", "someorg/no-model"]
        argv += ["--backend", "torch"]  # onnx would say first that it is exporting
        done = subprocess.run(
            argv, check=False, capture_output=True, text=True, env=env, timeout=300
        )
    assert done.returncode == 1
    assert done.stderr == (
        "stockbench news: error: cannot load sentiment model 'someorg/no-model': not in the "
        f"local cache, and the model hub {hub} cannot be reached (Connection refused)\n"
    )


@pytest.mark.slow
def test_ctrl_c_during_news_is_one_line() -> None:
    with serve_market(ServerConfig(latency_ms=0)) as server:
        proc = subprocess.Popen(
            [STOCKBENCH, "news", "--origin", server.origin, "--limit", "5", "--backend", "torch"],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            # A background job's children start with SIGINT ignored; only the child can undo it.
            preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),  # noqa: PLW1509
        )
        for _ in range(600):  # the feed is fetched first, then torch loads: Ctrl-C there
            if server.stats.requests:
                break
            time.sleep(0.05)
        proc.send_signal(signal.SIGINT)
        out, err = proc.communicate(timeout=120)
    assert proc.returncode == 130
    assert err == "stockbench news: interrupted\n"
    assert out == ""


@pytest.mark.slow
def test_export_once_then_run_quietly(
    tiny_dirs: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("STOCKBENCH_CACHE", str(tmp_path))
    spec = str(tiny_dirs["bert"])
    assert main(["news", "export", "--model", spec]) == 0
    out = capsys.readouterr()
    assert "exported (" in out.out
    assert str(tmp_path) in out.out
    assert "not exported yet" in out.err  # the one-line notice, then each stage
    assert "quantising to int8" in out.err
    assert main(["news", "export", "--model", spec]) == 0
    assert "up to date, nothing to do" in capsys.readouterr().out
    assert main(["news", "--model", spec, "--limit", "5", "--json"]) == 0
    out = capsys.readouterr()
    doc = json.loads(out.out)
    assert (doc["backend"], doc["int8"], len(doc["headlines"])) == ("onnx", True, 5)
    assert {h["label"] for h in doc["headlines"]} <= set(LABELS.values())
    assert out.err == ""


@pytest.mark.slow
def test_onnx_agreement_with_torch_fp32(
    tiny_dirs: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["news", "--model", str(tiny_dirs["electra"]), "--check-agreement"]) == 0
    out = capsys.readouterr().out
    assert "int8 keeps fp32's label on" in out
    assert "margins correlate" in out
    assert "electra, onnx, int8" in out


def test_without_export_tools_the_error_names_them(
    tiny_dirs: dict[str, Path],
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    monkeypatch.setenv("STOCKBENCH_CACHE", str(tmp_path))  # nothing exported here
    monkeypatch.setitem(sys.modules, "onnxscript", None)  # what an absent package looks like
    for argv in (["news", "export"], ["news", "--limit", "2"]):
        assert main([*argv, "--model", str(tiny_dirs["bert"])]) == 2
        err = capsys.readouterr().err
        assert "needs onnxscript, which this install lacks" in err
        assert "copy an export made elsewhere" in err


WITHOUT_ONNXRUNTIME = """
import sys
sys.modules["onnxruntime"] = None  # as if it were not installed
from stockbench.cli import main
codes = [main(["news", "--model", sys.argv[1], "--limit", "2", *extra])
         for extra in ([], ["--backend", "torch"])]
print(codes)
"""


@pytest.mark.slow
def test_without_onnxruntime_onnx_says_so_and_torch_still_works(
    tiny_dirs: dict[str, Path],
) -> None:
    spec = str(tiny_dirs["bert"])
    ensure_export(spec)  # so that the missing runtime, not the export, is what fails
    done = run_python(WITHOUT_ONNXRUNTIME, spec)
    assert done.stdout.strip().splitlines()[-1] == "[2, 0]", done.stderr
    assert "--backend: the onnx backend needs onnxruntime, which is not installed" in done.stderr
