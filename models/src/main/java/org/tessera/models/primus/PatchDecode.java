package org.tessera.models.primus;

import org.tessera.nn.Activation;
import org.tessera.nn.Conv2d;
import org.tessera.nn.ConvTranspose2d;
import org.tessera.nn.Init;
import org.tessera.nn.Layer;
import org.tessera.nn.LayerNorm2d;
import org.tessera.nn.Module;
import org.tessera.nn.Rng;
import org.tessera.nn.Sequential;
import org.tessera.tensor.Tensor;

/**
 * MedDINOv3's 2-D PatchDecode (dinov3/models/primus.py; models.md §4): log2(patch) stages of ConvTranspose2d 2×2/2 +
 * LayerNormNd (eps 1e-6) + GELU halving the channels, then a 1×1 convolution to the classes. Keys
 * decode.{s}.0 (ConvT), decode.{s}.1 (norm), decode.{n} (1×1). Initialised as nnU-Net's InitWeights_He(1e-2).
 * A patch that is not a power of 2 (DINOv2's 14) gets ⌈log2(patch)⌉ stages, which upsample the token grid by the next
 * power of 2 (16); {@link Primus} resizes those logits to the input.
 */
public final class PatchDecode extends Module implements Layer {
  final Sequential decode;

  public PatchDecode(int patch, int embedDim, int classes) {
    if (patch < 2) throw new IllegalArgumentException("PatchDecode: the patch size must be at least 2, got " + patch);
    int stages = stages(patch);
    decode = register("decode", new Sequential());
    int ch = embedDim;
    for (int s = 0; s < stages; s++) {
      int next = ch / 2;
      decode.add(new Sequential(new ConvTranspose2d(ch, next, 2, 2, true), new LayerNorm2d(next, 1e-6), Activation.gelu()));
      ch = next;
    }
    decode.add(new Conv2d(ch, classes, 1, 1, 0, true));
    // InitWeights_He(1e-2): kaiming normal (a = 0.01, fan in as torch computes it) on convolution weights, zero biases
    for (var e : namedParameters().entrySet()) {
      Tensor p = e.getValue();
      if (p.dim() == 4) Init.kaimingNormal(p, 1e-2, true, Rng.generator());
      else if (e.getKey().endsWith(".bias") && !isNorm(e.getKey())) Init.constant(p, 0);
    }
  }

  /** ⌈log2(patch)⌉: each stage doubles the resolution. */
  static int stages(int patch) {
    return 32 - Integer.numberOfLeadingZeros(patch - 1);
  }

  private static boolean isNorm(String key) {
    return key.matches(".*\\.1\\.bias");
  }

  @Override public Tensor forward(Tensor x) {
    return decode.forward(x);
  }
}
