package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorShuffle;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.tensor.ConvGeometry;

/**
 * 3×3 stride-1 convolutions by Winograd's minimal filtering F(2×2, 3×3) (Lavin and Gray, "Fast Algorithms for
 * Convolutional Neural Networks", 2016). Each 2×2 block of outputs (a tile) is Aᵀ[(G g Gᵀ) ⊙ (Bᵀ d B)]A, with d the
 * 4×4 patch of padded input under it and g the 3×3 kernel. Summed over the input channels, the 16 elementwise
 * products become 16 matrix products M[ξ] = U[ξ]·V[ξ] (outputs × channels times channels × tiles): 16
 * multiplications per tile and channel pair where a direct convolution does 36. The transforms cost O(C·tiles) and
 * the products O(C²·tiles), so it pays with many channels. The transforms' coefficients are 0, ±1 and ±½, exact in
 * floating point; each output sums 16 products per channel instead of 9, with rounding errors of the same order.
 * <p>
 * The products run on the convolution's register tiles with B read in place ({@link TallTile#inPlaceB}), V and the
 * products laid out in blocks of two strips of tiles ({@link Tiles#at}). The input gradient of such a convolution is
 * another one (of dy padded by 2 − p, with the kernel flipped and its channel dims swapped). The weight gradient
 * (with 192 channels or more) turns the products around: dU[ξ] = Σ over tiles of (A dy Aᵀ)[ξ]·V[ξ], 16 SGEMMs, then
 * Gᵀ dU G. Measured on the Xeon
 * (2 threads, one JVM, alternating with the direct kernels of {@link ShiftedConv}): DPT fusion (1,256,56,56) forward
 * 11.4 -> 9.1 ms and input gradient 11.5 -> 9.3 ms; (2,128,56,56) 5.8 -> 5.3 ms; (8,64,56,56) 6.4 -> 7.9 ms, slower,
 * hence {@link #MIN_CHANNELS}. Of DPT fusion's 9 ms, the products take 5.8, the input transform 1.5, the kernel's
 * and the output's 0.5 each.
 */
final class Winograd {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length(), NR = 2 * L;
  // channels (in and out) from which the products' savings outrun the transforms' cost: measured above
  private static final int MIN_CHANNELS = 128;
  private static final int WEIGHT_GRAD_MIN_CHANNELS = 192;
  // k (channels) in passes of at most this: a pass of a strip of V (KC × NR floats) stays in L1
  private static final int KC = 256, BLOCKS_PER_PIECE = 2;
  // V and the products are laid out in blocks of this many tiles (two strips), each block rows × BLOCK floats: a
  // strip's pass is then one contiguous run of memory, where rows of all the tiles put each row pages apart
  private static final int BLOCK = 2 * NR;
  private static final boolean TALL_TILES = CpuVendor.INTEL;
  // an output row's two vectors of columns from the tiles' even and odd columns
  private static final VectorShuffle<Float> ZIP_LOW = zip(0), ZIP_HIGH = zip(L / 2);
  // and the reverse: a row's 2L padded columns as its L even and L odd ones
  private static final VectorShuffle<Float> EVEN = unzip(0), ODD = unzip(1);
  // FIRST[n]: the first n lanes (a mask from a table: indexInRange with a negative offset is not compiled to vector code)
  private static final VectorMask<Float>[] FIRST = firstLanes();
  private static final ThreadScratch WEIGHTS = new ThreadScratch(), INPUT = new ThreadScratch(), PRODUCT = new ThreadScratch(), PARITY = new ThreadScratch();
  // the weight gradient's second and later images' products, added into the first's
  private static final ThreadScratch PARTIAL = new ThreadScratch();

  private Winograd() {}

  /**
   * Whether the convolution is 3×3, stride 1, undilated, ungrouped, with enough channels, and its output's rows of
   * tiles fill their vectors well enough ({@link #fillsVectors}).
   */
  static boolean applies(ConvGeometry g, int cin, int cout, int groups) {
    if (!ShiftedConv.applies(g) || groups != 1 || cin < MIN_CHANNELS || cout < MIN_CHANNELS) return false;
    for (int i = 0; i < 2; i++)
      if (g.kernel()[i] != 3 || g.dilation()[i] != 1) return false;
    return fillsVectors(g.out()[1]);
  }

  /**
   * Whether its weight gradient is computed by Winograd too ({@link #weightGrad}): from 192 channels in and out. Its
   * 16 products are smaller than the forward's (channels × channels, k = the tiles) and its transforms cost the same;
   * against the direct kernel, one JVM, alternating (medians of 18 rounds): (1,256,56,56) 12.0–12.3 → 9.6–10.0 ms,
   * (1,192,56,56) 9.3 → 7.8, (2,256,28,28) 12.7 → 9.0, (1,256,112,112) 57.5 → 49.8; (1,128,56,56) level (3.5),
   * (2,128,56,56) 7.9–10.7 → 9.7–10.9.
   */
  static boolean appliesToWeightGrad(ConvGeometry g, int cin, int cout, int groups) {
    return applies(g, cin, cout, groups) && cin >= WEIGHT_GRAD_MIN_CHANNELS && cout >= WEIGHT_GRAD_MIN_CHANNELS;
  }

  /** Whether its input gradient can be computed as one (padding at most 2), whose output is the input's width. */
  static boolean appliesToInputGrad(ConvGeometry g, int cin, int cout, int groups) {
    return applies(g, cin, cout, groups) && g.padding()[0] <= 2 && g.padding()[1] <= 2 && fillsVectors(g.in()[1]);
  }

  /**
   * Whether rounding a row of tiles of an output {@code width} wide up to whole vectors wastes at most a quarter of
   * the products (56 wide: 28 tiles in 32 columns; 34 wide, 17 in 32, would compute nearly twice the work).
   */
  static boolean fillsVectors(int width) {
    int tiles = (width + 1) / 2;
    return 4 * Sgemm.roundUp(tiles, L) <= 5 * tiles;
  }

  /** y (N, Cout, outH, outW) from x (N, Cin, H, W), w (Cout, Cin, 3, 3) and bias (Cout, or null). */
  static void forward(float[] x, float[] w, float[] bias, float[] y, int batch, int cin, int cout, ConvGeometry g, boolean tall) {
    Tiles tiles = new Tiles(g.in()[0], g.in()[1], g.padding()[0], g.padding()[1]);
    KernelRows[] u = transformKernel(w, cout, cin * 9, cin, 9, false, tall);
    int in = g.inSize(), out = g.outSize();
    ConvKernels.perImage(batch, (image, parallel) -> convolve(tiles, x, image * cin * in, cin, u, bias, y, image * cout * out, parallel));
  }

  static void forward(float[] x, float[] w, float[] bias, float[] y, int batch, int cin, int cout, ConvGeometry g) {
    forward(x, w, bias, y, batch, cin, cout, g, TALL_TILES);
  }

  /** dx (N, Cin, H, W) from dy (N, Cout, outH, outW): dy padded by 2 − p, convolved with w flipped and transposed. */
  static void inputGrad(float[] dy, float[] w, float[] dx, int batch, int cin, int cout, ConvGeometry g, boolean tall) {
    Tiles tiles = new Tiles(g.out()[0], g.out()[1], 2 - g.padding()[0], 2 - g.padding()[1]);
    KernelRows[] u = transformKernel(w, cin, 9, cout, cin * 9, true, tall);
    int in = g.inSize(), out = g.outSize();
    ConvKernels.perImage(batch, (image, parallel) -> convolve(tiles, dy, image * cout * out, cout, u, null, dx, image * cin * in, parallel));
  }

  static void inputGrad(float[] dy, float[] w, float[] dx, int batch, int cin, int cout, ConvGeometry g) {
    inputGrad(dy, w, dx, batch, cin, cout, g, TALL_TILES);
  }

  /**
   * dw (Cout, Cin, 3, 3) from x (N, Cin, H, W) and dy (N, Cout, outH, outW): the forward's Y = Aᵀ M A and M[ξ] =
   * U[ξ]·V[ξ] turned around. dM = A dY Aᵀ for each 2×2 block of dy; the 16 products dU[ξ]ᵀ = V[ξ]·dM[ξ]ᵀ (channels ×
   * tiles times tiles × outputs, summed over the images); then dw = Gᵀ dU G for each kernel.
   */
  static void weightGrad(float[] x, float[] dy, float[] dw, int batch, int cin, int cout, ConvGeometry g) {
    Tiles tiles = new Tiles(g.in()[0], g.in()[1], g.padding()[0], g.padding()[1]);
    int columns = tiles.columns(), in = g.inSize(), out = g.outSize(), pairs = cin * cout, stride = Sgemm.roundUp(cout, L), line = ThreadScratch.LINE;
    float[] v = INPUT.lineAligned(16 * cin * columns), dm = PRODUCT.lineAligned(16 * columns * stride), du = WEIGHTS.get(16 * pairs + L);
    for (int image = 0; image < batch; image++) {
      int xBase = image * cin * in, dyBase = image * cout * out;
      Parallel.range(cin, 8, (lo, hi) -> transformInput(tiles, x, xBase, cin, lo, hi, v, true));
      Parallel.range(columns, 16, (lo, hi) -> transformOutputGradient(tiles, dy, dyBase, cout, stride, lo, hi, dm));
      float[] into = image == 0 ? du : PARTIAL.get(16 * pairs);
      // the 16 products side by side, each on one thread: split over the threads, each took its share of a 0.4 ms
      // product in steps that waited for each other
      Parallel.shared(16, 1, (lo, hi) -> {
        for (int xi = lo; xi < hi; xi++)
          Sgemm.multiply(cin, cout, columns, new Sgemm.Operand(v, line + xi * cin * columns, columns, 1),
              new Sgemm.Operand(dm, line + xi * columns * stride, stride, 1), into, xi * pairs, false);
      });
      if (image > 0) Parallel.range(16 * pairs, 1 << 16, (lo, hi) -> VectorKernels.addInto(into, lo, du, lo, hi - lo));
    }
    Parallel.range(cin, 8, (lo, hi) -> transformKernelGradient(du, cin, cout, lo, hi, dw));
  }

  /**
   * dM[ξ]ᵀ rows t in [lo, hi) (ξ's matrix: tiles × m, rows {@code stride} ≥ m apart from {@link ThreadScratch#LINE}, so
   * that every store is a whole vector): A dy Aᵀ for the
   * 2×2 block of dy under tile t (zero past dy's edges), 16 outputs o at a time, each value gathered from 16 planes;
   * zero for the columns past each row's tiles and past the last row (whose V is not zero).
   */
  private static void transformOutputGradient(Tiles tiles, float[] dy, int dyBase, int m, int stride, int lo, int hi, float[] dm) {
    int outH = tiles.outH(), outW = tiles.outW(), plane = outH * outW, span = tiles.span(), matrix = tiles.columns() * stride;
    int[] planes = ShiftedConv.laneOffsets(plane, L), tail = ShiftedConv.laneOffsets(plane, m % L);
    FloatVector zero = FloatVector.zero(F);
    for (int t = lo; t < hi; t++) {
      int i = t / span, j = t % span;
      boolean inside = i < tiles.th() && j < tiles.tw(), lower = 2 * i + 1 < outH, right = 2 * j + 1 < outW;
      for (int o = 0; o < m; o += L) {
        // lanes past m gather plane o's values again, into the row's padding, which the products do not read
        int[] map = o + L <= m ? planes : tail;
        int at = ThreadScratch.LINE + t * stride + o, from = dyBase + o * plane + 2 * i * outW + 2 * j;
        if (!inside) {
          for (int xi = 0; xi < 16; xi++) zero.intoArray(dm, at + xi * matrix);
          continue;
        }
        // the block [[p, q], [r, s]]; A·block: rows p, p + r, p − r, −r (and q, s alike); then each row [a, b] times
        // Aᵀ: a, a + b, a − b, −b (ξ = 4·row + column)
        FloatVector p = FloatVector.fromArray(F, dy, from, map, 0);
        FloatVector q = right ? FloatVector.fromArray(F, dy, from + 1, map, 0) : zero;
        FloatVector r = lower ? FloatVector.fromArray(F, dy, from + outW, map, 0) : zero;
        FloatVector s = lower && right ? FloatVector.fromArray(F, dy, from + outW + 1, map, 0) : zero;
        FloatVector p1 = p.add(r), q1 = q.add(s), p2 = p.sub(r), q2 = q.sub(s);
        p.intoArray(dm, at);
        p.add(q).intoArray(dm, at + matrix);
        p.sub(q).intoArray(dm, at + 2 * matrix);
        q.neg().intoArray(dm, at + 3 * matrix);
        p1.intoArray(dm, at + 4 * matrix);
        p1.add(q1).intoArray(dm, at + 5 * matrix);
        p1.sub(q1).intoArray(dm, at + 6 * matrix);
        q1.neg().intoArray(dm, at + 7 * matrix);
        p2.intoArray(dm, at + 8 * matrix);
        p2.add(q2).intoArray(dm, at + 9 * matrix);
        p2.sub(q2).intoArray(dm, at + 10 * matrix);
        q2.neg().intoArray(dm, at + 11 * matrix);
        r.neg().intoArray(dm, at + 12 * matrix);
        r.add(s).neg().intoArray(dm, at + 13 * matrix);
        s.sub(r).intoArray(dm, at + 14 * matrix);
        s.intoArray(dm, at + 15 * matrix);
      }
    }
  }

  /**
   * dw[o, c] = Gᵀ dU[o, c] G for input channels c in [lo, hi), from dU[ξ]ᵀ (k × m per ξ, row-major), 16 outputs o at
   * a time, each of the 9 taps scattered into its 16 kernels (the last outputs' a float at a time). Written out like
   * the other transforms.
   */
  private static void transformKernelGradient(float[] du, int k, int m, int lo, int hi, float[] dw) {
    int pairs = k * m;
    int[] kernels = ShiftedConv.laneOffsets(9 * k, L);
    float[] taps = new float[9 * L];
    for (int c = lo; c < hi; c++)
      for (int o = 0; o < m; o += L) {
        int at = c * m + o;
        // Gᵀ·dU, column by column: rows 0 + ½(1 + 2), ½(1 − 2), ½(1 + 2) + 3 (ξ = 4·row + column)
        FloatVector a0 = FloatVector.fromArray(F, du, at), b0 = FloatVector.fromArray(F, du, at + 4 * pairs);
        FloatVector a1 = FloatVector.fromArray(F, du, at + pairs), b1 = FloatVector.fromArray(F, du, at + 5 * pairs);
        FloatVector a2 = FloatVector.fromArray(F, du, at + 2 * pairs), b2 = FloatVector.fromArray(F, du, at + 6 * pairs);
        FloatVector a3 = FloatVector.fromArray(F, du, at + 3 * pairs), b3 = FloatVector.fromArray(F, du, at + 7 * pairs);
        FloatVector c0 = FloatVector.fromArray(F, du, at + 8 * pairs), d0 = FloatVector.fromArray(F, du, at + 12 * pairs);
        FloatVector c1 = FloatVector.fromArray(F, du, at + 9 * pairs), d1 = FloatVector.fromArray(F, du, at + 13 * pairs);
        FloatVector c2 = FloatVector.fromArray(F, du, at + 10 * pairs), d2 = FloatVector.fromArray(F, du, at + 14 * pairs);
        FloatVector c3 = FloatVector.fromArray(F, du, at + 11 * pairs), d3 = FloatVector.fromArray(F, du, at + 15 * pairs);
        FloatVector h0 = b0.add(c0).mul(0.5f), h1 = b1.add(c1).mul(0.5f), h2 = b2.add(c2).mul(0.5f), h3 = b3.add(c3).mul(0.5f);
        FloatVector e0 = a0.add(h0), e1 = a1.add(h1), e2 = a2.add(h2), e3 = a3.add(h3);
        FloatVector f0 = b0.sub(c0).mul(0.5f), f1 = b1.sub(c1).mul(0.5f), f2 = b2.sub(c2).mul(0.5f), f3 = b3.sub(c3).mul(0.5f);
        FloatVector g0 = h0.add(d0), g1 = h1.add(d1), g2 = h2.add(d2), g3 = h3.add(d3);
        // then each row [0, 1, 2, 3] times G the same way: taps 0 + ½(1 + 2), ½(1 − 2), ½(1 + 2) + 3
        FloatVector eh = e1.add(e2).mul(0.5f), fh = f1.add(f2).mul(0.5f), gh = g1.add(g2).mul(0.5f);
        FloatVector t0 = e0.add(eh), t1 = e1.sub(e2).mul(0.5f), t2 = eh.add(e3);
        FloatVector t3 = f0.add(fh), t4 = f1.sub(f2).mul(0.5f), t5 = fh.add(f3);
        FloatVector t6 = g0.add(gh), t7 = g1.sub(g2).mul(0.5f), t8 = gh.add(g3);
        int to = o * 9 * k + c * 9;
        if (o + L <= m) {
          t0.intoArray(dw, to, kernels, 0);
          t1.intoArray(dw, to + 1, kernels, 0);
          t2.intoArray(dw, to + 2, kernels, 0);
          t3.intoArray(dw, to + 3, kernels, 0);
          t4.intoArray(dw, to + 4, kernels, 0);
          t5.intoArray(dw, to + 5, kernels, 0);
          t6.intoArray(dw, to + 6, kernels, 0);
          t7.intoArray(dw, to + 7, kernels, 0);
          t8.intoArray(dw, to + 8, kernels, 0);
          continue;
        }
        t0.intoArray(taps, 0);
        t1.intoArray(taps, L);
        t2.intoArray(taps, 2 * L);
        t3.intoArray(taps, 3 * L);
        t4.intoArray(taps, 4 * L);
        t5.intoArray(taps, 5 * L);
        t6.intoArray(taps, 6 * L);
        t7.intoArray(taps, 7 * L);
        t8.intoArray(taps, 8 * L);
        for (int lane = 0; lane < m - o; lane++)
          for (int tap = 0; tap < 9; tap++) dw[to + lane * 9 * k + tap] = taps[tap * L + lane];
      }
  }

  /**
   * The tiles of a convolution of planes h × w padded by (ph, pw): its output (h + 2ph − 2) × (w + 2pw − 2) in
   * th × tw tiles of 2×2 (the last row or column of tiles cropped when odd). Each row of tiles takes {@code span}
   * columns of the products (tw rounded up to whole vectors, so that 16 tiles of a row are one aligned vector; the
   * columns past tw are computed and dropped), {@code blocks} blocks of {@link #BLOCK} columns in all.
   */
  record Tiles(int h, int w, int ph, int pw) {
    int outH() {
      return h + 2 * ph - 2;
    }

    int outW() {
      return w + 2 * pw - 2;
    }

    /** Rows of tiles: the output's rows in pairs, the last one cropped when odd. */
    int th() {
      return (outH() + 1) / 2;
    }

    /** Tiles a row. */
    int tw() {
      return (outW() + 1) / 2;
    }

    /** The columns of the products a row of tiles takes: tw rounded up to whole vectors. */
    int span() {
      return Sgemm.roundUp(tw(), L);
    }

    int blocks() {
      return (th() * span() + BLOCK - 1) / BLOCK;
    }

    /** The columns of the products, whole blocks. */
    int columns() {
      return blocks() * BLOCK;
    }

    /**
     * Where column t of row r of a matrix with {@code rows} rows lies, block by block, in V's or the products' array:
     * from its float {@link ThreadScratch#LINE}, so that each row of a block starts a cache line.
     */
    static int at(int t, int r, int rows) {
      return ThreadScratch.LINE + (t / BLOCK * rows + r) * BLOCK + t % BLOCK;
    }
  }

  /**
   * U[ξ] = G g Gᵀ for every kernel g (r, c) = w[r·rowStride + c·colStride + tap] (the tap reversed when
   * {@code flip}), rows r < m and columns c < k, packed for the register tiles, one group per ξ. Vectors run
   * along c, each tap gathered.
   */
  private static KernelRows[] transformKernel(float[] w, int m, int rowStride, int k, int colStride, boolean flip, boolean tall) {
    float[] u = WEIGHTS.get(16 * m * k);
    // the last columns' lanes past k point at column 0, so that the gathers stay unmasked (a masked one is not
    // compiled to vector code, JDK 25); their results are not stored
    int[] lanes = ShiftedConv.laneOffsets(colStride, L), tail = ShiftedConv.laneOffsets(colStride, k % L);
    int step = m * k, t0 = flip ? 8 : 0, dt = flip ? -1 : 1;
    Parallel.range(m, 8, (lo, hi) -> {
      for (int r = lo; r < hi; r++)
        for (int c = 0; c < k; c += L) {
          VectorMask<Float> valid = F.indexInRange(c, k);
          int[] map = c + L <= k ? lanes : tail;
          int from = r * rowStride + c * colStride + t0, at = r * k + c;
          FloatVector g0 = FloatVector.fromArray(F, w, from, map, 0), g1 = FloatVector.fromArray(F, w, from + dt, map, 0);
          FloatVector g2 = FloatVector.fromArray(F, w, from + 2 * dt, map, 0), g3 = FloatVector.fromArray(F, w, from + 3 * dt, map, 0);
          FloatVector g4 = FloatVector.fromArray(F, w, from + 4 * dt, map, 0), g5 = FloatVector.fromArray(F, w, from + 5 * dt, map, 0);
          FloatVector g6 = FloatVector.fromArray(F, w, from + 6 * dt, map, 0), g7 = FloatVector.fromArray(F, w, from + 7 * dt, map, 0);
          FloatVector g8 = FloatVector.fromArray(F, w, from + 8 * dt, map, 0);
          // the rows of G·g: g's first row, the half sum of its rows, their half alternating sum, its last row; each
          // then times Gᵀ the same way. Written out: vectors passed to a method C2 does not inline are boxed
          FloatVector outer0 = g0.add(g6), outer1 = g1.add(g7), outer2 = g2.add(g8);
          FloatVector h0 = outer0.add(g3).mul(0.5f), h1 = outer1.add(g4).mul(0.5f), h2 = outer2.add(g5).mul(0.5f);
          FloatVector l0 = outer0.sub(g3).mul(0.5f), l1 = outer1.sub(g4).mul(0.5f), l2 = outer2.sub(g5).mul(0.5f);
          FloatVector e0 = g0.add(g2), e1 = h0.add(h2), e2 = l0.add(l2), e3 = g6.add(g8);
          g0.intoArray(u, at, valid);
          e0.add(g1).mul(0.5f).intoArray(u, at + step, valid);
          e0.sub(g1).mul(0.5f).intoArray(u, at + 2 * step, valid);
          g2.intoArray(u, at + 3 * step, valid);
          h0.intoArray(u, at + 4 * step, valid);
          e1.add(h1).mul(0.5f).intoArray(u, at + 5 * step, valid);
          e1.sub(h1).mul(0.5f).intoArray(u, at + 6 * step, valid);
          h2.intoArray(u, at + 7 * step, valid);
          l0.intoArray(u, at + 8 * step, valid);
          e2.add(l1).mul(0.5f).intoArray(u, at + 9 * step, valid);
          e2.sub(l1).mul(0.5f).intoArray(u, at + 10 * step, valid);
          l2.intoArray(u, at + 11 * step, valid);
          g6.intoArray(u, at + 12 * step, valid);
          e3.add(g7).mul(0.5f).intoArray(u, at + 13 * step, valid);
          e3.sub(g7).mul(0.5f).intoArray(u, at + 14 * step, valid);
          g8.intoArray(u, at + 15 * step, valid);
        }
    });
    return KernelRows.packGroups(u, 0, m * k, 16, m, k, 1, 0, k, 1, tall);
  }

  /**
   * One image: the k planes of {@code src} (from {@code srcBase}) convolved into the m planes of {@code dst} (from
   * {@code dstBase}), plus the bias: V from the input, the 16 products, and the output transform.
   */
  private static void convolve(Tiles tiles, float[] src, int srcBase, int k, KernelRows[] u, float[] bias, float[] dst, int dstBase, boolean parallel) {
    int m = u[0].rows(), rows = u[0].paddedRows(), area = tiles.columns();
    float[] v = INPUT.lineAligned(16 * k * area), product = PRODUCT.lineAligned(16 * rows * area);
    Parallel.Body channels = (lo, hi) -> transformInput(tiles, src, srcBase, k, lo, hi, v, false);
    if (parallel) Parallel.range(k, 8, channels);
    else channels.run(0, k);
    multiply(tiles, k, u, v, product, parallel);
    Parallel.Body planes = (lo, hi) -> transformOutput(tiles, product, rows, lo, hi, bias, dst, dstBase);
    if (parallel) Parallel.range(m, 8, planes);
    else planes.run(0, m);
  }

  /**
   * V[ξ] rows c in [lo, hi) (ξ's matrix: k rows, laid out as {@link Tiles#at}, or row-major from
   * {@link ThreadScratch#LINE} when {@code rowMajor}): Bᵀ d B for every tile, 16 tiles of
   * a row at a time. The padded plane is first split into its even and odd columns, so that the 4 columns of 16
   * neighbouring tiles (padded columns 2j, 2j + 1, 2j + 2, 2j + 3) are 4 plain vector loads. Written out: vectors
   * passed to a method C2 does not inline are boxed.
   */
  private static void transformInput(Tiles tiles, float[] src, int srcBase, int k, int lo, int hi, float[] v, boolean rowMajor) {
    int th = tiles.th(), tw = tiles.tw(), span = tiles.span(), matrix = k * tiles.columns();
    int rows = 2 * th + 2, half = Sgemm.roundUp(span + 1, L), plane = rows * half;
    float[] parity = PARITY.get(2 * plane);
    for (int c = lo; c < hi; c++) {
      split(tiles, src, srcBase + c * tiles.h() * tiles.w(), parity, half, plane);
      for (int t = th * span; t < tiles.columns(); t += L) // the last block's columns past the tiles, read by the products
        for (int xi = 0, at = rowMajor ? ThreadScratch.LINE + c * tiles.columns() + t : Tiles.at(t, c, k); xi < 16; xi++) FloatVector.zero(F).intoArray(v, xi * matrix + at);
      for (int i = 0; i < th; i++)
        for (int j = 0; j < tw; j += L) {
          // rows 2i .. 2i + 3 of the padded plane at the tiles' 4 columns (a, b, c, d): even and odd columns of j and j + 1
          int e0 = 2 * i * half + j, e1 = e0 + half, e2 = e1 + half, e3 = e2 + half;
          FloatVector a0 = FloatVector.fromArray(F, parity, e0), b0 = FloatVector.fromArray(F, parity, plane + e0);
          FloatVector c0 = FloatVector.fromArray(F, parity, e0 + 1), d0 = FloatVector.fromArray(F, parity, plane + e0 + 1);
          FloatVector a1 = FloatVector.fromArray(F, parity, e1), b1 = FloatVector.fromArray(F, parity, plane + e1);
          FloatVector c1 = FloatVector.fromArray(F, parity, e1 + 1), d1 = FloatVector.fromArray(F, parity, plane + e1 + 1);
          FloatVector a2 = FloatVector.fromArray(F, parity, e2), b2 = FloatVector.fromArray(F, parity, plane + e2);
          FloatVector c2 = FloatVector.fromArray(F, parity, e2 + 1), d2 = FloatVector.fromArray(F, parity, plane + e2 + 1);
          FloatVector a3 = FloatVector.fromArray(F, parity, e3), b3 = FloatVector.fromArray(F, parity, plane + e3);
          FloatVector c3 = FloatVector.fromArray(F, parity, e3 + 1), d3 = FloatVector.fromArray(F, parity, plane + e3 + 1);
          // each row times B: columns a − c, b + c, c − b, b − d
          FloatVector p0 = a0.sub(c0), q0 = b0.add(c0), r0 = c0.sub(b0), s0 = b0.sub(d0);
          FloatVector p1 = a1.sub(c1), q1 = b1.add(c1), r1 = c1.sub(b1), s1 = b1.sub(d1);
          FloatVector p2 = a2.sub(c2), q2 = b2.add(c2), r2 = c2.sub(b2), s2 = b2.sub(d2);
          FloatVector p3 = a3.sub(c3), q3 = b3.add(c3), r3 = c3.sub(b3), s3 = b3.sub(d3);
          // then Bᵀ times each column: rows 0 − 2, 1 + 2, 2 − 1, 1 − 3; ξ = 4·row + column
          int at = rowMajor ? ThreadScratch.LINE + c * tiles.columns() + i * span + j : Tiles.at(i * span + j, c, k);
          p0.sub(p2).intoArray(v, at);
          q0.sub(q2).intoArray(v, at + matrix);
          r0.sub(r2).intoArray(v, at + 2 * matrix);
          s0.sub(s2).intoArray(v, at + 3 * matrix);
          p1.add(p2).intoArray(v, at + 4 * matrix);
          q1.add(q2).intoArray(v, at + 5 * matrix);
          r1.add(r2).intoArray(v, at + 6 * matrix);
          s1.add(s2).intoArray(v, at + 7 * matrix);
          p2.sub(p1).intoArray(v, at + 8 * matrix);
          q2.sub(q1).intoArray(v, at + 9 * matrix);
          r2.sub(r1).intoArray(v, at + 10 * matrix);
          s2.sub(s1).intoArray(v, at + 11 * matrix);
          p1.sub(p3).intoArray(v, at + 12 * matrix);
          q1.sub(q3).intoArray(v, at + 13 * matrix);
          r1.sub(r3).intoArray(v, at + 14 * matrix);
          s1.sub(s3).intoArray(v, at + 15 * matrix);
        }
    }
  }

  /**
   * One padded plane of {@code src} (h × w from {@code base}, padded by (ph, pw)) as its even columns (rows of
   * {@code half} floats from 0) and its odd ones (from {@code plane}): each 32 padded columns loaded as two vectors
   * (zero outside the input; masked only at the edges) and their lanes sorted by parity.
   */
  private static void split(Tiles tiles, float[] src, int base, float[] parity, int half, int plane) {
    int h = tiles.h(), w = tiles.w(), rows = 2 * tiles.th() + 2;
    for (int r = 0; r < rows; r++) {
      int row = r - tiles.ph(), even = r * half, odd = plane + even;
      if (row < 0 || row >= h) {
        java.util.Arrays.fill(parity, even, even + half, 0f);
        java.util.Arrays.fill(parity, odd, odd + half, 0f);
        continue;
      }
      for (int q = 0, col = -tiles.pw(), from = base + row * w; q < half; q += L, col += 2 * L) {
        int next = col + L;
        FloatVector first = col >= 0 && col + L <= w ? FloatVector.fromArray(F, src, from + col)
            : FloatVector.fromArray(F, src, from + col, FIRST[Math.clamp(w - col, 0, L)].andNot(FIRST[Math.clamp(-col, 0, L)]));
        FloatVector second = next >= 0 && next + L <= w ? FloatVector.fromArray(F, src, from + next)
            : FloatVector.fromArray(F, src, from + next, FIRST[Math.clamp(w - next, 0, L)].andNot(FIRST[Math.clamp(-next, 0, L)]));
        first.rearrange(EVEN, second).intoArray(parity, even + q);
        first.rearrange(ODD, second).intoArray(parity, odd + q);
      }
    }
  }

  /**
   * product[ξ] = U[ξ]·V[ξ] for the 16 ξ (each matrix rows × area, block by block), in pieces of blocks claimed by
   * the workers, ξ outermost so that a piece's U[ξ] is in L2 from the piece before.
   */
  private static void multiply(Tiles tiles, int k, KernelRows[] u, float[] v, float[] product, boolean parallel) {
    int blocks = tiles.blocks(), pieces = (blocks + BLOCKS_PER_PIECE - 1) / BLOCKS_PER_PIECE, strips = (tiles.th() * tiles.span() + NR - 1) / NR;
    int tallRows = u[0].tallRows(), m = u[0].rows(), rows = u[0].paddedRows(), restHeight = u[0].restHeight();
    boolean wide = restHeight == ShortTile.WIDE_MR;
    int passes = (k + KC - 1) / KC, kc = (k + passes - 1) / passes;
    int[] off = new int[k];
    for (int r = 0; r < k; r++) off[r] = r * BLOCK;
    Parallel.Body body = (lo, hi) -> {
      for (int unit = lo; unit < hi; unit++) {
        int xi = unit / pieces, b0 = unit % pieces * BLOCKS_PER_PIECE, b1 = Math.min(blocks, b0 + BLOCKS_PER_PIECE);
        float[] pa = u[xi].panels();
        for (int pc = 0; pc < k; pc += kc) {
          int kcc = Math.min(kc, k - pc);
          boolean accumulate = pc > 0;
          for (int block = b0; block < b1; block++) {
            int from = Tiles.at(0, 0, k) + (xi * blocks + block) * k * BLOCK, to = Tiles.at(0, 0, rows) + (xi * blocks + block) * rows * BLOCK;
            for (int s = 0; s < 2 && 2 * block + s < strips; s++)
              for (int ir = 0; ir < tallRows; ir += TallTile.MR)
                TallTile.inPlaceB(pa, u[xi].tallAt() + ir * k + pc * TallTile.MR, v, off, pc, from + s * NR, kcc, product, to + ir * BLOCK + s * NR, BLOCK, accumulate);
            for (int ir = tallRows; ir < m; ir += restHeight) {
              int ao = u[xi].restAt() + (ir - tallRows) * k + pc * restHeight;
              if (wide) {
                ShortTile.inPlaceBWide(pa, ao, v, off, pc, from, kcc, product, to + ir * BLOCK, BLOCK, accumulate);
                continue;
              }
              for (int s = 0; s < 2 && 2 * block + s < strips; s++)
                ShortTile.inPlaceB(pa, ao, v, off, pc, from + s * NR, kcc, product, to + ir * BLOCK + s * NR, BLOCK, accumulate);
            }
          }
        }
      }
    };
    if (parallel) Parallel.shared(16 * pieces, 1, body);
    else body.run(0, 16 * pieces);
  }

  /**
   * Output planes o in [lo, hi): Aᵀ M A for every tile, 16 tiles of a row at a time, plus the bias; each output
   * row's two results per tile interleaved into two vectors of columns (masked past the edge). Written out like
   * the input's.
   */
  private static void transformOutput(Tiles tiles, float[] product, int rows, int lo, int hi, float[] bias, float[] dst, int dstBase) {
    int th = tiles.th(), tw = tiles.tw(), span = tiles.span(), outH = tiles.outH(), outW = tiles.outW(), matrix = rows * tiles.columns();
    for (int o = lo; o < hi; o++) {
      float b = bias == null ? 0f : bias[o];
      for (int i = 0; i < th; i++)
        for (int j = 0; j < tw; j += L) {
          int at = Tiles.at(i * span + j, o, rows);
          // Aᵀ·M, column by column: rows 0 + 1 + 2 and 1 − 2 − 3 (ξ = 4·row + column)
          FloatVector m0 = FloatVector.fromArray(F, product, at + 4 * matrix), n0 = FloatVector.fromArray(F, product, at + 8 * matrix);
          FloatVector m1 = FloatVector.fromArray(F, product, at + 5 * matrix), n1 = FloatVector.fromArray(F, product, at + 9 * matrix);
          FloatVector m2 = FloatVector.fromArray(F, product, at + 6 * matrix), n2 = FloatVector.fromArray(F, product, at + 10 * matrix);
          FloatVector m3 = FloatVector.fromArray(F, product, at + 7 * matrix), n3 = FloatVector.fromArray(F, product, at + 11 * matrix);
          FloatVector s0 = FloatVector.fromArray(F, product, at).add(m0).add(n0), d0 = m0.sub(n0).sub(FloatVector.fromArray(F, product, at + 12 * matrix));
          FloatVector s1 = FloatVector.fromArray(F, product, at + matrix).add(m1).add(n1), d1 = m1.sub(n1).sub(FloatVector.fromArray(F, product, at + 13 * matrix));
          FloatVector s2 = FloatVector.fromArray(F, product, at + 2 * matrix).add(m2).add(n2), d2 = m2.sub(n2).sub(FloatVector.fromArray(F, product, at + 14 * matrix));
          FloatVector s3 = FloatVector.fromArray(F, product, at + 3 * matrix).add(m3).add(n3), d3 = m3.sub(n3).sub(FloatVector.fromArray(F, product, at + 15 * matrix));
          // then each row times A: columns 0 + 1 + 2 and 1 − 2 − 3, interleaved tile by tile
          int to = dstBase + (o * outH + 2 * i) * outW + 2 * j, n = outW - 2 * j;
          VectorMask<Float> low = FIRST[Math.min(n, L)], high = FIRST[Math.clamp(n - L, 0, L)];
          FloatVector left = s0.add(s1).add(s2).add(b), right = s1.sub(s2).sub(s3).add(b);
          left.rearrange(ZIP_LOW, right).intoArray(dst, to, low);
          left.rearrange(ZIP_HIGH, right).intoArray(dst, to + L, high);
          if (2 * i + 1 == outH) continue;
          left = d0.add(d1).add(d2).add(b);
          right = d1.sub(d2).sub(d3).add(b);
          left.rearrange(ZIP_LOW, right).intoArray(dst, to + outW, low);
          left.rearrange(ZIP_HIGH, right).intoArray(dst, to + outW + L, high);
        }
    }
  }

  @SuppressWarnings("unchecked")
  private static VectorMask<Float>[] firstLanes() {
    VectorMask<Float>[] masks = new VectorMask[L + 1];
    for (int n = 0; n <= L; n++) masks[n] = F.indexInRange(0, n);
    return masks;
  }

  /** Lanes 2q and 2q + 1 from lane from + q of the first and the second vector (indexes past L select the second). */
  private static VectorShuffle<Float> zip(int from) {
    int[] source = new int[L];
    for (int q = 0; q < L / 2; q++) {
      source[2 * q] = from + q;
      source[2 * q + 1] = from + q - L; // exceptional: lane from + q of the second vector
    }
    return VectorShuffle.fromArray(F, source, 0);
  }

  /** Lane q from lane 2q + parity of the two vectors end to end (indexes past L select the second). */
  private static VectorShuffle<Float> unzip(int parity) {
    int[] source = new int[L];
    for (int q = 0; q < L; q++) source[q] = 2 * q + parity < L ? 2 * q + parity : 2 * q + parity - 2 * L;
    return VectorShuffle.fromArray(F, source, 0);
  }
}
