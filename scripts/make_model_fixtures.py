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
    def __init__(self):
        super().__init__()
        self.norm1 = nn.LayerNorm(D, eps=1e-5)
        self.attn = nn.Module()
        self.attn.qkv = nn.Linear(D, 3 * D)
        self.attn.qkv.register_buffer("bias_mask", torch.cat([torch.ones(D), torch.zeros(D), torch.ones(D)]))
        self.attn.proj = nn.Linear(D, D)
        self.ls1 = nn.Module()
        self.ls1.gamma = nn.Parameter(torch.full((D,), 0.5))
        self.norm2 = nn.LayerNorm(D, eps=1e-5)
        self.mlp = nn.Module()
        self.mlp.fc1, self.mlp.fc2 = nn.Linear(D, 4 * D), nn.Linear(4 * D, D)
        self.ls2 = nn.Module()
        self.ls2.gamma = nn.Parameter(torch.full((D,), 0.5))

    def forward(self, x, sin, cos):
        b, n, _ = x.shape
        h = self.norm1(x)
        qkv = F.linear(h, self.attn.qkv.weight, self.attn.qkv.bias * self.attn.qkv.bias_mask)
        q, k, v = qkv.reshape(b, n, 3, HEADS, D // HEADS).permute(2, 0, 3, 1, 4)
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
    print("wrote", out_dir)


if __name__ == "__main__":
    main()
