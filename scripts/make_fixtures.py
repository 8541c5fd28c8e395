#!/usr/bin/python3
"""Writes Tessera's PyTorch parity fixtures (../shared/spec/fixtures.md) for the foundation ops.

Run with Debian's own Python and its python3-torch (not another Python on the PATH):
    apt-get install -y python3-torch python3-scipy python3-nibabel
    /usr/bin/python3 scripts/make_fixtures.py fixtures/ops

Each case: float32 inputs from a seeded generator; the reference computed in float64 from those float32 inputs and
rounded to float32; atol per tensor = 10x the error torch's own float32 kernels make on the same inputs (with a
floor, so exact ops still allow a last-bit difference); integer and bool outputs compare exactly.
"""
import json
import os
import struct
import sys
import zlib

import torch
import torch.nn.functional as F

RTOL = 1e-5
ATOL_FLOOR = 1e-6
DTYPES = {torch.float32: "F32", torch.float64: "F64", torch.int64: "I64", torch.int32: "I32", torch.bool: "BOOL",
          torch.uint8: "U8", torch.float16: "F16", torch.bfloat16: "BF16"}
CAST_DTYPES = {"float32": torch.float32, "float64": torch.float64, "float16": torch.float16, "bfloat16": torch.bfloat16,
               "int64": torch.int64, "int32": torch.int32, "uint8": torch.uint8, "bool": torch.bool}


def write_safetensors(path, tensors, metadata):
    header, blobs, offset = {"__metadata__": metadata}, [], 0
    for name, t in tensors.items():
        t = t.detach().contiguous().cpu()
        if t.dtype == torch.bfloat16:
            data = t.view(torch.int16).numpy().tobytes()
        elif t.dtype == torch.bool:
            data = t.to(torch.uint8).numpy().tobytes()
        else:
            data = t.numpy().tobytes()
        header[name] = {"dtype": DTYPES[t.dtype], "shape": list(t.shape), "data_offsets": [offset, offset + len(data)]}
        blobs.append(data)
        offset += len(data)
    raw = json.dumps(header, separators=(",", ":")).encode()
    raw += b" " * ((8 - len(raw) % 8) % 8)
    with open(path, "wb") as f:
        f.write(struct.pack("<Q", len(raw)))
        f.write(raw)
        for b in blobs:
            f.write(b)


class Gen:
    def __init__(self, seed):
        self.g = torch.Generator().manual_seed(seed)

    def randn(self, *shape):
        return torch.randn(*shape, generator=self.g)

    def positive(self, *shape):
        return 0.5 + 2 * torch.rand(*shape, generator=self.g)

    def nonzero(self, *shape):
        sign = torch.where(torch.rand(*shape, generator=self.g) < 0.5, -1.0, 1.0)
        return sign * (0.2 + 1.8 * torch.rand(*shape, generator=self.g))

    def ints(self, high, *shape):
        return torch.randint(0, high, shape, generator=self.g)

    def mask(self, *shape):
        return torch.rand(*shape, generator=self.g) < 0.5


def run(fn, inputs, grad_names, dtype):
    """Runs fn on inputs cast to dtype (floats only); returns outputs dict and the leaves."""
    leaves = {}
    for k, v in inputs.items():
        if v.is_floating_point():
            v = v.to(dtype)
            if k in grad_names:
                v = v.clone().requires_grad_(True)
        leaves[k] = v
    out = fn(leaves)
    if isinstance(out, torch.Tensor):
        out = {"y": out}
    return out, leaves


def grads_of(out, leaves, grad_of, grad_names, upstream):
    target = out[grad_of]
    gs = torch.autograd.grad((target * upstream.to(target.dtype)).sum(), [leaves[n] for n in grad_names], allow_unused=True)
    return {n: (torch.zeros_like(leaves[n]) if g is None else g) for n, g in zip(grad_names, gs)}


def max_err(a, b):
    if a.numel() == 0:
        return 0.0
    return (a.double() - b.double()).abs().max().item()


def make_case(out_dir, name, op, params, inputs, fn, grads=(), grad_of="y", doc=""):
    grads = list(grads)
    out32, _ = run(fn, inputs, [], torch.float32)
    upstream = None
    if grads:
        upstream = torch.randn(out32[grad_of].shape, generator=torch.Generator().manual_seed(zlib.crc32(name.encode())))
    out64, leaves64 = run(fn, inputs, grads, torch.float64)
    out32, leaves32 = run(fn, inputs, grads, torch.float32)
    tensors = {"in." + k: v for k, v in inputs.items()}
    atol = {}
    for k, ref in out64.items():
        got = out32[k]
        if got.dtype == torch.float32:
            tensors["out." + k] = ref.detach().to(torch.float32)
            atol["out." + k] = max(10 * max_err(got.detach(), ref.detach()), ATOL_FLOOR)
        else:
            # integer and bool results, and casts: the float32 run's result is exact by definition
            tensors["out." + k] = got.detach()
    if grads:
        tensors["in.upstream"] = upstream
        g64 = grads_of(out64, leaves64, grad_of, grads, upstream)
        g32 = grads_of(out32, leaves32, grad_of, grads, upstream)
        for n in grads:
            tensors["grad." + n] = g64[n].to(torch.float32)
            atol["grad." + n] = max(10 * max_err(g32[n], g64[n]), ATOL_FLOOR)
    meta = {"op": op, "params": json.dumps(params), "grad_of": grad_of, "rtol": str(RTOL), "atol": json.dumps(atol),
            "doc": doc or op, "reference": "torch %s float64 from the float32 inputs" % torch.__version__}
    write_safetensors(os.path.join(out_dir, name + ".safetensors"), tensors, meta)


def ms_deform_attn_core(value, value_spatial_shapes, sampling_locations, attention_weights):
    """Deformable DETR's pure-PyTorch reference (grid_sample per level, bilinear, zeros, align_corners=False)."""
    n, s, m, d = value.shape
    _, lq, m, levels, points, _ = sampling_locations.shape
    value_list = value.split([int(h) * int(w) for h, w in value_spatial_shapes], dim=1)
    grids = 2 * sampling_locations - 1
    sampled = []
    for lid, (h, w) in enumerate(value_spatial_shapes):
        value_l = value_list[lid].flatten(2).transpose(1, 2).reshape(n * m, d, int(h), int(w))
        grid_l = grids[:, :, :, lid].transpose(1, 2).flatten(0, 1)
        sampled.append(F.grid_sample(value_l, grid_l, mode="bilinear", padding_mode="zeros", align_corners=False))
    weights = attention_weights.transpose(1, 2).reshape(n * m, 1, lq, levels * points)
    out = (torch.stack(sampled, dim=-2).flatten(-2) * weights).sum(-1).view(n, m * d, lq)
    return out.transpose(1, 2).contiguous()


def cases(g):
    """(name, op, params, inputs, fn, grads) for every op of the foundation issue."""
    c = []

    def add(name, op, params, inputs, fn, grads=(), grad_of="y"):
        c.append((name, op, params, inputs, fn, grads, grad_of))

    unary = {
        "neg": (g.randn, torch.neg), "abs": (g.nonzero, torch.abs), "exp": (g.randn, torch.exp),
        "log": (g.positive, torch.log), "log1p": (g.positive, torch.log1p), "sqrt": (g.positive, torch.sqrt),
        "rsqrt": (g.positive, torch.rsqrt), "sin": (g.randn, torch.sin), "cos": (g.randn, torch.cos),
        "tanh": (g.randn, torch.tanh), "sigmoid": (g.randn, torch.sigmoid), "relu": (g.nonzero, torch.relu),
        "gelu_erf": (g.randn, F.gelu), "gelu_tanh": (g.randn, lambda x: F.gelu(x, approximate="tanh")),
        "silu": (g.randn, F.silu), "erf": (g.randn, torch.erf), "sign": (g.nonzero, torch.sign),
        "reciprocal": (g.nonzero, torch.reciprocal), "square": (g.randn, torch.square),
    }
    for op, (make, fn) in unary.items():
        add(op, op, {}, {"x": 3 * make(4, 7) if op in ("exp", "sigmoid", "tanh") else make(4, 7)},
            lambda t, fn=fn: fn(t["x"]), ["x"])
    add("leaky_relu", "leaky_relu", {"negative_slope": 0.2}, {"x": g.nonzero(5, 6)},
        lambda t: F.leaky_relu(t["x"], 0.2), ["x"])
    add("pow_scalar", "pow", {"exponent": 2.5}, {"x": g.positive(3, 5)}, lambda t: torch.pow(t["x"], 2.5), ["x"])
    add("clamp", "clamp", {"min": -0.5, "max": 0.8}, {"x": g.nonzero(6, 5)}, lambda t: torch.clamp(t["x"], -0.5, 0.8), ["x"])

    binary = {"add": (g.randn, torch.add), "sub": (g.randn, torch.sub), "mul": (g.randn, torch.mul),
              "div": (g.nonzero, torch.div), "maximum": (g.randn, torch.maximum), "minimum": (g.randn, torch.minimum),
              "atan2": (g.nonzero, torch.atan2)}
    for op, (make, fn) in binary.items():
        add(op + "_broadcast", op, {}, {"x": g.randn(2, 3, 4), "y": make(3, 1)}, lambda t, fn=fn: fn(t["x"], t["y"]), ["x", "y"])
    add("pow_tensor", "pow", {}, {"x": g.positive(3, 4), "exponent": g.randn(4)},
        lambda t: torch.pow(t["x"], t["exponent"]), ["x", "exponent"])
    add("where", "where", {}, {"condition": g.mask(3, 1, 5), "x": g.randn(3, 4, 5), "y": g.randn(5)},
        lambda t: torch.where(t["condition"], t["x"], t["y"]), ["x", "y"])
    for op in ("eq", "ne", "lt", "le", "gt", "ge"):
        add(op, op, {}, {"x": g.ints(3, 4, 5).float(), "y": g.ints(3, 5).float()},
            lambda t, op=op: getattr(torch, op)(t["x"], t["y"]))
    for op in ("logical_and", "logical_or", "logical_xor"):
        add(op, op, {}, {"x": g.mask(4, 5), "y": g.mask(4, 5)}, lambda t, op=op: getattr(torch, op)(t["x"], t["y"]))
    add("logical_not", "logical_not", {}, {"x": g.mask(4, 5)}, lambda t: torch.logical_not(t["x"]))

    # reductions
    add("sum", "sum", {"dim": [0, 2], "keepdim": False}, {"x": g.randn(3, 4, 5)}, lambda t: t["x"].sum(dim=[0, 2]), ["x"])
    add("sum_all", "sum", {}, {"x": g.randn(3, 4)}, lambda t: t["x"].sum(), ["x"])
    add("mean", "mean", {"dim": [-1], "keepdim": True}, {"x": g.randn(3, 4, 5)}, lambda t: t["x"].mean(dim=[-1], keepdim=True), ["x"])
    add("var", "var", {"dim": [1], "correction": 1, "keepdim": False}, {"x": g.randn(3, 6, 2)},
        lambda t: torch.var(t["x"], dim=[1], correction=1), ["x"])
    add("var_biased", "var", {"dim": [0, 1], "correction": 0, "keepdim": True}, {"x": g.randn(3, 6, 2)},
        lambda t: torch.var(t["x"], dim=[0, 1], correction=0, keepdim=True), ["x"])
    add("std", "std", {"dim": [2], "correction": 1, "keepdim": False}, {"x": g.randn(3, 2, 7)},
        lambda t: torch.std(t["x"], dim=[2], correction=1), ["x"])
    add("amax", "amax", {"dim": [1], "keepdim": False}, {"x": g.randn(4, 5, 3)}, lambda t: torch.amax(t["x"], dim=[1]), ["x"])
    add("amin", "amin", {"dim": [0, 2], "keepdim": True}, {"x": g.randn(4, 5, 3)},
        lambda t: torch.amin(t["x"], dim=[0, 2], keepdim=True), ["x"])
    add("max_dim", "max", {"dim": 1, "keepdim": False}, {"x": g.randn(4, 6)},
        lambda t: dict(zip(("values", "indices"), torch.max(t["x"], dim=1))), ["x"], "values")
    add("min_dim", "min", {"dim": 0, "keepdim": True}, {"x": g.randn(4, 6)},
        lambda t: dict(zip(("values", "indices"), torch.min(t["x"], dim=0, keepdim=True))), ["x"], "values")
    add("argmax", "argmax", {"dim": -1, "keepdim": False}, {"x": g.randn(3, 4, 5)}, lambda t: torch.argmax(t["x"], dim=-1))
    add("argmin", "argmin", {"dim": 0, "keepdim": True}, {"x": g.randn(3, 4, 5)}, lambda t: torch.argmin(t["x"], dim=0, keepdim=True))
    add("logsumexp", "logsumexp", {"dim": [1], "keepdim": False}, {"x": 5 * g.randn(3, 8)},
        lambda t: torch.logsumexp(t["x"], dim=[1]), ["x"])
    for p in (1, 2, 3, "inf"):
        ord_ = float("inf") if p == "inf" else p
        add("norm_%s" % p, "norm", {"p": p, "dim": [-1], "keepdim": False}, {"x": g.nonzero(4, 6)},
            lambda t, o=ord_: torch.linalg.vector_norm(t["x"], ord=o, dim=[-1]), ["x"])
    add("topk", "topk", {"k": 3, "dim": 1, "largest": True, "sorted": True}, {"x": g.randn(4, 7)},
        lambda t: dict(zip(("values", "indices"), torch.topk(t["x"], 3, dim=1))), ["x"], "values")
    add("topk_smallest", "topk", {"k": 2, "dim": 0, "largest": False, "sorted": True}, {"x": g.randn(5, 3)},
        lambda t: dict(zip(("values", "indices"), torch.topk(t["x"], 2, dim=0, largest=False))), ["x"], "values")
    add("sort", "sort", {"dim": -1, "descending": True, "stable": True}, {"x": g.randn(3, 6)},
        lambda t: dict(zip(("values", "indices"), torch.sort(t["x"], dim=-1, descending=True, stable=True))), ["x"], "values")

    # products and nn functions
    add("matmul_2d", "matmul", {}, {"a": g.randn(5, 7), "b": g.randn(7, 3)}, lambda t: torch.matmul(t["a"], t["b"]), ["a", "b"])
    add("matmul_batch_broadcast", "matmul", {}, {"a": g.randn(2, 1, 4, 6), "b": g.randn(3, 6, 5)},
        lambda t: torch.matmul(t["a"], t["b"]), ["a", "b"])
    add("matmul_vector", "matmul", {}, {"a": g.randn(6), "b": g.randn(2, 6, 3)}, lambda t: torch.matmul(t["a"], t["b"]), ["a", "b"])
    add("matmul_matrix_vector", "matmul", {}, {"a": g.randn(4, 6), "b": g.randn(6)}, lambda t: torch.matmul(t["a"], t["b"]), ["a", "b"])
    add("matmul_large", "matmul", {}, {"a": g.randn(37, 61), "b": g.randn(61, 45)}, lambda t: torch.matmul(t["a"], t["b"]), ["a", "b"])
    add("linear", "linear", {}, {"x": g.randn(2, 3, 5), "weight": g.randn(4, 5), "bias": g.randn(4)},
        lambda t: F.linear(t["x"], t["weight"], t["bias"]), ["x", "weight", "bias"])
    add("softmax", "softmax", {"dim": 1}, {"x": 3 * g.randn(3, 5, 2)}, lambda t: torch.softmax(t["x"], dim=1), ["x"])
    add("log_softmax", "log_softmax", {"dim": -1}, {"x": 3 * g.randn(4, 6)}, lambda t: torch.log_softmax(t["x"], dim=-1), ["x"])
    add("layer_norm", "layer_norm", {"normalized_shape": [6], "eps": 1e-5},
        {"x": g.randn(2, 3, 6), "weight": g.randn(6), "bias": g.randn(6)},
        lambda t: F.layer_norm(t["x"], [6], t["weight"], t["bias"], 1e-5), ["x", "weight", "bias"])
    add("layer_norm_2dims", "layer_norm", {"normalized_shape": [3, 4], "eps": 1e-6},
        {"x": g.randn(2, 3, 4), "weight": g.randn(3, 4), "bias": g.randn(3, 4)},
        lambda t: F.layer_norm(t["x"], [3, 4], t["weight"], t["bias"], 1e-6), ["x", "weight", "bias"])
    add("dropout_eval", "dropout", {"p": 0.3, "training": False}, {"x": g.randn(4, 5)},
        lambda t: F.dropout(t["x"], 0.3, training=False), ["x"])

    # convolutions (weights scaled so that outputs stay O(1))
    def conv_case(name, op, fn, x_shape, w_shape, params, bias=True):
        inputs = {"x": g.randn(*x_shape), "weight": g.randn(*w_shape) * 0.3}
        grads = ["x", "weight"]
        if bias:
            inputs["bias"] = g.randn(w_shape[1] * params.get("groups", 1) if "transpose" in op else w_shape[0])
            grads.append("bias")
        kw = {k: (tuple(v) if isinstance(v, list) else v) for k, v in params.items()}
        add(name, op, dict(params, bias=bias), inputs, lambda t: fn(t["x"], t["weight"], t.get("bias"), **kw), grads)

    conv_case("conv1d", "conv1d", F.conv1d, (2, 4, 11), (6, 2, 3), {"stride": 2, "padding": 1, "dilation": 2, "groups": 2})
    conv_case("conv2d", "conv2d", F.conv2d, (2, 3, 9, 8), (5, 3, 3, 3), {"stride": 1, "padding": 1, "dilation": 1, "groups": 1})
    conv_case("conv2d_strided_dilated", "conv2d", F.conv2d, (1, 4, 11, 10), (6, 2, 3, 2),
              {"stride": [2, 1], "padding": [1, 2], "dilation": [2, 1], "groups": 2}, bias=False)
    conv_case("conv2d_depthwise", "conv2d", F.conv2d, (2, 4, 7, 7), (4, 1, 3, 3), {"stride": 1, "padding": 1, "dilation": 1, "groups": 4})
    conv_case("conv2d_patch_embed", "conv2d", F.conv2d, (1, 3, 32, 32), (8, 3, 16, 16), {"stride": 16, "padding": 0, "dilation": 1, "groups": 1})
    conv_case("conv3d", "conv3d", F.conv3d, (1, 2, 5, 6, 4), (3, 2, 3, 3, 2), {"stride": [1, 2, 1], "padding": 1, "dilation": 1, "groups": 1})
    conv_case("conv_transpose2d", "conv_transpose2d", F.conv_transpose2d, (2, 4, 5, 4), (4, 3, 3, 3),
              {"stride": 2, "padding": 1, "output_padding": 1, "groups": 2, "dilation": 1})
    conv_case("conv_transpose2d_patch_decode", "conv_transpose2d", F.conv_transpose2d, (1, 6, 4, 5), (6, 4, 2, 2),
              {"stride": 2, "padding": 0, "output_padding": 0, "groups": 1, "dilation": 1})
    conv_case("conv_transpose2d_dilated", "conv_transpose2d", F.conv_transpose2d, (1, 2, 4, 4), (2, 3, 3, 2),
              {"stride": 1, "padding": 0, "output_padding": 1, "groups": 1, "dilation": 2})
    conv_case("conv_transpose1d", "conv_transpose1d", F.conv_transpose1d, (2, 2, 6), (2, 3, 4),
              {"stride": 3, "padding": 2, "output_padding": 2, "groups": 1, "dilation": 1})
    conv_case("conv_transpose3d", "conv_transpose3d", F.conv_transpose3d, (1, 2, 3, 4, 3), (2, 3, 2, 2, 2),
              {"stride": 2, "padding": 0, "output_padding": [1, 0, 1], "groups": 1, "dilation": 1})

    # fused attention (fixtures.md: a BOOL mask is true where attention is NOT allowed)
    def attention(t):
        q, k, v = t["q"], t["k"], t["v"]
        scores = q @ k.transpose(-2, -1) / q.shape[-1] ** 0.5
        if "mask" in t:
            scores = scores.masked_fill(t["mask"], float("-inf"))
        return torch.softmax(scores, dim=-1) @ v

    add("attention", "attention", {}, {"q": g.randn(2, 3, 5, 8), "k": g.randn(2, 3, 7, 8), "v": g.randn(2, 3, 7, 4)}, attention, ["q", "k", "v"])
    mask = g.mask(2, 1, 6, 9)
    mask[..., 0] = False  # every query may attend to key 0
    add("attention_masked", "attention", {}, {"q": g.randn(2, 2, 6, 4), "k": g.randn(2, 2, 9, 4), "v": g.randn(2, 2, 9, 5), "mask": mask},
        attention, ["q", "k", "v"])
    add("attention_blocks", "attention", {}, {"q": g.randn(1, 2, 70, 16), "k": g.randn(1, 2, 150, 16), "v": g.randn(1, 2, 150, 16)},
        attention, ["q", "k", "v"])

    # vision ops
    def interp(name, shape, **kw):
        add(name, "interpolate", kw, {"x": g.randn(*shape)}, lambda t, kw=kw: F.interpolate(t["x"], **kw), ["x"])

    interp("interpolate_nearest", (1, 2, 5, 4), size=[7, 9], mode="nearest")
    interp("interpolate_nearest_scale", (1, 2, 5, 4), scale_factor=1.7, mode="nearest")
    interp("interpolate_bilinear", (2, 3, 5, 6), size=[9, 4], mode="bilinear", align_corners=False)
    interp("interpolate_bilinear_ac", (2, 3, 5, 6), size=[9, 4], mode="bilinear", align_corners=True)
    interp("interpolate_bilinear_scale", (1, 2, 6, 5), scale_factor=[2.5, 0.6], mode="bilinear", align_corners=False)
    interp("interpolate_bicubic", (1, 2, 6, 5), size=[11, 3], mode="bicubic", align_corners=False)
    interp("interpolate_bicubic_ac", (1, 2, 6, 5), size=[11, 3], mode="bicubic", align_corners=True)
    interp("interpolate_bilinear_aa", (1, 2, 13, 11), size=[4, 5], mode="bilinear", align_corners=False, antialias=True)
    interp("interpolate_bicubic_aa", (1, 2, 13, 11), size=[5, 3], mode="bicubic", align_corners=False, antialias=True)
    interp("interpolate_bicubic_aa_up", (1, 2, 4, 5), size=[7, 9], mode="bicubic", align_corners=False, antialias=True)
    interp("interpolate_trilinear", (1, 2, 3, 4, 5), size=[5, 3, 7], mode="trilinear", align_corners=False)

    def pos_embed_interp(t, old=(4, 4), new=(6, 3), prefix=1, antialias=True):
        pos = t["pos_embed"]
        pre, grid = pos[:, :prefix], pos[:, prefix:]
        img = grid.float().reshape(1, old[0], old[1], -1).permute(0, 3, 1, 2)
        img = F.interpolate(img, size=new, mode="bicubic", antialias=antialias, align_corners=False)
        return torch.cat([pre, img.permute(0, 2, 3, 1).reshape(1, -1, pos.shape[-1]).to(pos.dtype)], dim=1)

    add("pos_embed_interp", "pos_embed_interp", {"old_grid": [4, 4], "new_grid": [6, 3], "num_prefix_tokens": 1, "mode": "bicubic",
                                                 "align_corners": False, "antialias": True},
        {"pos_embed": g.randn(1, 17, 8)}, pos_embed_interp, ["pos_embed"])
    for padding in ("zeros", "border", "reflection"):
        for ac in (False, True):
            for mode in ("bilinear", "nearest"):
                add("grid_sample_%s_%s%s" % (mode, padding, "_ac" if ac else ""), "grid_sample",
                    {"mode": mode, "padding_mode": padding, "align_corners": ac},
                    {"input": g.randn(2, 3, 5, 6), "grid": 1.3 * (2 * torch.rand(2, 4, 7, 2, generator=g.g) - 1)},
                    lambda t, m=mode, p=padding, a=ac: F.grid_sample(t["input"], t["grid"], mode=m, padding_mode=p, align_corners=a),
                    ["input", "grid"] if mode == "bilinear" else ["input"])
    add("max_pool2d", "max_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1}, {"x": g.randn(2, 3, 7, 6)},
        lambda t: dict(zip(("y", "indices"), F.max_pool2d(t["x"], 3, 2, 1, return_indices=True))), ["x"])
    add("avg_pool2d", "avg_pool2d", {"kernel_size": 3, "stride": 2, "padding": 1, "count_include_pad": True}, {"x": g.randn(2, 3, 7, 6)},
        lambda t: F.avg_pool2d(t["x"], 3, 2, 1, count_include_pad=True), ["x"])
    add("avg_pool2d_exclude_pad", "avg_pool2d", {"kernel_size": [3, 2], "stride": 1, "padding": [1, 1], "count_include_pad": False},
        {"x": g.randn(1, 2, 5, 4)}, lambda t: F.avg_pool2d(t["x"], (3, 2), 1, (1, 1), count_include_pad=False), ["x"])
    add("adaptive_avg_pool2d", "adaptive_avg_pool2d", {"output_size": [3, 4]}, {"x": g.randn(2, 3, 7, 10)},
        lambda t: F.adaptive_avg_pool2d(t["x"], (3, 4)), ["x"])
    add("group_norm", "group_norm", {"num_groups": 3, "eps": 1e-5}, {"x": g.randn(2, 6, 4, 5), "weight": g.randn(6), "bias": g.randn(6)},
        lambda t: F.group_norm(t["x"], 3, t["weight"], t["bias"], 1e-5), ["x", "weight", "bias"])
    add("instance_norm", "instance_norm", {"eps": 1e-5}, {"x": g.randn(2, 3, 4, 5), "weight": g.randn(3), "bias": g.randn(3)},
        lambda t: F.instance_norm(t["x"], weight=t["weight"], bias=t["bias"], eps=1e-5), ["x", "weight", "bias"])

    def layer_norm2d(t):
        x = t["x"]
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        return (x - u) / torch.sqrt(s + 1e-6) * t["weight"][:, None, None] + t["bias"][:, None, None]

    add("layer_norm2d", "layer_norm2d", {"eps": 1e-6}, {"x": g.randn(2, 5, 3, 4), "weight": g.randn(5), "bias": g.randn(5)},
        layer_norm2d, ["x", "weight", "bias"])

    def batch_norm_train(t):
        rm, rv = t["running_mean"].clone(), t["running_var"].clone()
        y = F.batch_norm(t["x"], rm, rv, t["weight"], t["bias"], training=True, momentum=0.1, eps=1e-5)
        return {"y": y, "running_mean_after": rm, "running_var_after": rv}

    add("batch_norm_train", "batch_norm_train", {"momentum": 0.1, "eps": 1e-5},
        {"x": g.randn(4, 3, 5, 2), "weight": g.randn(3), "bias": g.randn(3), "running_mean": g.randn(3), "running_var": g.positive(3)},
        batch_norm_train, ["x", "weight", "bias"])
    add("batch_norm_eval", "batch_norm_eval", {"eps": 1e-5},
        {"x": g.randn(4, 3, 5, 2), "weight": g.randn(3), "bias": g.randn(3), "running_mean": g.randn(3), "running_var": g.positive(3)},
        lambda t: F.batch_norm(t["x"], t["running_mean"], t["running_var"], t["weight"], t["bias"], training=False, eps=1e-5),
        ["x", "weight", "bias"])

    def sine(t, npf=8, temperature=10000, scale=2 * 3.141592653589793):
        x = t["x"]
        not_mask = torch.ones(x.shape[0], x.shape[2], x.shape[3], dtype=torch.float64)
        y_embed, x_embed = not_mask.cumsum(1), not_mask.cumsum(2)
        y_embed = y_embed / (y_embed[:, -1:, :] + 1e-6) * scale
        x_embed = x_embed / (x_embed[:, :, -1:] + 1e-6) * scale
        dim_t = torch.arange(npf, dtype=torch.float64)
        dim_t = temperature ** (2 * (dim_t // 2) / npf)
        pos_x, pos_y = x_embed[:, :, :, None] / dim_t, y_embed[:, :, :, None] / dim_t
        pos_x = torch.stack((pos_x[:, :, :, 0::2].sin(), pos_x[:, :, :, 1::2].cos()), dim=4).flatten(3)
        pos_y = torch.stack((pos_y[:, :, :, 0::2].sin(), pos_y[:, :, :, 1::2].cos()), dim=4).flatten(3)
        return torch.cat((pos_y, pos_x), dim=3).permute(0, 3, 1, 2).to(x.dtype)

    add("position_embedding_sine", "position_embedding_sine", {"num_pos_feats": 8, "temperature": 10000, "normalize": True, "scale": 6.283185307179586},
        {"x": g.randn(2, 4, 3, 5)}, sine)
    add("floor", "floor", {}, {"x": 3 * g.randn(4, 5)}, lambda t: torch.floor(t["x"]))
    add("round", "round", {}, {"x": torch.tensor([0.5, 1.5, 2.5, -0.5, -1.5, 2.4, -2.6])}, lambda t: torch.round(t["x"]))

    shapes = torch.tensor([[6, 5], [3, 3], [2, 1]])
    starts = torch.tensor([0, 30, 39])
    for name, d in (("ms_deform_attn", 4), ("ms_deform_attn_wide", 19)):
        add(name, "ms_deform_attn_core", {},
            {"value": g.randn(2, 41, 3, d), "spatial_shapes": shapes, "level_start_index": starts,
             "sampling_locations": -0.1 + 1.2 * torch.rand(2, 5, 3, 3, 4, 2, generator=g.g), "attention_weights": torch.rand(2, 5, 3, 3, 4, generator=g.g)},
            lambda t: ms_deform_attn_core(t["value"], t["spatial_shapes"].tolist(), t["sampling_locations"], t["attention_weights"]),
            ["value", "sampling_locations", "attention_weights"])

    # shapes, joins, indexing


    add("cat", "cat", {"dim": 1}, {"tensors.0": g.randn(2, 3, 4), "tensors.1": g.randn(2, 1, 4), "tensors.2": g.randn(2, 2, 4)},
        lambda t: torch.cat([t["tensors.0"], t["tensors.1"], t["tensors.2"]], dim=1), ["tensors.0", "tensors.1", "tensors.2"])
    add("stack", "stack", {"dim": 2}, {"tensors.0": g.randn(3, 4), "tensors.1": g.randn(3, 4)},
        lambda t: torch.stack([t["tensors.0"], t["tensors.1"]], dim=2), ["tensors.0", "tensors.1"])
    add("split", "split", {"split_size_or_sections": 2, "dim": 1}, {"x": g.randn(3, 5)},
        lambda t: {str(i): p for i, p in enumerate(torch.split(t["x"], 2, dim=1))}, ["x"], "2")
    add("chunk", "chunk", {"chunks": 3, "dim": 0}, {"x": g.randn(7, 2)},
        lambda t: {str(i): p for i, p in enumerate(torch.chunk(t["x"], 3, dim=0))}, ["x"], "1")
    add("pad_constant", "pad", {"pad": [1, 2, -1, 1], "mode": "constant", "value": 0.5}, {"x": g.randn(2, 4, 5)},
        lambda t: F.pad(t["x"], [1, 2, -1, 1], mode="constant", value=0.5), ["x"])
    add("pad_reflect", "pad", {"pad": [2, 1, 1, 3], "mode": "reflect"}, {"x": g.randn(1, 2, 4, 5)},
        lambda t: F.pad(t["x"], [2, 1, 1, 3], mode="reflect"), ["x"])
    add("pad_replicate", "pad", {"pad": [3, 1, 0, 2], "mode": "replicate"}, {"x": g.randn(1, 2, 3, 4)},
        lambda t: F.pad(t["x"], [3, 1, 0, 2], mode="replicate"), ["x"])
    add("pad_circular", "pad", {"pad": [1, 2, 2, 1], "mode": "circular"}, {"x": g.randn(1, 2, 3, 4)},
        lambda t: F.pad(t["x"], [1, 2, 2, 1], mode="circular"), ["x"])
    add("index_select", "index_select", {"dim": 1}, {"x": g.randn(3, 5, 2), "index": torch.tensor([4, 0, 0, 2])},
        lambda t: torch.index_select(t["x"], 1, t["index"]), ["x"])
    add("gather", "gather", {"dim": 0}, {"x": g.randn(4, 3), "index": g.ints(4, 6, 3)},
        lambda t: torch.gather(t["x"], 0, t["index"]), ["x"])
    add("scatter_add", "scatter_add", {"dim": 1}, {"x": g.randn(3, 5), "index": g.ints(5, 3, 4), "src": g.randn(3, 4)},
        lambda t: torch.scatter_add(t["x"], 1, t["index"], t["src"]), ["x", "src"])
    add("masked_fill", "masked_fill", {"value": -2.5}, {"x": g.randn(3, 4), "mask": g.mask(1, 4)},
        lambda t: t["x"].masked_fill(t["mask"], -2.5), ["x"])
    add("one_hot", "one_hot", {"num_classes": 5}, {"x": g.ints(5, 3, 4)}, lambda t: F.one_hot(t["x"], 5))
    add("repeat", "repeat", {"repeats": [2, 1, 3]}, {"x": g.randn(3, 2)}, lambda t: t["x"].repeat(2, 1, 3), ["x"])
    add("flip", "flip", {"dims": [0, 2]}, {"x": g.randn(2, 3, 4)}, lambda t: torch.flip(t["x"], [0, 2]), ["x"])
    add("roll", "roll", {"shifts": [2, -1], "dims": [1, 0]}, {"x": g.randn(3, 5)}, lambda t: torch.roll(t["x"], [2, -1], [1, 0]), ["x"])
    add("tril", "tril", {"diagonal": -1}, {"x": g.randn(2, 4, 5)}, lambda t: torch.tril(t["x"], -1), ["x"])
    add("triu", "triu", {"diagonal": 1}, {"x": g.randn(4, 3)}, lambda t: torch.triu(t["x"], 1), ["x"])
    add("reshape", "reshape", {"shape": [4, -1]}, {"x": g.randn(2, 3, 4)}, lambda t: t["x"].reshape(4, -1), ["x"])
    add("permute", "permute", {"dims": [2, 0, 1]}, {"x": g.randn(2, 3, 4)}, lambda t: t["x"].permute(2, 0, 1), ["x"])
    add("transpose", "transpose", {"dim0": 0, "dim1": 2}, {"x": g.randn(2, 3, 4)}, lambda t: t["x"].transpose(0, 2), ["x"])
    add("expand", "expand", {"size": [3, -1, 4]}, {"x": g.randn(2, 1)}, lambda t: t["x"].expand(3, -1, 4), ["x"])
    add("narrow", "narrow", {"dim": 1, "start": 1, "length": 2}, {"x": g.randn(3, 5)}, lambda t: t["x"].narrow(1, 1, 2), ["x"])
    add("slice", "slice", {"dim": 1, "start": 1, "end": 6, "step": 2}, {"x": g.randn(3, 7)}, lambda t: t["x"][:, 1:6:2], ["x"])
    add("squeeze", "squeeze", {"dim": 1}, {"x": g.randn(3, 1, 4)}, lambda t: t["x"].squeeze(1), ["x"])
    add("unsqueeze", "unsqueeze", {"dim": -1}, {"x": g.randn(3, 4)}, lambda t: t["x"].unsqueeze(-1), ["x"])
    add("flatten", "flatten", {"start_dim": 1, "end_dim": 2}, {"x": g.randn(2, 3, 4, 2)}, lambda t: t["x"].flatten(1, 2), ["x"])
    for name in ("bfloat16", "float16", "float64", "int64", "bool"):
        add("to_" + name, "to", {"dtype": name}, {"x": 100 * g.randn(5, 7)}, lambda t, d=CAST_DTYPES[name]: t["x"].to(d))
    return c


def assignment_cases(out_dir):
    """scipy.optimize.linear_sum_assignment: indices compared exactly when the optimum is unique."""
    import itertools
    from scipy.optimize import linear_sum_assignment
    g = torch.Generator().manual_seed(99)

    def unique(cost, maximize):
        r, c = cost.shape
        sign = -1 if maximize else 1
        totals = sorted(sign * sum(cost[i, p[i]] for i in range(r)) for p in itertools.permutations(range(c), r)) if r <= c else \
            sorted(sign * sum(cost[p[j], j] for j in range(c)) for p in itertools.permutations(range(r), c))
        return len(totals) < 2 or totals[1] - totals[0] > 1e-9

    cases = [("lsa_square", torch.rand(5, 5, generator=g, dtype=torch.float64), False),
             ("lsa_wide", torch.rand(4, 7, generator=g, dtype=torch.float64), False),
             ("lsa_tall", torch.rand(7, 4, generator=g, dtype=torch.float64), False),
             ("lsa_maximize", torch.rand(5, 6, generator=g, dtype=torch.float64), True),
             ("lsa_ties", torch.randint(0, 3, (5, 6), generator=g).double(), False),
             ("lsa_large", torch.rand(30, 40, generator=g, dtype=torch.float64), False)]
    forbidden = torch.rand(4, 5, generator=g, dtype=torch.float64)
    forbidden[0, :3] = float("inf")
    forbidden[2, 4] = float("inf")
    cases.append(("lsa_forbidden", forbidden, False))
    for name, cost, maximize in cases:
        rows, cols = linear_sum_assignment(cost.numpy(), maximize=maximize)
        total = cost.numpy()[rows, cols].sum()
        uniq = "true" if cost.shape[0] * cost.shape[1] > 36 or unique(cost.numpy(), maximize) else "false"
        tensors = {"in.cost": cost, "out.row_ind": torch.from_numpy(rows).long(), "out.col_ind": torch.from_numpy(cols).long(),
                   "out.total_cost": torch.tensor(total, dtype=torch.float64)}
        meta = {"op": "linear_sum_assignment", "params": json.dumps({"maximize": maximize}), "rtol": "1e-12",
                "atol": json.dumps({"out.total_cost": 1e-9}), "unique_optimum": uniq,
                "doc": "Hungarian matching", "reference": "scipy.optimize.linear_sum_assignment"}
        write_safetensors(os.path.join(out_dir, name + ".safetensors"), tensors, meta)
    return len(cases)


def nn_cases(g):
    """Losses and optimizers (ops of the nn issue)."""
    c = []

    def add(name, op, params, inputs, fn, grads=(), grad_of="y"):
        c.append((name, op, params, inputs, fn, grads, grad_of))

    target = g.ints(4, 2, 5, 3)
    target[0, 0, 0] = -100
    add("cross_entropy", "cross_entropy", {"ignore_index": -100, "reduction": "mean", "label_smoothing": 0.0},
        {"logits": 2 * g.randn(2, 4, 5, 3), "target": target}, lambda t: F.cross_entropy(t["logits"], t["target"]), ["logits"])
    add("cross_entropy_weighted_smoothed", "cross_entropy", {"ignore_index": 1, "reduction": "mean", "label_smoothing": 0.1},
        {"logits": 2 * g.randn(6, 4), "target": g.ints(4, 6), "weight": g.positive(4)},
        lambda t: F.cross_entropy(t["logits"], t["target"], weight=t["weight"], ignore_index=1, label_smoothing=0.1), ["logits"])
    add("cross_entropy_sum", "cross_entropy", {"ignore_index": -100, "reduction": "sum", "label_smoothing": 0.2},
        {"logits": g.randn(3, 5, 4), "target": g.ints(5, 3, 4)},
        lambda t: F.cross_entropy(t["logits"], t["target"], reduction="sum", label_smoothing=0.2), ["logits"])
    add("cross_entropy_none", "cross_entropy", {"ignore_index": -100, "reduction": "none", "label_smoothing": 0.0},
        {"logits": g.randn(3, 5, 4), "target": g.ints(5, 3, 4), "weight": g.positive(5)},
        lambda t: F.cross_entropy(t["logits"], t["target"], weight=t["weight"], reduction="none"), ["logits"])
    add("bce_with_logits", "binary_cross_entropy_with_logits", {"reduction": "mean"},
        {"x": 3 * g.randn(4, 5), "target": torch.rand(4, 5, generator=g.g)},
        lambda t: F.binary_cross_entropy_with_logits(t["x"], t["target"]), ["x"])
    add("bce_with_logits_pos_weight", "binary_cross_entropy_with_logits", {"reduction": "sum"},
        {"x": 3 * g.randn(4, 5), "target": (torch.rand(4, 5, generator=g.g) < 0.5).float(), "pos_weight": g.positive(5)},
        lambda t: F.binary_cross_entropy_with_logits(t["x"], t["target"], pos_weight=t["pos_weight"], reduction="sum"), ["x"])

    def soft_dice(t, smooth, do_bg, batch_dice):
        # nnU-Net's MemoryEfficientSoftDiceLoss (softmax nonlinearity, no loss mask)
        x = torch.softmax(t["logits"], 1)
        y = F.one_hot(t["target"], x.shape[1]).movedim(-1, 1).to(x.dtype)
        if not do_bg:
            x, y = x[:, 1:], y[:, 1:]
        axes = tuple(range(2, x.ndim))
        intersect, sum_pred, sum_gt = (x * y).sum(axes), x.sum(axes), y.sum(axes)
        if batch_dice:
            intersect, sum_pred, sum_gt = intersect.sum(0), sum_pred.sum(0), sum_gt.sum(0)
        dc = (2 * intersect + smooth) / torch.clip(sum_gt + sum_pred + smooth, 1e-8)
        return -dc.mean()

    for bd in (False, True):
        add("soft_dice_softmax%s" % ("_batch" if bd else ""), "soft_dice_softmax", {"smooth": 1e-5, "do_bg": False, "batch_dice": bd},
            {"logits": 2 * g.randn(2, 3, 6, 5), "target": g.ints(3, 2, 6, 5)}, lambda t, bd=bd: soft_dice(t, 1e-5, False, bd), ["logits"])
    add("soft_dice_softmax_bg", "soft_dice_softmax", {"smooth": 1.0, "do_bg": True, "batch_dice": False},
        {"logits": 2 * g.randn(2, 3, 6, 5), "target": g.ints(3, 2, 6, 5)}, lambda t: soft_dice(t, 1.0, True, False), ["logits"])

    def m2f_dice(t):
        p = t["logits"].sigmoid()
        num = 2 * (p * t["targets"]).sum(-1)
        den = p.sum(-1) + t["targets"].sum(-1)
        return (1 - (num + 1) / (den + 1)).sum() / 3.0

    add("soft_dice_sigmoid", "soft_dice_sigmoid", {"num_masks": 3.0, "smooth": 1.0},
        {"logits": 2 * g.randn(4, 20), "targets": (torch.rand(4, 20, generator=g.g) < 0.4).float()}, m2f_dice, ["logits"])
    add("mask2former_sigmoid_ce_loss", "mask2former_sigmoid_ce_loss", {"num_masks": 3.0},
        {"logits": 2 * g.randn(4, 20), "targets": (torch.rand(4, 20, generator=g.g) < 0.4).float()},
        lambda t: F.binary_cross_entropy_with_logits(t["logits"], t["targets"], reduction="none").mean(1).sum() / 3.0, ["logits"])

    def focal(t, alpha=0.25, gamma=2.0):
        p = torch.sigmoid(t["logits"])
        ce = F.binary_cross_entropy_with_logits(t["logits"], t["targets"], reduction="none")
        p_t = p * t["targets"] + (1 - p) * (1 - t["targets"])
        loss = ce * ((1 - p_t) ** gamma)
        return (loss * (alpha * t["targets"] + (1 - alpha) * (1 - t["targets"]))).mean()

    add("sigmoid_focal_loss", "sigmoid_focal_loss", {"alpha": 0.25, "gamma": 2.0, "reduction": "mean"},
        {"logits": 2 * g.randn(5, 6), "targets": (torch.rand(5, 6, generator=g.g) < 0.3).float()}, focal, ["logits"])
    return c


def optimizer_cases(out_dir):
    """Five steps of SGD / Adam / AdamW on loss = sum(w * (p - target)^2), p the only parameter (float64)."""
    g = torch.Generator().manual_seed(7)
    configs = [("sgd", {"lr": 0.1, "momentum": 0.9, "dampening": 0.0, "nesterov": True, "weight_decay": 0.01}),
               ("sgd_plain", {"lr": 0.05, "momentum": 0.0, "dampening": 0.0, "nesterov": False, "weight_decay": 0.0}),
               ("sgd_dampened", {"lr": 0.05, "momentum": 0.8, "dampening": 0.3, "nesterov": False, "weight_decay": 0.1}),
               ("adam", {"lr": 0.01, "betas": [0.9, 0.999], "eps": 1e-8, "weight_decay": 0.1}),
               ("adamw", {"lr": 0.01, "betas": [0.9, 0.98], "eps": 1e-6, "weight_decay": 0.05})]
    for name, params in configs:
        p0, target, w = torch.randn(3, 4, generator=g, dtype=torch.float64), torch.randn(3, 4, generator=g, dtype=torch.float64), \
            torch.rand(3, 4, generator=g, dtype=torch.float64) + 0.5
        p = p0.clone().requires_grad_(True)
        kw = {k: v for k, v in params.items() if k != "betas"}
        if name.startswith("sgd"):
            opt = torch.optim.SGD([p], **kw)
        else:
            opt = (torch.optim.AdamW if name == "adamw" else torch.optim.Adam)([p], betas=tuple(params["betas"]), **kw)
        for _ in range(5):
            opt.zero_grad()
            (w * (p - target) ** 2).sum().backward()
            opt.step()
        tensors = {"in.p": p0, "in.target": target, "in.w": w, "out.p": p.detach()}
        meta = {"op": "sgd" if name.startswith("sgd") else name, "params": json.dumps(dict(params, steps=5)), "rtol": "1e-12",
                "atol": json.dumps({"out.p": 1e-12}), "doc": "5 steps on sum(w*(p-target)^2)", "reference": "torch.optim, float64"}
        write_safetensors(os.path.join(out_dir, "optim_" + name + ".safetensors"), tensors, meta)
    return len(configs)


def checkpoint_files(out_dir):
    """PyTorch .pth files for the reader's tests, with safetensors twins of their tensors and one module output."""
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(3)
    model = torch.nn.Sequential(torch.nn.Linear(4, 3), torch.nn.BatchNorm1d(3), torch.nn.Conv1d(3, 2, 2))
    sd = model.state_dict()
    sd["transposed"] = torch.arange(12.).reshape(3, 4).t()          # a non-contiguous view
    base = torch.arange(10.)
    sd["shared_a"], sd["shared_b"] = base[2:6], base[5:]           # two views of one storage, with offsets
    sd["half"] = torch.randn(2, 3).half()
    sd["bf16"] = torch.randn(2, 3).bfloat16()
    sd["mask"] = torch.tensor([True, False, True])
    torch.save(sd, os.path.join(out_dir, "state_dict.pth"))
    twin = {k: v.contiguous() for k, v in sd.items()}
    x = torch.randn(5, 4)
    twin["input"], twin["linear_output"] = x, model[0](x).detach()
    write_safetensors(os.path.join(out_dir, "state_dict_expected.safetensors"), twin, {"format": "pt"})
    torch.save({"teacher": {"backbone.weight": torch.randn(2, 2), "backbone.bias": torch.zeros(2)}, "student": {"x": torch.ones(1)},
                "iteration": 1200, "args": ["a", 1.5, None, True]}, os.path.join(out_dir, "teacher.pth"))

    class Evil:
        def __reduce__(self):
            return (os.system, ("echo owned",))

    torch.save({"weight": torch.ones(1), "payload": Evil()}, os.path.join(out_dir, "malicious.pth"))


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "fixtures/ops"
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(0)
    all_cases = cases(Gen(1234))
    for name, op, params, inputs, fn, grads, grad_of in all_cases:
        make_case(out_dir, name, op, params, inputs, fn, grads, grad_of)
    for name, op, params, inputs, fn, grads, grad_of in nn_cases(Gen(4321)):
        make_case(out_dir, name, op, params, inputs, fn, grads, grad_of)
    count = len(all_cases) + len(nn_cases(Gen(4321))) + assignment_cases(out_dir) + optimizer_cases(out_dir)
    checkpoint_files(os.path.join(os.path.dirname(out_dir.rstrip("/")) or ".", "checkpoints"))
    print("wrote %d fixtures to %s" % (count, out_dir))


if __name__ == "__main__":
    main()
