package org.tessera.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.tessera.models.Close.assertClose;

import java.util.List;
import org.junit.jupiter.api.Test;
import org.tessera.models.primus.Primus;
import org.tessera.nn.Layer;
import org.tessera.nn.Rng;
import org.tessera.tensor.Generator;
import org.tessera.tensor.InterpolationMode;
import org.tessera.tensor.Tensor;

/** The factory's backbones; DINOv2's 14-pixel patches through the Primus decoders. */
class SegmentationModelsTest {
  @Test
  void dinov2DecodesSixteenPixelsPerTokenAndResizesToTheInput() {
    Rng.manualSeed(2);
    Primus model = SegmentationModels.create("dinov2_reg", "tiny", "primus_multiscale", 3, 1, null, 0);
    model.eval();
    Tensor x = Tensor.randn(new Generator(3), 2, 1, 28, 42); // a 2×3 token grid
    Tensor logits = model.forward(x);
    assertArrayEquals(new int[] {2, 3, 28, 42}, logits.shape());
    // the same by hand: the tapped maps, the decoder (4 stages: 2×3 → 32×48), bilinear down to 28×42
    List<Tensor> maps = model.encoder.intermediateLayers(x.repeat(1, 3, 1, 1), Primus.evenTaps(model.encoder.config.depth(), 4), true);
    Tensor decoded = ((Layer) model.children().get("up_projection")).forward(Tensor.cat(1, maps));
    assertArrayEquals(new int[] {2, 3, 32, 48}, decoded.shape());
    assertClose(decoded.interpolate(new int[] {28, 42}, InterpolationMode.BILINEAR, false), logits, 1e-6);
  }

  @Test
  void anInputThatIsNotAMultipleOfThePatchIsRefused() {
    Rng.manualSeed(2);
    Primus model = SegmentationModels.create("dinov2", "tiny", "primus", 3, 1, null, 0);
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> model.forward(Tensor.zeros(1, 1, 32, 28)));
    assertEquals("Primus: expected input (B, 1, H, W) with H and W multiples of 14, got [1, 1, 32, 28]", e.getMessage());
  }

  @Test
  void anUnknownBackboneIsNamed() {
    IllegalArgumentException e = assertThrows(IllegalArgumentException.class, () -> SegmentationModels.create("dinov4", "tiny", "primus", 3, 1, null, 0));
    assertEquals("unknown backbone 'dinov4' (expected dinov3, meddinov3, dinov2 or dinov2_reg)", e.getMessage());
  }
}
