package org.tessera.train.nnunet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Fingerprint statistics as NumPy computes them, the 2-D plan and its patch override, and preprocessing round trips. */
class PlanTest {
  @TempDir Path tmp;

  @Test
  void percentilesAreNumpysLinearOnes() {
    double[] sorted = {1, 2, 3, 4, 10};
    // np.percentile([1, 2, 3, 4, 10], [0.5, 99.5, 50]) -> [1.02, 9.88, 3.0]
    assertEquals(1.02, Fingerprint.percentile(sorted, 0.5), 1e-12);
    assertEquals(9.88, Fingerprint.percentile(sorted, 99.5), 1e-12);
    assertEquals(3.0, Fingerprint.percentile(sorted, 50), 0);
    Fingerprint.Stats s = Fingerprint.stats(List.of(new float[] {1, 2, 3}, new float[] {4, 10}));
    assertEquals(4.0, s.mean(), 1e-12);
    assertEquals(Math.sqrt(10), s.std(), 1e-12); // ddof 0
    assertEquals(1, s.min());
    assertEquals(10, s.max());
  }

  @Test
  void thePhantomPlansItsMedianShapeAndAPatchOverrideRescalesTheSpacing() throws Exception {
    Path dir = tmp.resolve(NnunetPaths.PHANTOM_NAME);
    PhantomDataset.generate(dir, 3, 0, 3);
    NnunetDataset ds = NnunetDataset.open(dir);
    Fingerprint fp = Fingerprint.compute(ds, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    Plan plan = Plan.create("Dataset990_Phantom", ds, fp, null, 8);
    assertArrayEquals(new int[] {128, 128}, plan.patchSize());
    assertArrayEquals(new double[] {0.75, 0.75}, plan.spacing(), 1e-12);
    assertEquals(List.of("CTNormalization"), plan.normalization());
    // the seeds' 2d_896 trick: a larger patch over the same field means a finer spacing
    Plan wide = Plan.create("Dataset990_Phantom", ds, fp, new int[] {96, 192}, 8);
    assertArrayEquals(new double[] {1.0, 0.5}, wide.spacing(), 1e-12);
    assertArrayEquals(new int[] {96, 192}, wide.medianShape());
    plan.write(tmp.resolve("plans.json"));
    Plan back = Plan.read(tmp.resolve("plans.json"));
    assertArrayEquals(plan.patchSize(), back.patchSize());
    assertEquals(plan.intensities(), back.intensities());

    NnunetDataset.Case c = ds.training().get(0);
    Volume v = Volume.read(c.images());
    byte[] seg = Volume.readLabels(c.label(), v.shape(), 4);
    Preprocessor.Prepared p = Preprocessor.prepare(c.name(), v, seg, plan, 4);
    assertArrayEquals(v.shape(), p.shape());
    Fingerprint.Stats st = plan.intensities().get(0);
    int i = 1234;
    double clipped = Math.min(st.p995(), Math.max(st.p005(), v.channels()[0][i]));
    assertEquals((clipped - st.mean()) / st.std(), p.data()[0][i], 1e-5);
    // resampled to the wide plan: every slice to 96 x 192
    Preprocessor.Prepared r = Preprocessor.prepare(c.name(), v, seg, wide, 4);
    assertArrayEquals(new int[] {40, 96, 192}, r.shape());
    Preprocessor.save(p, tmp.resolve("case.safetensors"));
    Preprocessor.Prepared loaded = Preprocessor.load(tmp.resolve("case.safetensors"));
    assertArrayEquals(p.data()[0], loaded.data()[0]);
    assertArrayEquals(p.seg(), loaded.seg());
    assertArrayEquals(p.properties().box(), loaded.properties().box());
    assertArrayEquals(p.properties().spacing(), loaded.properties().spacing());
  }

  @Test
  void labelsResampleThroughTheirOneHotEncoding() {
    // 2x2 -> 4x4 keeps each label's quadrant
    byte[] up = Preprocessor.resampleLabels(new byte[] {1, 2, 3, 0}, new int[] {1, 2, 2}, new int[] {1, 4, 4}, 4);
    assertArrayEquals(new byte[] {1, 1, 2, 2, 1, 1, 2, 2, 3, 3, 0, 0, 3, 3, 0, 0}, up);
  }
}
