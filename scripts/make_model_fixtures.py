#!/usr/bin/python3
"""A DINOv3 ViT + Primus-Multiscale written from shared/spec/models.md §3-§4 in PyTorch, with random weights: its
state dict, an input and the outputs, so that Tessera's model is checked against PyTorch end to end.
    /usr/bin/python3 scripts/make_model_fixtures.py fixtures/models
"""
import math
import os
import sys

import torch
import torch.nn as nn
import torch.nn.functional as F

sys.path.insert(0, os.path.dirname(__file__))
from make_fixtures import write_safetensors  # noqa: E402

D, DEPTH, HEADS, R, PATCH, CLASSES = 96, 4, 3, 4, 16, 4


def rope(h, w, periods):
    cy = (torch.arange(h, dtype=torch.float64) + 0.5) / h * 2 - 1
    cx = (torch.arange(w, dtype=torch.float64) + 0.5) / w * 2 - 1
    coords = torch.stack(torch.meshgrid(cy, cx, indexing="ij"), dim=-1).flatten(0, 1)  # (hw, 2) as (y, x)
    angles = 2 * math.pi * coords[:, :, None] / periods.double()[None, None, :]
    angles = angles.flatten(1).tile(2)
    return angles.sin().float(), angles.cos().float()


def rotate_half(t):
    a, b = t.chunk(2, dim=-1)
    return torch.cat([-b, a], dim=-1)


class Block(nn.Module):
    """DINOv3's block (k-masked qkv bias, RoPE on the patch tokens, eps 1e-5); with masked=False and no RoPE, DINOv2's
    (dinov2/layers/block.py, plain qkv bias, eps 1e-6)."""

    def __init__(self, eps=1e-5, masked=True, gamma=lambda: torch.full((D,), 0.5)):
        super().__init__()
        self.norm1 = nn.LayerNorm(D, eps=eps)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(D, 3 * D)
        if masked:
            self.attn.qkv.register_buffer("bias_mask", torch.cat([torch.ones(D), torch.zeros(D), torch.ones(D)]))
        self.attn.proj = nn.Linear(D, D)
        self.ls1 = nn.Module()
        self.ls1.gamma = nn.Parameter(gamma())
        self.norm2 = nn.LayerNorm(D, eps=eps)
        self.mlp = nn.Module()
        self.mlp.fc1, self.mlp.fc2 = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)
        self.ls2 = nn.Module()
        self.ls2.gamma = nn.Parameter(gamma())

    def forward(self, x, sin=None, cos=None):
        b, n, _ = x.shape
        h = self.norm1(x)
        bias = self.attn.qkv.bias * self.attn.qkv.bias_mask if hasattr(self.attn.qkv, "bias_mask") else self.attn.qkv.bias
        q, k, v = F.linear(h, self.attn.qkv.weight, bias).reshape(b, n, 3, HEADS, D // HEADS).permute(2, 0, 3, 1, 4)
        if sin is not None:
            p = n - sin.shape[0]
            q = torch.cat([q[:, :, :p], q[:, :, p:] * cos + rotate_half(q[:, :, p:]) * sin], dim=2)
            k = torch.cat([k[:, :, :p], k[:, :, p:] * cos + rotate_half(k[:, :, p:]) * sin], dim=2)
        a = torch.softmax(q @ k.transpose(-2, -1) / math.sqrt(D // HEADS), dim=-1) @ v
        x = x + self.ls1.gamma * self.attn.proj(a.transpose(1, 2).reshape(b, n, D))
        return x + self.ls2.gamma * self.mlp.fc2(F.gelu(self.mlp.fc1(self.norm2(x))))


class Vit(nn.Module):
    def __init__(self):
        super().__init__()
        self.cls_token = nn.Parameter(torch.randn(1, 1, D) * 0.02)
        self.storage_tokens = nn.Parameter(torch.randn(1, R, D) * 0.02)
        self.mask_token = nn.Parameter(torch.zeros(1, D))
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(3, D, PATCH, PATCH)
        self.rope_embed = nn.Module()
        F_ = D // HEADS // 4
        self.rope_embed.register_buffer("periods", 100 ** (2 * torch.arange(F_, dtype=torch.float32) / (D // HEADS // 2)))
        self.blocks = nn.ModuleList([Block() for _ in range(DEPTH)])
        self.norm = nn.LayerNorm(D, eps=1e-5)

    def intermediate(self, x, taps):
        b, _, H, W = x.shape
        h, w = H // PATCH, W // PATCH
        t = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        t = torch.cat([self.cls_token.expand(b, -1, -1) + 0 * self.mask_token, self.storage_tokens.expand(b, -1, -1), t], dim=1)
        sin, cos = rope(h, w, self.rope_embed.periods)
        out = []
        for i, blk in enumerate(self.blocks):
            t = blk(t, sin, cos)
            if i in taps:
                o = self.norm(t)[:, 1 + R:]
                out.append(o.transpose(1, 2).reshape(b, D, h, w))
        return out


class LayerNormNd(nn.Module):
    def __init__(self, c):
        super().__init__()
        self.weight, self.bias = nn.Parameter(torch.ones(c)), nn.Parameter(torch.zeros(c))

    def forward(self, x):
        u = x.mean(1, keepdim=True)
        s = (x - u).pow(2).mean(1, keepdim=True)
        return (x - u) / torch.sqrt(s + 1e-6) * self.weight[:, None, None] + self.bias[:, None, None]


class PrimusMultiscale(nn.Module):
    def __init__(self, taps):
        super().__init__()
        self.taps = taps
        self.dino_encoder = Vit()
        ch = [len(taps) * D]
        for _ in range(4):
            ch.append(ch[-1] // 2)
        stages = [nn.Sequential(nn.ConvTranspose2d(ch[s], ch[s + 1], 2, 2), LayerNormNd(ch[s + 1]), nn.GELU()) for s in range(4)]
        self.up_projection = nn.Module()
        self.up_projection.decode = nn.Sequential(*stages, nn.Conv2d(ch[4], CLASSES, 1))

    def forward(self, x):
        maps = self.dino_encoder.intermediate(x.repeat(1, 3, 1, 1), self.taps)
        return self.up_projection.decode(torch.cat(maps, dim=1))


class Dinov2(nn.Module):
    """dinov2/models/vision_transformer.py: learned pos_embed (M x M grid + CLS) resized by interpolate_pos_encoding
    (bicubic, scale factor (grid + 0.1) / M), register tokens inserted after CLS once positions are added."""

    def __init__(self, grid=4, registers=4, patch=14):
        super().__init__()
        self.grid, self.patch = grid, patch
        self.cls_token = nn.Parameter(torch.randn(1, 1, D) * 0.02)
        self.pos_embed = nn.Parameter(torch.randn(1, 1 + grid * grid, D) * 0.02)
        self.register_tokens = nn.Parameter(torch.randn(1, registers, D) * 0.02)
        self.mask_token = nn.Parameter(torch.zeros(1, D))
        self.patch_embed = nn.Module()
        self.patch_embed.proj = nn.Conv2d(3, D, patch, patch)
        self.blocks = nn.ModuleList([Block(eps=1e-6, masked=False, gamma=lambda: torch.rand(D)) for _ in range(DEPTH)])
        self.norm = nn.LayerNorm(D, eps=1e-6)

    def interpolate_pos_encoding(self, x, w, h):
        npatch, n = x.shape[1] - 1, self.pos_embed.shape[1] - 1
        if npatch == n and w == h:
            return self.pos_embed
        w0, h0, m = w // self.patch, h // self.patch, self.grid
        patch_pos = F.interpolate(self.pos_embed[:, 1:].reshape(1, m, m, D).permute(0, 3, 1, 2), scale_factor=((w0 + 0.1) / m, (h0 + 0.1) / m),
                                  mode="bicubic", antialias=False)
        assert (w0, h0) == patch_pos.shape[-2:]
        return torch.cat((self.pos_embed[:, :1], patch_pos.permute(0, 2, 3, 1).reshape(1, -1, D)), dim=1)

    def tokens(self, x):
        b, _, w, h = x.shape
        t = self.patch_embed.proj(x).flatten(2).transpose(1, 2)
        t = torch.cat((self.cls_token.expand(b, -1, -1), t), dim=1)
        t = t + self.interpolate_pos_encoding(t, w, h)
        return torch.cat((t[:, :1], self.register_tokens.expand(b, -1, -1), t[:, 1:]), dim=1)

    def features(self, x, taps):
        b, _, H, W = x.shape
        h, w = H // self.patch, W // self.patch
        t = self.tokens(x)
        maps = []
        for i, blk in enumerate(self.blocks):
            t = blk(t)
            if i in taps:
                maps.append(self.norm(t)[:, 1 + self.register_tokens.shape[1]:].transpose(1, 2).reshape(b, D, h, w))
        return self.norm(t), maps


def dinov2_fixture(out_dir):
    torch.manual_seed(12)
    model = Dinov2()
    x = torch.randn(2, 3, 42, 70)  # a 3 x 5 grid: the 4 x 4 positions are resized
    with torch.no_grad():
        final, maps = model.features(x, [1, 3])
    tensors = {"model." + k: v.contiguous() for k, v in model.state_dict().items()}
    tensors.update({"input": x, "tokens": final, "features.1": maps[0], "features.3": maps[1]})
    write_safetensors(os.path.join(out_dir, "dinov2_tiny_reg.safetensors"), tensors,
                      {"doc": "DINOv2 ViT/14 (D=96, depth 4, 3 heads, 4 registers, 4x4 learned positions) at a 3x5 grid",
                       "reference": "torch %s, written from facebookresearch/dinov2's vision_transformer.py" % torch.__version__})


def main():
    out_dir = sys.argv[1] if len(sys.argv) > 1 else "fixtures/models"
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(11)
    model = PrimusMultiscale([0, 1, 2, 3])
    with torch.no_grad():
        for name, p in model.named_parameters():
            if "norm" not in name and not name.endswith("gamma"):
                p.copy_(torch.randn(p.shape) * (0.02 if p.dim() > 1 else 0.1))
    x = torch.randn(2, 1, 64, 48)
    with torch.no_grad():
        y = model(x)
        feats = model.dino_encoder.intermediate(x.repeat(1, 3, 1, 1), [1, 3])
    tensors = {"model." + k: v.contiguous() for k, v in model.state_dict().items()}
    tensors.update({"input": x, "logits": y, "features.1": feats[0], "features.3": feats[1]})
    write_safetensors(os.path.join(out_dir, "dinov3_tiny_primus_multiscale.safetensors"), tensors,
                      {"doc": "DINOv3 ViT (D=96, depth 4, 3 heads, 4 storage tokens, k-masked qkv bias) + Primus-Multiscale taps [0,1,2,3], 4 classes",
                       "reference": "torch %s, written from shared/spec/models.md" % torch.__version__})
    dinov2_fixture(out_dir)
    print("wrote", out_dir)


if __name__ == "__main__":
    main()
