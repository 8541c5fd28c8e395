package org.tessera.models;

import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.models.Close.assertClose;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tessera.models.primus.Primus;
import org.tessera.models.vit.VisionTransformer;
import org.tessera.models.vit.VitConfig;
import org.tessera.nn.Module;
import org.tessera.nn.io.Safetensors;
import org.tessera.nn.io.StateDicts;
import org.tessera.tensor.Tensor;

/**
 * A DINOv3 ViT + Primus-Multiscale written in PyTorch from the spec (scripts/make_model_fixtures.py) with random
 * weights: its state dict loads strictly by name into ours, and both give the same features and logits.
 */
class PrimusParityTest {
  static final Path FIXTURE = Path.of("..", "fixtures", "models", "dinov3_tiny_primus_multiscale.safetensors");

  @Test
  void loadsPyTorchsStateDictAndGivesItsOutputs() throws IOException {
    Map<String, Tensor> f = Safetensors.read(FIXTURE).tensors();
    Primus model = new Primus(new VisionTransformer(VitConfig.dinov3("tiny"), 0), new int[] {0, 1, 2, 3}, 4, 1);
    Module.LoadResult r = model.loadStateDict(StateDicts.stripPrefix(f, "model."), true);
    assertTrue(r.clean(), r.toString());
    model.eval();
    Tensor x = f.get("input");
    List<Tensor> feats = model.encoder.intermediateLayers(x.repeat(1, 3, 1, 1), new int[] {1, 3}, true);
    assertClose(f.get("features.1"), feats.get(0), 1e-4);
    assertClose(f.get("features.3"), feats.get(1), 1e-4);
    assertClose(f.get("logits"), model.forward(x), 1e-4);
  }
}
