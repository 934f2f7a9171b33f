"""Which sentiment model a spec names, what its labels are worth, and how to tell that
its files changed: what the torch and the ONNX backends share, without importing either.

A spec is ``replica`` (the original's architecture with seeded random weights), a local
directory written by ``save_pretrained``, or a Hugging Face hub id.
"""

from __future__ import annotations

import hashlib
import json
from pathlib import Path
from typing import Any

from stockbench.cache import sha256_file
from stockbench.data import replica_tokenizer_path

REPLICA = "replica"
REPLICA_SEED = 0
# Bump when load_replica draws its weights differently: its exports become stale.
REPLICA_BUILD = 1
FINANCE_MODEL_ID = "snunlp/KR-FinBert-SC"
# KcELECTRA-base-v2022's shape (about 127.8 M parameters).
REPLICA_SHAPE: dict[str, Any] = {
    "vocab_size": 54_343,
    "embedding_size": 768,
    "hidden_size": 768,
    "num_hidden_layers": 12,
    "num_attention_heads": 12,
    "intermediate_size": 3_072,
    "max_position_embeddings": 512,
    "num_labels": 2,
}


def label_warning(name: str, *, weights_trained: bool, head_trained: bool) -> str | None:
    """One line for users when a model's labels cannot be trusted, else None."""
    if not weights_trained:
        return (
            f"labels of {name!r} are meaningless: random weights "
            f"(a benchmark workload, not a sentiment model)"
        )
    if not head_trained:
        return (
            f"labels of {name!r} are meaningless: its classification head was "
            f"randomly initialised (the checkpoint has none); use a fine-tuned model "
            f"such as {FINANCE_MODEL_ID}"
        )
    return None


class LabelTrust:
    """What a loaded model (either backend's) says of its labels' worth."""

    name: str
    weights_trained: bool
    head_trained: bool

    @property
    def labels_meaningful(self) -> bool:
        return self.weights_trained and self.head_trained

    def warning(self) -> str | None:
        """One line for users when the labels cannot be trusted, else None."""
        return label_warning(
            self.name, weights_trained=self.weights_trained, head_trained=self.head_trained
        )


def canonical_spec(spec: str) -> str:
    """``replica``, a directory as an absolute path, or the hub id as given."""
    if spec != REPLICA and Path(spec).is_dir():
        return str(Path(spec).resolve())
    return spec


def _folder_fingerprint(folder: Path) -> str:
    """Names, sizes and modification times of a model folder's files: re-saving a model
    changes them, and reading them costs nothing next to hashing half a gigabyte."""
    entries = sorted(
        (p.name, p.stat().st_size, p.stat().st_mtime_ns)
        for p in folder.iterdir()
        if p.is_file() and not p.name.startswith(".")
    )
    return hashlib.sha256(json.dumps(entries).encode()).hexdigest()


def _hub_snapshot(repo_id: str) -> Path | None:
    """The local snapshot folder of a hub model already downloaded here, else None."""
    from huggingface_hub import try_to_load_from_cache  # only for hub ids: 0.1 s to import

    try:
        found = try_to_load_from_cache(repo_id, "config.json")
    except ValueError:  # not a valid repo id
        return None
    return Path(found).parent if isinstance(found, str) else None


def model_fingerprint(spec: str) -> str | None:
    """What changes when the model behind ``spec`` changes; None when its files are not
    here to look at (a hub id never downloaded on this machine)."""
    if spec == REPLICA:
        doc = {
            "shape": REPLICA_SHAPE,
            "seed": REPLICA_SEED,
            "build": REPLICA_BUILD,
            "tokenizer": sha256_file(replica_tokenizer_path()),
        }
        return hashlib.sha256(json.dumps(doc, sort_keys=True).encode()).hexdigest()
    folder = Path(spec) if Path(spec).is_dir() else _hub_snapshot(spec)
    return _folder_fingerprint(folder) if folder is not None else None
