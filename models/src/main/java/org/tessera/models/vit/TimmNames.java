package org.tessera.models.vit;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.tessera.tensor.Tensor;

/**
 * timm's ViT state dicts in the original repositories' names, which {@link VisionTransformer} uses. DINOv3 as timm's
 * {@code Eva} (no pos_embed): reg_token → storage_tokens, per block attn.q_bias and attn.v_bias fused into attn.qkv.bias
 * with a zero key bias (timm keeps k_bias as a non-persistent zero buffer), gamma_1/gamma_2 → ls1.gamma/ls2.gamma,
 * SwiGLU mlp.fc1_g/fc1_x/fc2 → mlp.w1/w2/w3; timm drops mask_token and the RoPE periods, so both stay as initialised.
 * DINOv2 as timm's {@code VisionTransformer} (with pos_embed): reg_token → register_tokens; the rest is already named
 * as the hub checkpoints.
 */
public final class TimmNames {
  private static final Pattern BLOCK_KEY = Pattern.compile("blocks\\.(\\d+)\\.(gamma_[12]|attn\\.[qkv]_bias|mlp\\.fc1_[gx]\\..+)");
  private static final Pattern FC2 = Pattern.compile("blocks\\.(\\d+)\\.mlp\\.fc2\\.(.+)");

  private TimmNames() {}

  /** Whether a state dict has timm's names (a reg_token, Eva's per-block gamma or split q/v biases). */
  public static boolean matches(Map<String, Tensor> sd) {
    return sd.containsKey("reg_token") || sd.keySet().stream().anyMatch(k -> BLOCK_KEY.matcher(k).matches());
  }

  public static Map<String, Tensor> toOriginal(Map<String, Tensor> sd) {
    boolean dinov2 = sd.containsKey("pos_embed");
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (var e : sd.entrySet()) {
      String k = e.getKey();
      if (k.equals("reg_token")) {
        out.put(dinov2 ? "register_tokens" : "storage_tokens", e.getValue());
        continue;
      }
      Matcher m = BLOCK_KEY.matcher(k);
      if (!m.matches()) {
        out.put(k, e.getValue());
        continue;
      }
      String block = "blocks." + m.group(1) + ".", rest = m.group(2);
      switch (rest) {
        case "gamma_1" -> out.put(block + "ls1.gamma", e.getValue());
        case "gamma_2" -> out.put(block + "ls2.gamma", e.getValue());
        case "attn.q_bias" -> out.put(block + "attn.qkv.bias", fusedBias(sd, block, e.getValue()));
        case "attn.k_bias", "attn.v_bias" -> { } // fused with q_bias
        default -> out.put(block + "mlp." + (rest.startsWith("mlp.fc1_g.") ? "w1" : "w2") + rest.substring("mlp.fc1_g".length()), e.getValue());
      }
    }
    // SwiGLU blocks: their fc2 is the original w3
    for (String k : sd.keySet()) {
      Matcher m = FC2.matcher(k);
      if (m.matches() && sd.containsKey("blocks." + m.group(1) + ".mlp.fc1_g.weight")) {
        out.put("blocks." + m.group(1) + ".mlp.w3." + m.group(2), out.remove(k));
      }
    }
    return out;
  }

  private static Tensor fusedBias(Map<String, Tensor> sd, String block, Tensor q) {
    Tensor v = sd.get(block + "attn.v_bias");
    if (v == null) throw new IllegalArgumentException("timm state dict: " + block + "attn.q_bias without attn.v_bias");
    Tensor k = sd.getOrDefault(block + "attn.k_bias", Tensor.zeros(q.dtype(), q.device(), q.shape()));
    return Tensor.cat(0, q, k, v);
  }
}
