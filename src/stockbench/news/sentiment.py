"""Headline sentiment: one classifier interface, three ways to load a model.

The int8 path quantises every Linear layer to int8 (dynamic activations) and stores
the word-embedding table in fp16; ``agreement`` reports how often it keeps fp32's label.

- ``replica`` (offline default): the original study's ``beomi/KcELECTRA-base-v2022``
  architecture with seeded random weights and a WordPiece tokenizer shipped in the
  package. Same compute and memory as the original, so it is the benchmark workload;
  its labels mean nothing and every result says so.
- a Hugging Face hub id (``snunlp/KR-FinBert-SC`` for real finance sentiment), or
- a local directory written by ``save_pretrained``.

Labels always come from ``config.id2label``. A classification head that was not in the
checkpoint (the original's bug: KcELECTRA is a base model) is detected from the loading
info and carried in ``SentimentModel.head_trained``.
"""

from __future__ import annotations

import socket
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import torch
from torch import nn
from transformers import (
    AutoModelForSequenceClassification,
    AutoTokenizer,
    ElectraConfig,
    ElectraForSequenceClassification,
    PreTrainedModel,
    PreTrainedTokenizerFast,
    pipeline,
)
from transformers.models.electra.modeling_electra import ElectraLayer

from stockbench.data import replica_tokenizer_path
from stockbench.errors import ConfigError, FetchError, clip
from stockbench.metrics import trim_heap
from stockbench.news.models import (
    FINANCE_MODEL_ID,
    REPLICA,
    REPLICA_SEED,
    REPLICA_SHAPE,
    LabelTrust,
)
from stockbench.news.predictions import Prediction, agreement, length_batches, max_logit_diff

__all__ = [
    "FINANCE_MODEL_ID",
    "REPLICA",
    "REPLICA_SHAPE",
    "Prediction",
    "SentimentModel",
    "agreement",
    "classify",
    "load_model",
    "load_pretrained",
    "load_replica",
    "max_logit_diff",
    "original_pipeline",
]

TOKENIZER_SPECIALS = {
    "unk_token": "[UNK]",
    "pad_token": "[PAD]",
    "cls_token": "[CLS]",
    "sep_token": "[SEP]",
    "mask_token": "[MASK]",
}


@dataclass
class SentimentModel(LabelTrust):
    name: str
    model: PreTrainedModel
    tokenizer: Any
    weights_trained: bool
    head_trained: bool
    int8: bool = False

    @property
    def id2label(self) -> dict[int, str]:
        id2label = self.model.config.id2label or {}
        return {int(k): str(v) for k, v in id2label.items()}

    def parameter_count(self) -> int:
        return sum(p.numel() for p in self.model.parameters())


def quantize_int8(module: nn.Module) -> nn.Module:
    """Dynamic int8 quantisation of every ``nn.Linear`` in ``module``, in place.

    torch 2.13 marks ``torch.ao.quantization`` deprecated in favour of the separate
    torchao package, but its fbgemm/qnnpack kernels are still the fastest CPU int8
    GEMM torch ships (about 4x fp32 here); the warnings are contained to this call.
    """
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        warnings.filterwarnings("ignore", message=".*quantized tensor creation.*")
        warnings.filterwarnings("ignore", message=".*deprecated.*", category=UserWarning)
        quantize: Any = torch.ao.quantization.quantize_dynamic
        quantized: nn.Module = quantize(module, {nn.Linear}, dtype=torch.qint8, inplace=True)
        return quantized


class Fp16Embedding(nn.Module):
    """A lookup table stored in fp16 and returned as fp32: half the memory, no compute.

    The replica's word embeddings are 54,343 x 768 (167 MB in fp32), the largest tensor
    of the model and not a GEMM, so int8 quantisation of Linear layers leaves them be.
    """

    def __init__(self, embedding: nn.Embedding) -> None:
        super().__init__()
        self.padding_idx = embedding.padding_idx
        self.weight = nn.Parameter(embedding.weight.detach().half(), requires_grad=False)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        return nn.functional.embedding(ids, self.weight, self.padding_idx).float()


def shrink_for_inference(model: PreTrainedModel) -> None:
    """The int8 path: int8 Linear layers and an fp16 word-embedding table, in place."""
    embedding = model.get_input_embeddings()
    if isinstance(embedding, nn.Embedding):
        model.set_input_embeddings(Fp16Embedding(embedding))
        del embedding
    quantize_int8(model)
    trim_heap()


def _init_like_pretraining(module: nn.Module, std: float) -> None:
    for m in module.modules():
        if isinstance(m, nn.Linear):
            nn.init.normal_(m.weight, 0.0, std)
            if m.bias is not None:
                nn.init.zeros_(m.bias)
        elif isinstance(m, nn.LayerNorm):
            nn.init.ones_(m.weight)
            nn.init.zeros_(m.bias)


def replica_tokenizer() -> PreTrainedTokenizerFast:
    return PreTrainedTokenizerFast(
        tokenizer_file=str(replica_tokenizer_path()), model_max_length=512, **TOKENIZER_SPECIALS
    )


def load_replica(*, int8: bool = False, seed: int = REPLICA_SEED, **shape: Any) -> SentimentModel:
    """The original's architecture with seeded random weights.

    Encoder layers are built and (with ``int8``) quantised one at a time, so the full
    fp32 weights never exist at once: peak memory stays near the final model's size.
    """
    wanted = ElectraConfig(**{**REPLICA_SHAPE, **shape})
    n_layers = wanted.num_hidden_layers
    with torch.random.fork_rng(devices=[]):
        torch.manual_seed(seed)
        model = ElectraForSequenceClassification(
            ElectraConfig(**{**wanted.to_dict(), "num_hidden_layers": 0})
        )
        if int8:
            shrink_for_inference(model)
        config = model.config  # carries the attention implementation the layers need
        config.num_hidden_layers = n_layers
        for i in range(n_layers):
            layer = ElectraLayer(config, layer_idx=i)
            _init_like_pretraining(layer, config.initializer_range)
            layer.eval()
            if int8:
                quantize_int8(layer)
                trim_heap()  # hand the freed fp32 layer back to the OS before the next one
            model.electra.encoder.layer.append(layer)
    model.eval()
    if int8:
        quantize_int8(model)  # the classification head; layers are done already
    return SentimentModel(
        REPLICA, model, replica_tokenizer(), weights_trained=False, head_trained=False, int8=int8
    )


HUB_PROBE_TIMEOUT_S = 3.0


def hub_unreachable() -> tuple[str, str] | None:
    """The model hub and why it cannot be reached (one connection attempt), or None.

    huggingface_hub retries an unreachable hub for about a minute, a log line a retry;
    asking once first turns that into one line within seconds.
    """
    from huggingface_hub import constants  # noqa: PLC0415 (transformers' own dependency)

    if constants.HF_HUB_OFFLINE:
        return None  # transformers will not try the network at all
    hub = constants.ENDPOINT
    try:
        url = urlsplit(hub)
        port = url.port or (443 if url.scheme == "https" else 80)
        with socket.create_connection((url.hostname or "", port), timeout=HUB_PROBE_TIMEOUT_S):
            return None
    except (OSError, ValueError) as exc:
        return hub, getattr(exc, "strerror", None) or str(exc)


def load_pretrained(
    name_or_dir: str | Path, *, int8: bool = False, local_files_only: bool | None = None
) -> SentimentModel:
    """A hub id or a ``save_pretrained`` directory, through transformers' Auto classes.

    A hub id on a machine that cannot reach the hub is looked for in the local cache
    only, and fails at once (``FetchError``) when it is not there.
    """
    name = str(name_or_dir)
    local = Path(name).is_dir() if local_files_only is None else local_files_only
    offline = None if local else hub_unreachable()
    try:
        tokenizer = AutoTokenizer.from_pretrained(name, local_files_only=local or bool(offline))
        model, info = AutoModelForSequenceClassification.from_pretrained(
            name, local_files_only=local or bool(offline), output_loading_info=True
        )
    except (OSError, ValueError) as exc:
        if offline:
            hub, why = offline
            raise FetchError(
                f"cannot load sentiment model {name!r}: not in the local cache, and the "
                f"model hub {hub} cannot be reached ({why})",
                url=hub,
            ) from exc
        why = clip(" ".join(str(exc).split()), 200)  # transformers' messages run to lines
        raise ConfigError(f"cannot load sentiment model {name!r}: {why}", setting="model") from exc
    missing = [k for k in info.get("missing_keys", ()) if not k.endswith("position_ids")]
    head_trained = not missing
    model.eval()
    if int8:
        quantize_int8(model)
    return SentimentModel(
        name,
        model,
        tokenizer,
        weights_trained=True,
        head_trained=head_trained,
        int8=int8,
    )


def load_model(spec: str, *, int8: bool = False) -> SentimentModel:
    """``replica``, a local directory, or a hub id."""
    if spec == REPLICA:
        return load_replica(int8=int8)
    return load_pretrained(spec, int8=int8)


# --- classification -------------------------------------------------------------------


def classify(
    sm: SentimentModel, texts: Sequence[str], *, batch_size: int = 32, max_length: int = 128
) -> list[Prediction]:
    """Length-sorted batches with dynamic padding under ``torch.inference_mode``."""
    length_batches([], batch_size)  # refuses a bad batch size before any work
    if not texts:
        return []
    enc = sm.tokenizer(list(texts), truncation=True, max_length=max_length)
    ids: list[list[int]] = enc["input_ids"]
    labels = sm.id2label
    out: list[Prediction | None] = [None] * len(ids)
    with torch.inference_mode():
        for chunk in length_batches(ids, batch_size):
            batch = sm.tokenizer.pad({"input_ids": [ids[i] for i in chunk]}, return_tensors="pt")
            logits = sm.model(
                input_ids=batch["input_ids"], attention_mask=batch["attention_mask"]
            ).logits.float()
            probs = logits.softmax(dim=-1)
            scores, best = probs.max(dim=-1)
            for row, i in enumerate(chunk):
                out[i] = Prediction(
                    texts[i],
                    labels[int(best[row])],
                    float(scores[row]),
                    tuple(float(v) for v in logits[row]),
                )
    return [p for p in out if p is not None]


def original_pipeline(sm: SentimentModel) -> Callable[[Sequence[str]], list[Prediction]]:
    """The original study's method: ``pipeline("sentiment-analysis")``, one text at a time.

    Built once (outside any timed call, as the original did); call it with the texts.
    """
    pipe = pipeline("sentiment-analysis", model=sm.model, tokenizer=sm.tokenizer, device="cpu")

    def run(texts: Sequence[str]) -> list[Prediction]:
        results = pipe(list(texts))
        return [
            Prediction(t, str(r["label"]), float(r["score"]))
            for t, r in zip(texts, results, strict=True)
        ]

    return run
