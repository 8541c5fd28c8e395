package org.tessera.models;

import org.tessera.models.primus.Primus;
import org.tessera.models.vit.VisionTransformer;
import org.tessera.models.vit.VitConfig;
import org.tessera.nn.Layer;
import org.tessera.nn.Module;

/**
 * The model factory behind configs: model.{backbone, backbone_size, name (decoder)} → a segmentation network. Backbones:
 * dinov3 (patch 16), meddinov3 (MedDINOv3's ViT-B/16), dinov2 and dinov2_reg (patch 14, without or with 4 registers).
 */
public final class SegmentationModels {
  private SegmentationModels() {}

  /** The ViT configuration of a backbone name and size (its patch size is the input's granularity). */
  public static VitConfig backbone(String backbone, String size) {
    return switch (backbone) {
      case "dinov3" -> VitConfig.dinov3(size);
      case "meddinov3" -> VitConfig.meddinov3Base();
      case "dinov2" -> VitConfig.dinov2(size, 0);
      case "dinov2_reg" -> VitConfig.dinov2(size, 4);
      default -> throw new IllegalArgumentException("unknown backbone '" + backbone + "' (expected dinov3, meddinov3, dinov2 or dinov2_reg)");
    };
  }

  /** A backbone + decoder mapping (B, inChannels, H, W) to (B, numClasses, H, W) logits. */
  public static <M extends Module & Layer> M create(String backbone, String size, String decoder, int numClasses, int inChannels, int[] taps, double dropPath) {
    VitConfig c = backbone(backbone, size);
    VisionTransformer vit = new VisionTransformer(c, dropPath);
    int[] t = taps != null ? taps : switch (decoder) {
      case "primus" -> new int[] {c.depth() - 1};
      case "primus_multiscale" -> Primus.evenTaps(c.depth(), 4);
      default -> throw new IllegalArgumentException("unknown decoder '" + decoder + "' (expected primus or primus_multiscale)");
    };
    for (int tap : t)
      if (tap < 0 || tap >= c.depth()) throw new IllegalArgumentException("model.taps: block " + tap + " does not exist in a " + c.depth() + "-block " + c.name());
    @SuppressWarnings("unchecked") M model = (M) new Primus(vit, t, numClasses, inChannels);
    return model;
  }
}
