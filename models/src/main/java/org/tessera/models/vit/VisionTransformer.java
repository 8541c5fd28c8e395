package org.tessera.models.vit;

import java.util.ArrayList;
import java.util.List;
import org.tessera.nn.Conv2d;
import org.tessera.nn.Init;
import org.tessera.nn.LayerNorm;
import org.tessera.nn.Module;
import org.tessera.nn.ModuleList;
import org.tessera.nn.Rng;
import org.tessera.tensor.DType;
import org.tessera.tensor.PositionEncodings;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * The DINOv3 vision transformer (facebookresearch/dinov3, dinov3/models/vision_transformer.py; shared/spec/models.md
 * §3): patch embedding, tokens [CLS, storage_0..R−1, patches], axial RoPE on patch tokens, pre-norm blocks with
 * LayerScale, final LayerNorm. Parameter names are the original checkpoint's, so its state dict loads by name.
 */
public final class VisionTransformer extends Module {
  public final VitConfig config;
  final Tensor clsToken, storageTokens, maskToken;
  final PatchEmbed patchEmbed;
  final RopeEmbed ropeEmbed;
  final ModuleList<Block> blocks;
  final LayerNorm norm;

  public VisionTransformer(VitConfig c, double dropPathRate) {
    this.config = c;
    clsToken = parameter("cls_token", Tensor.zeros(DType.F32, Tensor.defaultDevice(), 1, 1, c.embedDim()));
    storageTokens = c.storageTokens() > 0 ? parameter("storage_tokens", Tensor.zeros(DType.F32, Tensor.defaultDevice(), 1, c.storageTokens(), c.embedDim())) : null;
    maskToken = parameter("mask_token", Tensor.zeros(DType.F32, Tensor.defaultDevice(), 1, c.embedDim()));
    patchEmbed = register("patch_embed", new PatchEmbed(c));
    ropeEmbed = register("rope_embed", new RopeEmbed(c));
    blocks = register("blocks", new ModuleList<>());
    for (int i = 0; i < c.depth(); i++) blocks.add(new Block(c, dropPathRate));
    norm = register("norm", new LayerNorm(c.embedDim(), c.eps()));
    // init_weights (models.md §3.5): block Linear weights trunc-normal(0.02) with zero biases, tokens N(0, 0.02)
    java.util.regex.Pattern linear = java.util.regex.Pattern.compile("blocks\\.\\d+\\.(attn\\.(qkv|proj)|mlp\\.(fc1|fc2|w1|w2|w3))\\.(weight|bias)");
    for (var e : namedParameters().entrySet())
      if (linear.matcher(e.getKey()).matches()) {
        if (e.getKey().endsWith("weight")) Init.truncNormal(e.getValue(), 0, 0.02, -2, 2, Rng.generator());
        else Init.constant(e.getValue(), 0);
      }
    Init.normal(clsToken, 0, 0.02, Rng.generator());
    if (storageTokens != null) Init.normal(storageTokens, 0, 0.02, Rng.generator());
  }

  public int prefixTokens() {
    return 1 + config.storageTokens();
  }

  /** The token sequence after the patch embedding: (B, 1 + R + h·w, D). */
  private Tensor tokens(Tensor x) {
    Tensor patches = patchEmbed.forward(x); // (B, h·w, D)
    int b = x.size(0), d = config.embedDim();
    Tensor cls = clsToken.add(maskToken.mul(0)).expand(b, 1, d);
    return storageTokens == null ? Tensor.cat(1, cls, patches) : Tensor.cat(1, cls, storageTokens.expand(b, -1, -1), patches);
  }

  /**
   * The residual stream after each block in {@code indices} (0-based), optionally through the final norm, the
   * patch tokens as NCHW maps (B, D, H/16, W/16): DINOv3's get_intermediate_layers(x, n, reshape=True, norm).
   */
  public List<Tensor> intermediateLayers(Tensor x, int[] indices, boolean applyNorm) {
    if (x.dim() != 4 || x.size(1) != config.inChans())
      throw new IllegalArgumentException(config.name() + ": expected input (B, " + config.inChans() + ", H, W), got " + Shapes.str(x.shape()));
    int h = x.size(2) / config.patch(), w = x.size(3) / config.patch();
    if (h == 0 || w == 0) throw new IllegalArgumentException(config.name() + ": input " + Shapes.str(x.shape()) + " is smaller than one " + config.patch() + "-pixel patch");
    Tensor[] rope = ropeEmbed.sinCos(h, w);
    Tensor t = tokens(x);
    List<Tensor> out = new ArrayList<>();
    int last = java.util.Arrays.stream(indices).max().orElse(-1);
    for (int i = 0; i <= last; i++) {
      t = blocks.get(i).forward(t, rope);
      int idx = i;
      if (java.util.Arrays.stream(indices).anyMatch(j -> j == idx)) {
        Tensor o = applyNorm ? norm.forward(t) : t;
        Tensor patches = o.narrow(1, prefixTokens(), h * w); // (B, h·w, D)
        out.add(patches.transpose(1, 2).reshape(x.size(0), config.embedDim(), h, w));
      }
    }
    return out;
  }

  /** All tokens after the final norm: (B, 1 + R + h·w, D). */
  public Tensor forwardFeatures(Tensor x) {
    int h = x.size(2) / config.patch(), w = x.size(3) / config.patch();
    Tensor[] rope = ropeEmbed.sinCos(h, w);
    Tensor t = tokens(x);
    for (Block b : blocks) t = b.forward(t, rope);
    return norm.forward(t);
  }

  /** patch_embed: Conv2d(3, D, 16, stride 16), flattened to tokens (key patch_embed.proj.*). */
  static final class PatchEmbed extends Module {
    final Conv2d proj;

    PatchEmbed(VitConfig c) {
      proj = register("proj", new Conv2d(c.inChans(), c.embedDim(), c.patch(), c.patch(), 0, true));
    }

    Tensor forward(Tensor x) {
      Tensor y = proj.forward(x); // (B, D, h, w)
      return y.flatten(2, 3).transpose(1, 2); // (B, h·w, D)
    }
  }

  /** rope_embed: the periods buffer of DINOv3's RopePositionEmbedding ("separate" normalisation, no jitter at eval). */
  static final class RopeEmbed extends Module {
    final Tensor periods;

    RopeEmbed(VitConfig c) {
      periods = buffer("periods", PositionEncodings.ropePeriods(c.headDim(), c.ropeBase()), true);
    }

    Tensor[] sinCos(int h, int w) {
      return PositionEncodings.ropeSinCos(h, w, periods, periods.device());
    }
  }
}
