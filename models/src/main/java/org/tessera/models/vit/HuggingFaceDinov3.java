package org.tessera.models.vit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tessera.tensor.Tensor;

/**
 * Hugging Face's DINOv3 checkpoints (transformers' DINOv3ViTModel, the facebook/dinov3-* safetensors) in the original
 * repository's names, which {@link VisionTransformer} uses: embeddings.* → cls_token, mask_token (1, 1, D) → (1, D),
 * storage_tokens, patch_embed.proj; per layer the split q/k/v projections fused back into attn.qkv (the key bias,
 * absent because DINOv3 masks it, as zeros), o_proj → attn.proj, layer_scaleN.lambda1 → lsN.gamma, the MLP's
 * up/down projections → fc1/fc2 (SwiGLU: gate/up/down → w1/w2/w3); rope_embeddings are dropped (recomputed).
 */
public final class HuggingFaceDinov3 {
  private static final Pattern LAYER = Pattern.compile("layer\\.(\\d+)\\.(.+)");

  private HuggingFaceDinov3() {}

  /** Whether a state dict has Hugging Face's DINOv3 names. */
  public static boolean matches(Map<String, Tensor> sd) {
    return sd.containsKey("embeddings.cls_token") && sd.keySet().stream().anyMatch(k -> k.startsWith("layer."));
  }

  public static Map<String, Tensor> toOriginal(Map<String, Tensor> sd) {
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (var e : sd.entrySet()) {
      String k = e.getKey();
      Tensor v = e.getValue();
      switch (k) {
        case "embeddings.cls_token" -> out.put("cls_token", v);
        case "embeddings.mask_token" -> out.put("mask_token", v.reshape(1, v.size(-1)));
        case "embeddings.register_tokens" -> out.put("storage_tokens", v);
        case "embeddings.patch_embeddings.weight" -> out.put("patch_embed.proj.weight", v);
        case "embeddings.patch_embeddings.bias" -> out.put("patch_embed.proj.bias", v);
        default -> {
          if (k.startsWith("rope_embeddings.")) continue;
          Matcher m = LAYER.matcher(k);
          if (!m.matches()) {
            out.put(k, v); // norm.weight, norm.bias
            continue;
          }
          String block = "blocks." + m.group(1) + ".", rest = m.group(2);
          if (rest.startsWith("attention.q_proj.") || rest.startsWith("attention.k_proj.") || rest.startsWith("attention.v_proj.")) continue; // fused below
          boolean swiglu = sd.containsKey("layer." + m.group(1) + ".mlp.gate_proj.weight");
          out.put(block + rename(rest, swiglu), v);
        }
      }
    }
    // q, k, v fused into qkv per layer and parameter kind
    for (String k : sd.keySet()) {
      Matcher m = LAYER.matcher(k);
      if (!m.matches() || !m.group(2).startsWith("attention.q_proj.")) continue;
      String layer = "layer." + m.group(1) + ".attention.", kind = m.group(2).substring("attention.q_proj.".length());
      Tensor q = sd.get(layer + "q_proj." + kind), v = sd.get(layer + "v_proj." + kind);
      Tensor key = sd.containsKey(layer + "k_proj." + kind) ? sd.get(layer + "k_proj." + kind) : Tensor.zeros(q.dtype(), q.device(), q.shape());
      if (v == null) throw new IllegalArgumentException("Hugging Face DINOv3 state dict: " + layer + "q_proj." + kind + " without v_proj." + kind);
      out.put("blocks." + m.group(1) + ".attn.qkv." + kind, Tensor.cat(0, q, key, v));
    }
    return out;
  }

  private static String rename(String rest, boolean swiglu) {
    if (rest.startsWith("attention.o_proj.")) return "attn.proj." + rest.substring("attention.o_proj.".length());
    if (rest.startsWith("layer_scale1.")) return "ls1.gamma";
    if (rest.startsWith("layer_scale2.")) return "ls2.gamma";
    if (rest.startsWith("mlp.")) {
      String p = rest.substring(4);
      if (swiglu) return "mlp." + p.replace("gate_proj", "w1").replace("up_proj", "w2").replace("down_proj", "w3");
      return "mlp." + p.replace("up_proj", "fc1").replace("down_proj", "fc2");
    }
    return rest; // norm1, norm2
  }
}
