package org.tessera.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.models.Close.assertClose;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tessera.models.vit.TimmNames;
import org.tessera.models.vit.VisionTransformer;
import org.tessera.models.vit.VitConfig;
import org.tessera.nn.Module;
import org.tessera.nn.Rng;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/**
 * timm's names (models.md §3.6: Eva's reg_token, q_bias/v_bias, gamma_1/gamma_2, fc1_g/fc1_x/fc2; DINOv2's reg_token)
 * load back into our layout and give the same tokens.
 */
class TimmNamesTest {
  @Test
  void aTimmDinov3StateDictLoadsAndGivesTheSameTokens() {
    Rng.manualSeed(5);
    VisionTransformer original = new VisionTransformer(VitConfig.dinov3("tiny"), 0);
    original.eval();
    // a non-zero query/value bias, so that the fusion order matters (the masked key bias stays zero)
    for (var e : original.namedParameters().entrySet())
      if (e.getKey().endsWith("attn.qkv.bias")) e.getValue().detach().copy_(Tensor.randn(new Generator(6), e.getValue().shape()));
    Map<String, Tensor> timm = toTimmEva(original.stateDict(), original.config.embedDim());
    assertTrue(TimmNames.matches(timm));
    VisionTransformer loaded = new VisionTransformer(VitConfig.dinov3("tiny"), 0);
    Module.LoadResult r = loaded.loadStateDict(TimmNames.toOriginal(timm), false);
    assertTrue(r.unexpectedKeys().isEmpty() && r.shapeMismatches().isEmpty(), r.toString());
    assertTrue(r.missingKeys().stream().allMatch(k -> k.endsWith("bias_mask") || k.equals("rope_embed.periods") || k.equals("mask_token")), r.toString());
    loaded.eval();
    Tensor x = Tensor.randn(new Generator(4), 2, 3, 48, 32);
    assertClose(original.forwardFeatures(x), loaded.forwardFeatures(x), 1e-6);
  }

  @Test
  void swigluAndDinov2NamesMapToTheOriginals() {
    Map<String, Tensor> eva = new LinkedHashMap<>();
    eva.put("cls_token", Tensor.zeros(1, 1, 8));
    eva.put("reg_token", Tensor.zeros(1, 4, 8));
    for (String p : new String[] {"fc1_g", "fc1_x", "fc2"}) eva.put("blocks.0.mlp." + p + ".weight", Tensor.zeros(8, 8));
    assertEquals(java.util.Set.of("cls_token", "storage_tokens", "blocks.0.mlp.w1.weight", "blocks.0.mlp.w2.weight", "blocks.0.mlp.w3.weight"),
        TimmNames.toOriginal(eva).keySet());
    Map<String, Tensor> dinov2 = new LinkedHashMap<>();
    dinov2.put("pos_embed", Tensor.zeros(1, 5, 8));
    dinov2.put("reg_token", Tensor.zeros(1, 4, 8));
    dinov2.put("blocks.0.mlp.fc2.weight", Tensor.zeros(8, 8));
    assertTrue(TimmNames.matches(dinov2));
    assertEquals(java.util.Set.of("pos_embed", "register_tokens", "blocks.0.mlp.fc2.weight"), TimmNames.toOriginal(dinov2).keySet());
  }

  @Test
  void theOriginalNamesDoNotMatch() {
    Rng.manualSeed(1);
    assertFalse(TimmNames.matches(new VisionTransformer(VitConfig.dinov3("tiny"), 0).stateDict()));
    assertFalse(TimmNames.matches(new VisionTransformer(VitConfig.dinov2("tiny", 4), 0).stateDict()));
  }

  /** timm's Eva names for a DINOv3 state dict, written from models.md §3.6 as the test's reference. */
  private static Map<String, Tensor> toTimmEva(Map<String, Tensor> sd, int dim) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (var e : sd.entrySet()) {
      String k = e.getKey();
      Tensor v = e.getValue();
      if (k.endsWith("bias_mask") || k.startsWith("rope_embed.") || k.equals("mask_token")) continue;
      if (k.endsWith("attn.qkv.bias")) {
        String block = k.substring(0, k.length() - "qkv.bias".length());
        out.put(block + "q_bias", v.narrow(0, 0, dim));
        out.put(block + "v_bias", v.narrow(0, 2 * dim, dim));
        continue;
      }
      out.put(k.replace("storage_tokens", "reg_token").replace(".ls1.gamma", ".gamma_1").replace(".ls2.gamma", ".gamma_2"), v);
    }
    return out;
  }
}
