package org.tessera.models;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.tessera.models.Close.assertClose;

import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.tessera.models.vit.HuggingFaceDinov3;
import org.tessera.models.vit.VisionTransformer;
import org.tessera.models.vit.VitConfig;
import org.tessera.nn.Module;
import org.tessera.nn.Rng;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/**
 * A DINOv3 state dict renamed as transformers' converter does (convert_dinov3_vit_to_hf.py: split qkv, the masked
 * key bias dropped, layer.N.attention.{q,k,v,o}_proj, layer_scaleN.lambda1, mlp up/down or gate/up/down, mask token
 * (1, 1, D), no rope buffer) loads back into our layout and gives the same tokens.
 */
class HuggingFaceDinov3Test {
  @Test
  void aHuggingFaceStateDictLoadsAndGivesTheSameTokens() {
    Rng.manualSeed(3);
    VisionTransformer original = new VisionTransformer(VitConfig.dinov3("tiny"), 0);
    original.eval();
    Map<String, Tensor> hf = toHuggingFace(original.stateDict(), original.config.embedDim());
    assertTrue(HuggingFaceDinov3.matches(hf));
    assertTrue(hf.containsKey("layer.3.attention.k_proj.weight") && !hf.containsKey("layer.3.attention.k_proj.bias"));
    VisionTransformer loaded = new VisionTransformer(VitConfig.dinov3("tiny"), 0);
    Module.LoadResult r = loaded.loadStateDict(HuggingFaceDinov3.toOriginal(hf), false);
    assertTrue(r.unexpectedKeys().isEmpty() && r.shapeMismatches().isEmpty(), r.toString());
    assertTrue(r.missingKeys().stream().allMatch(k -> k.endsWith("bias_mask") || k.equals("rope_embed.periods")), r.toString());
    loaded.eval();
    Tensor x = Tensor.randn(new Generator(4), 2, 3, 48, 32);
    assertClose(original.forwardFeatures(x), loaded.forwardFeatures(x), 1e-6);
  }

  @Test
  void swigluLayersMapGateUpDownToW1W2W3() {
    Map<String, Tensor> hf = new LinkedHashMap<>();
    hf.put("embeddings.cls_token", Tensor.zeros(1, 1, 8));
    for (String p : new String[] {"gate_proj", "up_proj", "down_proj"}) hf.put("layer.0.mlp." + p + ".weight", Tensor.zeros(8, 8));
    Map<String, Tensor> original = HuggingFaceDinov3.toOriginal(hf);
    assertEquals(java.util.Set.of("cls_token", "blocks.0.mlp.w1.weight", "blocks.0.mlp.w2.weight", "blocks.0.mlp.w3.weight"), original.keySet());
  }

  /** transformers' renaming, written from its converter, as the test's reference. */
  private static Map<String, Tensor> toHuggingFace(Map<String, Tensor> sd, int dim) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (var e : sd.entrySet()) {
      String k = e.getKey();
      Tensor v = e.getValue();
      if (k.endsWith("bias_mask") || k.startsWith("rope_embed.")) continue;
      if (k.contains(".attn.qkv.")) {
        String prefix = k.replace("blocks.", "layer.").replace(".attn.qkv.", ".attention."), kind = k.substring(k.lastIndexOf('.') + 1);
        String base = prefix.substring(0, prefix.length() - kind.length());
        out.put(base + "q_proj." + kind, v.narrow(0, 0, dim));
        if (!kind.equals("bias")) out.put(base + "k_proj." + kind, v.narrow(0, dim, dim));
        out.put(base + "v_proj." + kind, v.narrow(0, 2 * dim, dim));
        continue;
      }
      String n = k.replace("cls_token", "embeddings.cls_token").replace("storage_tokens", "embeddings.register_tokens")
          .replace("patch_embed.proj.", "embeddings.patch_embeddings.").replace("blocks.", "layer.").replace(".attn.proj.", ".attention.o_proj.")
          .replace(".ls1.gamma", ".layer_scale1.lambda1").replace(".ls2.gamma", ".layer_scale2.lambda1").replace(".mlp.fc1.", ".mlp.up_proj.")
          .replace(".mlp.fc2.", ".mlp.down_proj.");
      if (k.equals("mask_token")) {
        out.put("embeddings.mask_token", v.reshape(1, 1, v.size(-1)));
        continue;
      }
      out.put(n, v);
    }
    return out;
  }
}
