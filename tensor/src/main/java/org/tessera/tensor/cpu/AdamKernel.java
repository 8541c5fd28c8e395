package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.tensor.AdamStep;

/**
 * The fused Adam/AdamW step on contiguous F32 arrays: one pass that reads p, g, m, v and writes p, m, v, where the
 * composed update made a dozen parameter-sized temporaries. Each element sees the composed update's F32 operations in
 * the same order (no FMA contraction), so the two give the same bits.
 */
final class AdamKernel {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int GRAIN = 1 << 15;

  private AdamKernel() {}

  static void step(float[] p, int po, float[] g, int go, float[] m, int mo, float[] v, int vo, int n, AdamStep s) {
    boolean decayParam = s.weightDecay() != 0 && s.decoupled(), decayGrad = s.weightDecay() != 0 && !s.decoupled();
    float decay = (float) (1 - s.lr() * s.weightDecay()), wd = (float) s.weightDecay();
    float b1 = (float) s.beta1(), c1 = (float) (1 - s.beta1()), b2 = (float) s.beta2(), c2 = (float) (1 - s.beta2());
    float root2 = (float) Math.sqrt(s.biasCorrection2()), eps = (float) s.eps(), stepSize = (float) (s.lr() / s.biasCorrection1());
    Parallel.range(n, GRAIN, (lo, hi) -> {
      int i = lo;
      for (int bound = lo + F.loopBound(hi - lo); i < bound; i += F.length()) {
        FloatVector pv = FloatVector.fromArray(F, p, po + i), gv = FloatVector.fromArray(F, g, go + i);
        if (decayParam) pv = pv.mul(decay);
        if (decayGrad) gv = gv.add(pv.mul(wd));
        FloatVector mv = FloatVector.fromArray(F, m, mo + i).mul(b1).add(gv.mul(c1));
        FloatVector vv = FloatVector.fromArray(F, v, vo + i).mul(b2).add(gv.mul(gv).mul(c2));
        mv.intoArray(m, mo + i);
        vv.intoArray(v, vo + i);
        pv.sub(mv.div(vv.sqrt().div(root2).add(eps)).mul(stepSize)).intoArray(p, po + i);
      }
      for (; i < hi; i++) {
        float pi = p[po + i], gi = g[go + i];
        if (decayParam) pi = pi * decay;
        if (decayGrad) gi = gi + pi * wd;
        float mi = m[mo + i] * b1 + gi * c1, vi = v[vo + i] * b2 + gi * gi * c2;
        m[mo + i] = mi;
        v[vo + i] = vi;
        p[po + i] = pi - mi / ((float) Math.sqrt(vi) / root2 + eps) * stepSize;
      }
    });
  }
}
