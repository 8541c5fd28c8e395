package org.tessera.models.vit;

import org.tessera.nn.Activation;
import org.tessera.nn.DropPath;
import org.tessera.nn.Identity;
import org.tessera.nn.Layer;
import org.tessera.nn.LayerNorm;
import org.tessera.nn.Linear;
import org.tessera.nn.Module;
import org.tessera.tensor.DType;
import org.tessera.tensor.PositionEncodings;
import org.tessera.tensor.Tensor;

/**
 * One DINOv3 block (dinov3/layers/block.py): x = x + ls1(attn(norm1(x), rope)); x = x + ls2(mlp(norm2(x))).
 * Keys: norm1.*, attn.qkv.{weight,bias,bias_mask}, attn.proj.*, ls1.gamma, norm2.*, mlp.fc1/fc2 (or w1/w2/w3), ls2.gamma.
 */
final class Block extends Module {
  final LayerNorm norm1, norm2;
  final SelfAttention attn;
  final LayerScale ls1, ls2;
  final Module mlp;
  final Layer dropPath;

  Block(VitConfig c, double dropPath) {
    norm1 = register("norm1", new LayerNorm(c.embedDim(), c.eps()));
    attn = register("attn", new SelfAttention(c));
    ls1 = register("ls1", new LayerScale(c.embedDim(), c.layerScaleInit()));
    norm2 = register("norm2", new LayerNorm(c.embedDim(), c.eps()));
    mlp = register("mlp", c.swiglu() ? new SwiGlu(c.embedDim(), c.hidden()) : new org.tessera.nn.Mlp(c.embedDim(), c.hidden(), c.embedDim(), Activation.gelu(), 0));
    ls2 = register("ls2", new LayerScale(c.embedDim(), c.layerScaleInit()));
    this.dropPath = dropPath > 0 ? register("drop_path", new DropPath(dropPath)) : new Identity();
  }

  /** (B, N, D) → (B, N, D); rope (sin, cos) for the last h·w tokens. */
  Tensor forward(Tensor x, Tensor[] rope) {
    x = x.add(dropPath.forward(ls1.forward(attn.forward(norm1.forward(x), rope))));
    return x.add(dropPath.forward(ls2.forward(((Layer) mlp).forward(norm2.forward(x)))));
  }

  /** LayerScale: x·γ per channel (key "gamma"). */
  static final class LayerScale extends Module implements Layer {
    final Tensor gamma;

    LayerScale(int dim, double init) {
      gamma = parameter("gamma", Tensor.full(init, DType.F32, Tensor.defaultDevice(), dim));
    }

    @Override public Tensor forward(Tensor x) {
      return x.mul(gamma);
    }
  }

  /** SwiGLU FFN: w3(silu(w1 x) · w2 x). */
  static final class SwiGlu extends Module implements Layer {
    final Linear w1, w2, w3;

    SwiGlu(int dim, int hidden) {
      w1 = register("w1", new Linear(dim, hidden, true));
      w2 = register("w2", new Linear(dim, hidden, true));
      w3 = register("w3", new Linear(hidden, dim, true));
    }

    @Override public Tensor forward(Tensor x) {
      return w3.forward(w1.forward(x).silu().mul(w2.forward(x)));
    }
  }

  /**
   * DINOv3 self-attention: fused qkv whose key bias is masked to zero (mask_k_bias: the bias_mask buffer), RoPE on
   * the patch tokens of q and k only, fused softmax attention, output projection.
   */
  static final class SelfAttention extends Module {
    final Linear qkv, proj;
    final Tensor biasMask;
    private final int heads;

    SelfAttention(VitConfig c) {
      heads = c.heads();
      qkv = register("qkv", new Linear(c.embedDim(), 3 * c.embedDim(), c.qkvBias()));
      proj = register("proj", new Linear(c.embedDim(), c.embedDim(), true));
      if (c.qkvBias() && c.maskKBias()) {
        float[] mask = new float[3 * c.embedDim()];
        java.util.Arrays.fill(mask, 0, c.embedDim(), 1f);
        java.util.Arrays.fill(mask, 2 * c.embedDim(), 3 * c.embedDim(), 1f);
        // registered as qkv.bias_mask, where the original LinearKMaskedBias keeps it
        biasMask = qkv.registerBuffer("bias_mask", Tensor.of(mask, mask.length));
      } else {
        biasMask = null;
      }
    }

    Tensor forward(Tensor x, Tensor[] rope) {
      int b = x.size(0), n = x.size(1), d = x.size(2);
      Tensor bias = qkv.bias == null ? null : biasMask == null ? qkv.bias : qkv.bias.mul(biasMask);
      Tensor qkvOut = x.linear(qkv.weight, bias).reshape(b, n, 3, heads, d / heads).permute(2, 0, 3, 1, 4); // (3, B, heads, N, hd)
      Tensor q = qkvOut.select(0, 0), k = qkvOut.select(0, 1), v = qkvOut.select(0, 2);
      if (rope != null) {
        int patches = rope[0].size(0), prefix = n - patches;
        q = Tensor.cat(2, q.narrow(2, 0, prefix), PositionEncodings.applyRope(q.narrow(2, prefix, patches), rope[0], rope[1]));
        k = Tensor.cat(2, k.narrow(2, 0, prefix), PositionEncodings.applyRope(k.narrow(2, prefix, patches), rope[0], rope[1]));
      }
      Tensor out = q.scaledDotProductAttention(k, v); // (B, heads, N, hd)
      return proj.forward(out.transpose(1, 2).reshape(b, n, d));
    }
  }
}
