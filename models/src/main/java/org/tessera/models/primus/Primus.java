package org.tessera.models.primus;

import java.util.List;
import org.tessera.models.vit.VisionTransformer;
import org.tessera.nn.Layer;
import org.tessera.nn.Module;
import org.tessera.tensor.InterpolationMode;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * MedDINOv3's Primus and Primus_Multiscale (dinov3/models/primus.py): a 1-channel slice repeated to 3 channels, the
 * ViT's final-normed patch maps of the last block (Primus) or of several blocks concatenated (Multiscale), and a
 * PatchDecode back to full resolution. Keys dino_encoder.* and up_projection.*. With a DINOv2 encoder (patch 14) the
 * decoder's 16-per-token logits are resized bilinearly to the input.
 */
public final class Primus extends Module implements Layer {
  public final VisionTransformer encoder;
  final PatchDecode upProjection;
  private final int[] taps;
  private final int inChannels;

  /** taps: the 0-based blocks whose outputs are concatenated ([depth − 1] for Primus, e.g. [2, 5, 8, 11] for ViT-B Multiscale). */
  public Primus(VisionTransformer encoder, int[] taps, int classes, int inChannels) {
    this.encoder = register("dino_encoder", encoder);
    this.taps = taps.clone();
    this.inChannels = inChannels;
    this.upProjection = register("up_projection", new PatchDecode(encoder.config.patch(), taps.length * encoder.config.embedDim(), classes));
  }

  /** Evenly spaced taps ending at the last block, as MedDINOv3 picks [2, 5, 8, 11] for 12 blocks. */
  public static int[] evenTaps(int depth, int count) {
    int[] t = new int[count];
    for (int i = 0; i < count; i++) t[i] = (i + 1) * depth / count - 1;
    return t;
  }

  /** (B, inChannels, H, W), H and W multiples of the patch size → (B, classes, H, W) logits. */
  @Override public Tensor forward(Tensor x) {
    int p = encoder.config.patch();
    if (x.dim() != 4 || x.size(1) != inChannels || x.size(2) % p != 0 || x.size(3) % p != 0)
      throw new IllegalArgumentException("Primus: expected input (B, " + inChannels + ", H, W) with H and W multiples of " + p + ", got " + Shapes.str(x.shape()));
    Tensor rgb = inChannels == encoder.config.inChans() ? x : x.repeat(1, encoder.config.inChans() / inChannels, 1, 1);
    List<Tensor> maps = encoder.intermediateLayers(rgb, taps, true);
    Tensor logits = upProjection.forward(maps.size() == 1 ? maps.get(0) : Tensor.cat(1, maps));
    // a patch that is not a power of 2 (DINOv2's 14) decodes to 16 pixels per token: back to the input's size
    if (logits.size(2) != x.size(2) || logits.size(3) != x.size(3))
      logits = logits.interpolate(new int[] {x.size(2), x.size(3)}, InterpolationMode.BILINEAR, false);
    return logits;
  }
}
