package org.tessera.models;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.models.Close.assertClose;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tessera.models.vit.VisionTransformer;
import org.tessera.models.vit.VitConfig;
import org.tessera.nn.Module;
import org.tessera.nn.io.Safetensors;
import org.tessera.nn.io.StateDicts;
import org.tessera.tensor.Tensor;

/**
 * The DINOv2 layout against a PyTorch DINOv2 written from facebookresearch/dinov2 (scripts/make_model_fixtures.py):
 * its state dict (pos_embed, register_tokens, ls gammas) loads strictly by name, and at a 3×5 grid — so the 4×4
 * learned positions are resized as interpolate_pos_encoding does — both give the same tokens and feature maps.
 */
class Dinov2ParityTest {
  static final Path FIXTURE = Path.of("..", "fixtures", "models", "dinov2_tiny_reg.safetensors");

  @Test
  void loadsPyTorchsStateDictAndGivesItsTokens() throws IOException {
    Map<String, Tensor> f = Safetensors.read(FIXTURE).tensors();
    VisionTransformer vit = new VisionTransformer(VitConfig.dinov2("tiny", 4), 0);
    Module.LoadResult r = vit.loadStateDict(StateDicts.stripPrefix(f, "model."), true);
    assertTrue(r.clean(), r.toString());
    vit.eval();
    Tensor x = f.get("input");
    assertClose(f.get("tokens"), vit.forwardFeatures(x), 1e-4);
    List<Tensor> maps = vit.intermediateLayers(x, new int[] {1, 3}, true);
    assertClose(f.get("features.1"), maps.get(0), 1e-4);
    assertClose(f.get("features.3"), maps.get(1), 1e-4);
  }

  @Test
  void hubSizesAndTheirNames() {
    VitConfig b = VitConfig.dinov2("base", 4);
    assertEquals("dinov2_vitb14_reg", b.name());
    assertEquals(14, b.patch());
    assertEquals(37, b.posGrid());
    VisionTransformer s = new VisionTransformer(VitConfig.dinov2("small", 0), 0);
    assertArrayEquals(new int[] {1, 1 + 37 * 37, 384}, s.stateDict().get("pos_embed").shape());
    assertTrue(!s.stateDict().containsKey("register_tokens") && !s.stateDict().containsKey("rope_embed.periods"));
    assertThrows(IllegalArgumentException.class, () -> VitConfig.dinov2("base", 2));
  }
}
