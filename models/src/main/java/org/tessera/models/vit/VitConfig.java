package org.tessera.models.vit;

/**
 * A ViT variant: width, depth, heads, FFN, storage (register) tokens, qkv bias and the key-bias mask, LayerScale
 * init, LayerNorm eps, patch size, and the position encoding: DINOv3's RoPE (shared/spec/models.md §2) with its base,
 * or DINOv2's learned embedding of a posGrid × posGrid grid (plus CLS), resized bicubically to the input's grid.
 */
public record VitConfig(String name, int embedDim, int depth, int heads, double mlpRatio, boolean swiglu, boolean qkvBias, boolean maskKBias,
    int storageTokens, double layerScaleInit, double eps, double ropeBase, int patch, int inChans, int posGrid) {
  /** Whether positions come from a learned embedding (DINOv2) rather than RoPE (DINOv3). */
  public boolean learnedPositions() {
    return posGrid > 0;
  }

  public int headDim() {
    return embedDim / heads;
  }

  /** The FFN hidden width: D·ratio for the MLP; SwiGLU's d + (−d mod 8) with d = int(D·ratio·2/3). */
  public int hidden() {
    if (!swiglu) return (int) (embedDim * mlpRatio);
    int d = (int) (embedDim * mlpRatio * 2 / 3);
    return d + Math.floorMod(-d, 8);
  }

  /** DINOv3 hub models: ViT-S/16, S+/16, B/16, L/16 (LayerNorm eps 1e-5, 4 storage tokens, k-masked qkv bias). */
  public static VitConfig dinov3(String size) {
    return switch (size) {
      case "tiny" -> new VitConfig("dinov3_vittiny16", 96, 4, 3, 4, false, true, true, 4, 1e-5, 1e-5, 100, 16, 3, 0);
      case "small" -> new VitConfig("dinov3_vits16", 384, 12, 6, 4, false, true, true, 4, 1e-5, 1e-5, 100, 16, 3, 0);
      case "small_plus" -> new VitConfig("dinov3_vits16plus", 384, 12, 6, 6, true, true, true, 4, 1e-5, 1e-5, 100, 16, 3, 0);
      case "base" -> new VitConfig("dinov3_vitb16", 768, 12, 12, 4, false, true, true, 4, 1e-5, 1e-5, 100, 16, 3, 0);
      case "large" -> new VitConfig("dinov3_vitl16", 1024, 24, 16, 4, false, true, true, 4, 1e-5, 1e-5, 100, 16, 3, 0);
      default -> throw new IllegalArgumentException("unknown DINOv3 size '" + size + "' (expected tiny, small, small_plus, base or large)");
    };
  }

  /**
   * DINOv2 hub models (facebookresearch/dinov2): ViT-S/14, B/14, L/14 (+ a tiny test size) with learned positions for
   * a 37×37 grid (518 px), LayerNorm eps 1e-6, qkv bias, and 0 or 4 register tokens ("_reg" models).
   */
  public static VitConfig dinov2(String size, int registers) {
    if (registers != 0 && registers != 4) throw new IllegalArgumentException("DINOv2 models have 0 or 4 register tokens, not " + registers);
    String suffix = registers > 0 ? "_reg" : "";
    return switch (size) {
      case "tiny" -> new VitConfig("dinov2_vittiny14" + suffix, 96, 4, 3, 4, false, true, false, registers, 1e-5, 1e-6, 0, 14, 3, 4);
      case "small" -> new VitConfig("dinov2_vits14" + suffix, 384, 12, 6, 4, false, true, false, registers, 1e-5, 1e-6, 0, 14, 3, 37);
      case "base" -> new VitConfig("dinov2_vitb14" + suffix, 768, 12, 12, 4, false, true, false, registers, 1e-5, 1e-6, 0, 14, 3, 37);
      case "large" -> new VitConfig("dinov2_vitl14" + suffix, 1024, 24, 16, 4, false, true, false, registers, 1e-5, 1e-6, 0, 14, 3, 37);
      default -> throw new IllegalArgumentException("unknown DINOv2 size '" + size + "' (expected tiny, small, base or large)");
    };
  }

  /** MedDINOv3's backbone: ViT-B/16 without qkv bias, 4 storage tokens, LayerNorm eps 1e-6 (models.md §3.7). */
  public static VitConfig meddinov3Base() {
    return new VitConfig("meddinov3_vitb16", 768, 12, 12, 4, false, false, true, 4, 1e-5, 1e-6, 100, 16, 3, 0);
  }
}
