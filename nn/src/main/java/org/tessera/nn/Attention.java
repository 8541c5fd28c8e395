package org.tessera.nn;

import org.tessera.tensor.Tensor;

/** timm's Attention with a fused qkv projection (keys qkv.*, proj.*), on the fused attention op. (B, N, C) → (B, N, C). */
public final class Attention extends Module implements Layer {
  public final Linear qkv, proj;
  private final int heads;

  public Attention(int dim, int heads, boolean qkvBias) {
    if (dim % heads != 0) throw new IllegalArgumentException("Attention: dim " + dim + " is not divisible by " + heads + " heads");
    this.heads = heads;
    this.qkv = register("qkv", new Linear(dim, 3 * dim, qkvBias));
    this.proj = register("proj", new Linear(dim, dim, true));
  }

  @Override public Tensor forward(Tensor x) {
    int b = x.size(0), n = x.size(1), c = x.size(2);
    Tensor qkv = this.qkv.forward(x).reshape(b, n, 3, heads, c / heads).permute(2, 0, 3, 1, 4); // (3, B, heads, N, head_dim)
    Tensor out = qkv.select(0, 0).scaledDotProductAttention(qkv.select(0, 1), qkv.select(0, 2)); // (B, heads, N, head_dim)
    return proj.forward(out.transpose(1, 2).reshape(b, n, c));
  }
}
