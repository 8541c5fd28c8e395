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
 * LayerScale, final LayerNorm. With {@link VitConfig#learnedPositions()}, the DINOv2 layout
 * (facebookresearch/dinov2): a learned {@code pos_embed} added to [CLS, patches] — resized bicubically to the input
 * grid as DINOv2's interpolate_pos_encoding does (scale factor (grid + 0.1) / posGrid) — then the
 * {@code register_tokens} inserted after CLS, and no RoPE. Parameter names are the original checkpoints', so their
 * state dicts load by name.
 */
public final class VisionTransformer extends Module {
  public final VitConfig config;
  final Tensor clsToken, storageTokens, maskToken, posEmbed;
  final PatchEmbed patchEmbed;
  final RopeEmbed ropeEmbed;
  final ModuleList<Block> blocks;
  final LayerNorm norm;

  public VisionTransformer(VitConfig c, double dropPathRate) {
    this.config = c;
    clsToken = parameter("cls_token", Tensor.zeros(DType.F32, Tensor.defaultDevice(), 1, 1, c.embedDim()));
    String tokensName = c.learnedPositions() ? "register_tokens" : "storage_tokens";
    storageTokens = c.storageTokens() > 0 ? parameter(tokensName, Tensor.zeros(DType.F32, Tensor.defaultDevice(), 1, c.storageTokens(), c.embedDim())) : null;
    maskToken = parameter("mask_token", Tensor.zeros(DType.F32, Tensor.defaultDevice(), 1, c.embedDim()));
    posEmbed = c.learnedPositions() ? parameter("pos_embed", Tensor.zeros(DType.F32, Tensor.defaultDevice(), 1, 1 + c.posGrid() * c.posGrid(), c.embedDim())) : null;
    patchEmbed = register("patch_embed", new PatchEmbed(c));
    ropeEmbed = c.learnedPositions() ? null : register("rope_embed", new RopeEmbed(c));
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
    if (posEmbed != null) Init.truncNormal(posEmbed, 0, 0.02, -2, 2, Rng.generator());
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
    if (posEmbed != null) {
      Tensor t = Tensor.cat(1, cls, patches).add(positions(x.size(2) / config.patch(), x.size(3) / config.patch()));
      return storageTokens == null ? t : Tensor.cat(1, t.narrow(1, 0, 1), storageTokens.expand(b, -1, -1), t.narrow(1, 1, t.size(1) - 1));
    }
    return storageTokens == null ? Tensor.cat(1, cls, patches) : Tensor.cat(1, cls, storageTokens.expand(b, -1, -1), patches);
  }

  /** DINOv2's interpolate_pos_encoding: the patch part bicubic by (grid + 0.1) / posGrid, unless the grid matches and is square. */
  private Tensor positions(int h, int w) {
    int m = config.posGrid(), d = config.embedDim();
    if (h == m && w == m) return posEmbed;
    Tensor grid = posEmbed.narrow(1, 1, m * m).reshape(1, m, m, d).permute(0, 3, 1, 2);
    Tensor resized = grid.interpolate(new double[] {(h + 0.1) / m, (w + 0.1) / m}, org.tessera.tensor.InterpolationMode.BICUBIC, false);
    if (resized.size(2) != h || resized.size(3) != w)
      throw new IllegalStateException(config.name() + ": position grid resized to " + Shapes.str(resized.shape()) + ", expected " + h + "×" + w);
    return Tensor.cat(1, posEmbed.narrow(1, 0, 1), resized.permute(0, 2, 3, 1).reshape(1, h * w, d));
  }

  private Tensor[] rope(int h, int w) {
    return ropeEmbed == null ? null : ropeEmbed.sinCos(h, w);
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
    Tensor[] rope = rope(h, w);
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
    Tensor[] rope = rope(h, w);
    Tensor t = tokens(x);
    for (Block b : blocks) t = b.forward(t, rope);
    return norm.forward(t);
  }

  /** patch_embed: Conv2d(3, D, p, stride p), flattened to tokens (key patch_embed.proj.*). */
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
