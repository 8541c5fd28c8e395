package org.tessera.models.vit;

/**
 * A DINOv3 ViT variant (shared/spec/models.md §2): width, depth, heads, FFN, storage tokens, qkv bias and the
 * key-bias mask, LayerScale init, LayerNorm eps, RoPE base, patch size.
 */
public record VitConfig(String name, int embedDim, int depth, int heads, double mlpRatio, boolean swiglu, boolean qkvBias, boolean maskKBias,
    int storageTokens, double layerScaleInit, double eps, double ropeBase, int patch, int inChans) {

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
      case "tiny" -> new VitConfig("dinov3_vittiny16", 96, 4, 3, 4, false, true, true, 4, 1e-5, 1e-5, 100, 16, 3);
      case "small" -> new VitConfig("dinov3_vits16", 384, 12, 6, 4, false, true, true, 4, 1e-5, 1e-5, 100, 16, 3);
      case "small_plus" -> new VitConfig("dinov3_vits16plus", 384, 12, 6, 6, true, true, true, 4, 1e-5, 1e-5, 100, 16, 3);
      case "base" -> new VitConfig("dinov3_vitb16", 768, 12, 12, 4, false, true, true, 4, 1e-5, 1e-5, 100, 16, 3);
      case "large" -> new VitConfig("dinov3_vitl16", 1024, 24, 16, 4, false, true, true, 4, 1e-5, 1e-5, 100, 16, 3);
      default -> throw new IllegalArgumentException("unknown DINOv3 size '" + size + "' (expected tiny, small, small_plus, base or large)");
    };
  }

  /** MedDINOv3's backbone: ViT-B/16 without qkv bias, 4 storage tokens, LayerNorm eps 1e-6 (models.md §3.7). */
  public static VitConfig meddinov3Base() {
    return new VitConfig("meddinov3_vitb16", 768, 12, 12, 4, false, false, true, 4, 1e-5, 1e-6, 100, 16, 3);
  }
}
