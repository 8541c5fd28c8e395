package org.tessera.autograd.spec;

import static org.tessera.autograd.spec.Inputs.Domain.ANY;

import java.util.List;
import org.tessera.tensor.Tensor;

/** Fused attention: small cases for exact gradient checks; cases past the kernel's 64-query / 128-key blocks. */
final class AttentionSpecs {
  private AttentionSpecs() {}

  static List<OpSpec> all() {
    return List.of(case_(false, 0), case_(false, 1), case_(false, 2), case_(true, 0), case_(true, 1), case_(true, 2));
  }

  /** mask: 0 none, 1 boolean (every query may see key 0), 2 an additive float mask that itself gets a gradient. */
  private static OpSpec case_(boolean large, int mask) {
    return new OpSpec("scaledDotProductAttention", true, g -> {
      Inputs in = new Inputs(g);
      int heads = 1 + in.nextInt(2), d = 1 + in.nextInt(large ? 16 : 4), dv = 1 + in.nextInt(large ? 16 : 4);
      int lq = large ? 60 + in.nextInt(20) : 1 + in.nextInt(5), lk = large ? 120 + in.nextInt(20) : 1 + in.nextInt(6);
      in.leaf(new int[] {heads, lq, d}, ANY);
      in.leaf(new int[] {heads, lk, d}, ANY);
      in.leaf(new int[] {heads, lk, dv}, ANY);
      if (mask == 2) in.leaf(new int[] {1, lq, lk}, ANY);
      if (mask == 1) in.mask(new int[] {lq, lk});
      return in.build(t -> {
        Tensor m = mask == 0 ? null : mask == 2 ? t[3] : t[3].logicalOr(Tensor.arange(lk).to(t[3].device()).eq(0));
        return t[0].scaledDotProductAttention(t[1], t[2], m, mask == 2 ? 0.7 : Double.NaN);
      });
    }).tolerances(1e-4, 1e-5);
  }
}
