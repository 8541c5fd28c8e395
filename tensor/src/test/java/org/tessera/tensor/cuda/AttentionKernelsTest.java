package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.tensor.Backend;
import org.tessera.tensor.Backends;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.HostStorage;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * attention.cu run on the CPU: Java twins of its three kernels — block and warp mapping, key/query tiles of 32 one
 * per lane, the online softmax with its guards for masked rows, Δ, the lane-spread outputs — reading the views the
 * backend packs ({@link AttentionLaunch#view}), against the reference backend in F64. Cases cross the tile (32) and
 * block (8 rows) edges, use transposed and narrowed views, a bias broadcast over the batch with -inf entries and
 * rows whose first key tile is masked whole, and head dims past one lane column (32).
 */
class AttentionKernelsTest {
  private static final Backend REF = Backends.of(Device.REFERENCE);
  private static final int KT = 32, ROWS = AttentionLaunch.ROWS;
  private static final double TOLERANCE = 1e-12;

  record Case(int seed, Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
    @Override public String toString() {
      return "seed " + seed + ": q " + Shapes.str(q.shape()) + ", k " + Shapes.str(k.shape()) + ", v " + Shapes.str(v.shape()) + (bias == null ? "" : ", masked bias");
    }
  }

  static Stream<Case> cases() {
    return IntStream.range(0, 12).mapToObj(seed -> {
      Generator g = new Generator(700 + seed);
      int batch = 1 + (int) g.nextLong(3), lq = 1 + (int) g.nextLong(40), lk = 1 + (int) g.nextLong(75);
      int d = 1 + (int) g.nextLong(64), dv = 1 + (int) g.nextLong(64);
      if (seed == 0) { // the widest head dims of F64, a last tile of one key, a last block of one row
        lq = 17;
        lk = 65;
        d = dv = AttentionLaunch.maxHeadDim(DType.F64);
      }
      Tensor bias = seed % 2 == 0 ? maskedBias(g, batch, lq, lk) : null;
      return new Case(seed, view(g, batch, lq, d), view(g, batch, lk, d), view(g, batch, lk, dv), bias, 1 / Math.sqrt(d));
    });
  }

  /** A (B, L, w) view that is neither contiguous nor starts at 0: (L, B, w + 2) storage, narrowed, B and L swapped. */
  static Tensor view(Generator g, int batch, int rows, int width) {
    HostStorage s = HostStorage.allocate(DType.F64, Device.REFERENCE, 1 + rows * batch * (width + 2));
    for (int i = 0; i < s.length(); i++) s.setDouble(i, g.nextGaussian());
    return Tensor.view(s, new int[] {batch, rows, width}, new int[] {width + 2, batch * (width + 2), 1}, 1);
  }

  /**
   * An additive (Lq, Lk) bias broadcast over the batch (stride 0): random, a tenth of it -inf, row 0 masked over the
   * first key tile (the online softmax starts from a tile of only -inf), every row with one key left.
   */
  static Tensor maskedBias(Generator g, int batch, int lq, int lk) {
    HostStorage s = HostStorage.allocate(DType.F64, Device.REFERENCE, lq * lk);
    for (int i = 0; i < lq; i++)
      for (int j = 0; j < lk; j++) {
        boolean masked = j != lk - 1 && (g.nextDouble() < 0.1 || (i == 0 && j < KT));
        s.setDouble(i * lk + j, masked ? Double.NEGATIVE_INFINITY : g.nextGaussian());
      }
    return Tensor.view(s, new int[] {batch, lq, lk}, new int[] {0, lk, 1}, 0);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void forwardComputesWhatTheReferenceComputes(Case c) {
    Tensor[] want = REF.attention(c.q, c.k, c.v, c.bias, c.scale);
    Twin twin = new Twin(c);
    double[] out = new double[c.q.size(0) * c.q.size(1) * c.v.size(2)], lse = new double[c.q.size(0) * c.q.size(1)];
    twin.forward(out, lse);
    assertClose(want[0].toDoubleArray(), out, "out");
    assertClose(want[1].toDoubleArray(), lse, "lse");
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("cases")
  void backwardComputesWhatTheReferenceComputes(Case c) {
    Tensor[] forward = REF.attention(c.q, c.k, c.v, c.bias, c.scale);
    int batch = c.q.size(0), lq = c.q.size(1), lk = c.k.size(1), d = c.q.size(2), dv = c.v.size(2);
    Tensor gradOut = view(new Generator(c.seed), batch, lq, dv);
    Tensor[] want = REF.attentionBackward(c.q, c.k, c.v, c.bias, c.scale, forward[0], forward[1], gradOut, true);
    Twin twin = new Twin(c);
    double[] dq = new double[batch * lq * d], delta = new double[batch * lq], dScores = new double[batch * lq * lk];
    double[] dk = new double[batch * lk * d], dValue = new double[batch * lk * dv];
    twin.backwardDq(forward[0], forward[1].toDoubleArray(), gradOut, dq, delta, dScores);
    twin.backwardDkDv(forward[1].toDoubleArray(), gradOut, delta, dk, dValue);
    assertClose(want[0].toDoubleArray(), dq, "dq");
    assertClose(want[1].toDoubleArray(), dk, "dk");
    assertClose(want[2].toDoubleArray(), dValue, "dv");
    assertClose(want[3].toDoubleArray(), dScores, "score gradient");
  }

  @Test
  void aFullyMaskedRowGivesWhatTheCpuBackendGives() {
    Generator g = new Generator(5);
    Tensor q = view(g, 1, 2, 3), k = view(g, 1, 40, 3), v = view(g, 1, 40, 4);
    HostStorage s = HostStorage.allocate(DType.F64, Device.REFERENCE, 2 * 40);
    for (int j = 0; j < 40; j++) {
      s.setDouble(j, Double.NEGATIVE_INFINITY);
      s.setDouble(40 + j, 0.1 * j);
    }
    Case c = new Case(0, q, k, v, Tensor.view(s, new int[] {1, 2, 40}, new int[] {0, 40, 1}, 0), 0.5);
    double[] out = new double[2 * 4], lse = new double[2];
    new Twin(c).forward(out, lse);
    for (int e = 0; e < 4; e++) assertTrue(Double.isNaN(out[e]), "softmax over no key is NaN, as in torch");
    assertEquals(Double.NEGATIVE_INFINITY, lse[0]);
    Tensor cpu = Backends.of(Device.CPU).attention(cpuF32(q), cpuF32(k), cpuF32(v), cpuF32(c.bias), 0.5)[1];
    assertEquals(Double.NEGATIVE_INFINITY, cpu.toDoubleArray()[0], "the CPU backend's lse of the masked row");
    assertClose(REF.attention(q, k, v, c.bias, 0.5)[0].toDoubleArray(), out, 4, 8, "the unmasked row");
  }

  @Test
  void theLaunchHasABlockOfEightWarpsPerEightRowsOfEachEntry() {
    Launch launch = AttentionLaunch.rows(3, 17);
    assertEquals(3 * 3, launch.blocks());
    assertEquals(256, launch.threads());
    assertNull(AttentionLaunch.rows(0, 5));
    assertNull(AttentionLaunch.rows(2, 0));
    assertArrayEquals(new long[] {1, 6, 12, 1}, AttentionLaunch.view(view(new Generator(1), 2, 3, 4)));
    assertArrayEquals(new long[4], AttentionLaunch.view(null));
  }

  @Test
  void headDimsPastTheSharedTilesGoThroughTheHost() {
    Generator g = new Generator(2);
    assertTrue(AttentionLaunch.supports(view(g, 1, 2, 64), view(g, 1, 3, 64), view(g, 1, 3, 64)));
    assertTrue(!AttentionLaunch.supports(view(g, 1, 2, 65), view(g, 1, 2, 65), view(g, 1, 2, 64)), "F64 head dim 65");
    assertTrue(!AttentionLaunch.supports(view(g, 1, 2, 64), view(g, 1, 2, 64), view(g, 1, 2, 65)), "F64 value dim 65");
    assertTrue(!AttentionLaunch.supports(view(g, 1, 2, 8), cpuF32(view(g, 1, 2, 8)), view(g, 1, 2, 8)), "k of another dtype");
    assertTrue(AttentionLaunch.supports(cpuF32(view(g, 1, 2, 128)), cpuF32(view(g, 1, 2, 128)), cpuF32(view(g, 1, 2, 128))));
    assertTrue(!AttentionLaunch.supports(cpuF32(view(g, 1, 2, 129)), cpuF32(view(g, 1, 2, 129)), cpuF32(view(g, 1, 2, 8))));
  }

  @Test
  void everyKernelIsDefinedForF32AndF64WithItsSharedTiles() {
    String source = CudaSources.read("attention.cu");
    assertTrue(source.contains("ATTENTION_KERNELS(float, f32, " + AttentionLaunch.maxHeadDim(DType.F32) + ")"));
    assertTrue(source.contains("ATTENTION_KERNELS(double, f64, " + AttentionLaunch.maxHeadDim(DType.F64) + ")"));
    assertTrue(source.contains("#define ROWS " + ROWS) && source.contains("#define KT " + KT));
    for (String pass : new String[] {"forward", "backward_dq", "backward_dkdv"})
      assertTrue(source.contains(" attention_" + pass + "_##SUFFIX("), pass);
    assertEquals("attention_backward_dkdv_f32", KernelNames.attention("backward_dkdv", DType.F32));
  }

  /** A contiguous F32 copy on the CPU backend's device. */
  private static Tensor cpuF32(Tensor t) {
    double[] values = t.toDoubleArray();
    HostStorage s = HostStorage.allocate(DType.F32, Device.CPU, values.length);
    for (int i = 0; i < values.length; i++) s.setDouble(i, values[i]);
    return Tensor.contiguousView(s, t.shape());
  }

  private static void assertClose(double[] want, double[] got, String what) {
    assertClose(want, got, 0, want.length, what);
  }

  private static void assertClose(double[] want, double[] got, int from, int to, String what) {
    assertEquals(want.length, got.length, what + " length");
    for (int i = from; i < to; i++)
      assertEquals(want[i], got[i], TOLERANCE * Math.max(1, Math.abs(want[i])), what + " element " + i);
  }

  /** The kernels of attention.cu, line for line, over the blocks of {@link AttentionLaunch#rows}. */
  private static final class Twin {
    final double[] q, k, v, bias;
    final long[] vq, vk, vv, vb;
    final double scale;
    final int batch, lq, lk, d, dv;

    Twin(Case c) {
      q = data(c.q);
      k = data(c.k);
      v = data(c.v);
      bias = c.bias == null ? null : data(c.bias);
      vq = AttentionLaunch.view(c.q);
      vk = AttentionLaunch.view(c.k);
      vv = AttentionLaunch.view(c.v);
      vb = AttentionLaunch.view(c.bias);
      scale = c.scale;
      batch = c.q.size(0);
      lq = c.q.size(1);
      lk = c.k.size(1);
      d = c.q.size(2);
      dv = c.v.size(2);
    }

    static double[] data(Tensor t) {
      HostStorage s = (HostStorage) t.storage();
      double[] out = new double[s.length()];
      for (int i = 0; i < out.length; i++) out[i] = s.getDouble(i);
      return out;
    }

    static int at(long[] view, long b, long i, long e) {
      return (int) (view[0] + b * view[1] + i * view[2] + e * view[3]);
    }

    /** block_row: the batch entry and row of warp {@code warp} of block {@code block}. */
    static long[] blockRow(long rows, int block, int warp) {
      long blocks = (rows + ROWS - 1) / ROWS;
      return new long[] {block / blocks, (block % blocks) * ROWS + warp};
    }

    /** load_tile: rows r0 .. r0 + KT of a (B, L, width) view, zero past {@code rows}. */
    static double[][] tile(double[] x, long[] view, long b, long r0, long rows, int width) {
      double[][] t = new double[KT][width];
      for (int r = 0; r < KT; r++)
        for (int e = 0; e < width; e++) t[r][e] = r0 + r < rows ? x[at(view, b, r0 + r, e)] : 0;
      return t;
    }

    /** score: lane's scale·(row · tile row) + bias, -inf past the last column. */
    double score(double[] row, double[][] tile, int lane, long b, long i, long j, long columns) {
      if (j >= columns) return Double.NEGATIVE_INFINITY;
      double s = 0;
      for (int e = 0; e < d; e++) s += row[e] * tile[lane][e];
      s *= scale;
      return bias != null ? s + bias[at(vb, b, i, j)] : s;
    }

    /** add_rows: out[e] += Σ_r w[r]·tile[r][e] (the kernel's out[c] holds column lane + 32c). */
    static void addRows(double[] out, double[] w, double[][] tile, int width) {
      for (int r = 0; r < KT; r++)
        for (int e = 0; e < width; e++) out[e] += w[r] * tile[r][e];
    }

    void forward(double[] out, double[] lse) {
      Launch launch = AttentionLaunch.rows(batch, lq);
      for (int block = 0; block < launch.blocks(); block++)
        for (int warp = 0; warp < ROWS; warp++) {
          long[] bi = blockRow(lq, block, warp);
          long b = bi[0], i = bi[1];
          if (i >= lq) continue;
          double[] row = new double[d], acc = new double[dv], s = new double[KT], p = new double[KT];
          for (int e = 0; e < d; e++) row[e] = q[at(vq, b, i, e)];
          double m = Double.NEGATIVE_INFINITY, l = 0;
          for (long j0 = 0; j0 < lk; j0 += KT) {
            double[][] ks = tile(k, vk, b, j0, lk, d), vs = tile(v, vv, b, j0, lk, dv);
            double tileMax = Double.NEGATIVE_INFINITY, sum = 0;
            for (int lane = 0; lane < KT; lane++) tileMax = Math.max(tileMax, s[lane] = score(row, ks, lane, b, i, j0 + lane, lk));
            double mNew = Math.max(m, tileMax);
            double shift = mNew == Double.NEGATIVE_INFINITY ? 0 : mNew, correction = Math.exp(m - shift);
            for (int lane = 0; lane < KT; lane++) sum += p[lane] = Math.exp(s[lane] - shift);
            l = l * correction + sum;
            for (int e = 0; e < dv; e++) acc[e] *= correction;
            addRows(acc, p, vs, dv);
            m = mNew;
          }
          long r = b * lq + i;
          for (int e = 0; e < dv; e++) out[(int) (r * dv + e)] = acc[e] / l;
          lse[(int) r] = m + Math.log(l);
        }
    }

    void backwardDq(Tensor out, double[] lse, Tensor gradOut, double[] dq, double[] delta, double[] dScores) {
      double[] o = data(out), g = data(gradOut);
      long[] vo = AttentionLaunch.view(out), vg = AttentionLaunch.view(gradOut);
      Launch launch = AttentionLaunch.rows(batch, lq);
      for (int block = 0; block < launch.blocks(); block++)
        for (int warp = 0; warp < ROWS; warp++) {
          long[] bi = blockRow(lq, block, warp);
          long b = bi[0], i = bi[1], r = b * lq + i;
          if (i >= lq) continue;
          double[] row = new double[d], grad = new double[dv], acc = new double[d], ds = new double[KT];
          double dot = 0;
          for (int e = 0; e < d; e++) row[e] = q[at(vq, b, i, e)];
          for (int e = 0; e < dv; e++) dot += (grad[e] = g[at(vg, b, i, e)]) * o[at(vo, b, i, e)];
          delta[(int) r] = dot;
          for (long j0 = 0; j0 < lk; j0 += KT) {
            double[][] ks = tile(k, vk, b, j0, lk, d), vs = tile(v, vv, b, j0, lk, dv);
            for (int lane = 0; lane < KT; lane++) {
              long j = j0 + lane;
              double p = Math.exp(score(row, ks, lane, b, i, j, lk) - lse[(int) r]), dp = 0;
              if (j >= lk) p = 0;
              for (int e = 0; e < dv; e++) dp += grad[e] * vs[lane][e];
              ds[lane] = p * (dp - dot);
              if (j < lk) dScores[(int) (r * lk + j)] = ds[lane];
            }
            addRows(acc, ds, ks, d);
          }
          for (int e = 0; e < d; e++) dq[(int) (r * d + e)] = scale * acc[e];
        }
    }

    void backwardDkDv(double[] lse, Tensor gradOut, double[] delta, double[] dk, double[] dValue) {
      double[] g = data(gradOut);
      long[] vg = AttentionLaunch.view(gradOut);
      Launch launch = AttentionLaunch.rows(batch, lk);
      for (int block = 0; block < launch.blocks(); block++)
        for (int warp = 0; warp < ROWS; warp++) {
          long[] bj = blockRow(lk, block, warp);
          long b = bj[0], j = bj[1];
          if (j >= lk) continue;
          double[] key = new double[d], value = new double[dv], dkAcc = new double[d], dvAcc = new double[dv], p = new double[KT], ds = new double[KT];
          for (int e = 0; e < d; e++) key[e] = k[at(vk, b, j, e)];
          for (int e = 0; e < dv; e++) value[e] = v[at(vv, b, j, e)];
          for (long i0 = 0; i0 < lq; i0 += KT) {
            double[][] qt = tile(q, vq, b, i0, lq, d), gt = tile(g, vg, b, i0, lq, dv);
            for (int lane = 0; lane < KT; lane++) {
              long i = i0 + lane;
              boolean inside = i < lq;
              double lseI = inside ? lse[(int) (b * lq + i)] : 0, deltaI = inside ? delta[(int) (b * lq + i)] : 0;
              double s = Double.NEGATIVE_INFINITY, dp = 0;
              if (inside) {
                s = 0;
                for (int e = 0; e < d; e++) s += qt[lane][e] * key[e];
                s *= scale;
                if (bias != null) s += bias[at(vb, b, i, j)];
              }
              p[lane] = inside ? Math.exp(s - lseI) : 0;
              for (int e = 0; e < dv; e++) dp += gt[lane][e] * value[e];
              ds[lane] = p[lane] * (dp - deltaI);
            }
            addRows(dvAcc, p, gt, dv);
            addRows(dkAcc, ds, qt, d);
          }
          long r = b * lk + j;
          for (int e = 0; e < d; e++) dk[(int) (r * d + e)] = scale * dkAcc[e];
          for (int e = 0; e < dv; e++) dValue[(int) (r * dv + e)] = dvAcc[e];
        }
    }
  }
}
