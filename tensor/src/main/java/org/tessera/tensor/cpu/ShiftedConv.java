package org.tessera.tensor.cpu;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;
import org.tessera.tensor.ConvGeometry;

/**
 * Stride-1 2-D convolution without im2col. Copy the input once with its padding (Hp × Wp per channel); then the row
 * (c, ki, kj) of the unfolded input, on the padded width, is one contiguous run of the copy starting at
 * {@code c·Hp·Wp + ki·dh·Wp + kj·dw}, and output position (oh, ow) reads it at column {@code oh·Wp + ow}. The output
 * is computed on the padded width too, so that a 32-wide strip of columns reads each unfolded row as two vector loads
 * straight from the copy: no strip is copied, nothing is masked; the Wp − outW columns past each output row are
 * computed and dropped. Adjacent rows share their padding (Wp = W + pw, a row's right padding being the next row's
 * left padding), so a 3×3 convolution on 56 wide drops 1 column in 57.
 * The input gradient of a stride-1 convolution is itself one (of the output gradient, padded by (k − 1)·d − p,
 * with the kernel flipped and its channel dims swapped), and the weight gradient multiplies the same contiguous
 * rows by the output gradient laid out on the padded width (zero in the dropped columns).
 */
final class ShiftedConv {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length(), MR = Sgemm.MR, NR = 2 * L;
  // k in passes of at most these. The convolution's: the runs a strip reads in one pass (kc rows of NR floats) stay
  // in L1 while the kernel rows' pass (Cout·kc) stays in L2. The weight gradient's: a pass of the packed dyᵀ
  // (Cout·kc floats) stays in L2 while every row panel of the unfolded input runs over it. Measured on a 2-core Xeon
  // (DPT fusion, 3×3 256→256 on 56×56, interleaved): the forward's passes of 128, 256, 512 or all of k ran level
  // (256 a shade ahead); the weight gradient went from 77 to 100 GFLOP/s with its passes outermost.
  private static final int KC_CONVOLVE = 256, KC_WEIGHT = 512;
  // Work is claimed in pieces this size, not cut into one fixed share per thread: on a VM the two cores often run at
  // different speeds for seconds at a time, and the faster one then waits. Measured on a 2-core Xeon (DPT fusion,
  // interleaved A/B, medians): forward +10-14 %, weight gradient +14-17 %; pieces of 2-16 strips or 8-32 row panels
  // ran level. A piece runs every pass of k over its strips (or row panels): a pass of the kernel rows (or of dyᵀ)
  // is then read from L3 once per piece, a small cost at these sizes.
  private static final int STRIPS_PER_PIECE = 4, ROW_PANELS_PER_PIECE = 16;
  // 12-row tiles (TallTile) where whole ones fit, on Intel cores. Measured on the Xeon (interleaved, medians): DPT
  // fusion forward 115 -> 130 GFLOP/s (+13 %), conv3x3 +5 % (64 rows: five tall tiles and one 6-row tile); 3×3 weight
  // gradients (rows in triples) 164 -> 194 (+24-27 %). Elsewhere (Zen 4, whose 512-bit FMAs run at half rate) the
  // 6-row tile it was tuned with.
  private static final boolean TALL_TILES = CpuVendor.INTEL;
  private static final ThreadScratch PADDED = new ThreadScratch(), OUT = new ThreadScratch(), PIECE = new ThreadScratch(), PACKED_DY = new ThreadScratch();

  private ShiftedConv() {}

  /** Whether the geometry is a 2-D stride-1 convolution whose output has the usual size (not a cropped transposed one). */
  static boolean applies(ConvGeometry g) {
    if (g.in().length != 2) return false;
    for (int i = 0; i < 2; i++)
      if (g.stride()[i] != 1 || g.out()[i] != g.in()[i] + 2 * g.padding()[i] - g.dilation()[i] * (g.kernel()[i] - 1)) return false;
    return true;
  }

  /** Whether each group has one input and one output plane: the convolution then takes the per-plane stencil. */
  static boolean isDepthwise(int cin, int cout, int groups) {
    return groups == cin && cout == cin;
  }

  /** Whether the input gradient can be computed as a convolution: its padding (k − 1)·d − p must not be negative. */
  static boolean appliesToInputGrad(ConvGeometry g) {
    return applies(g) && g.padding()[0] <= g.dilation()[0] * (g.kernel()[0] - 1) && g.padding()[1] <= g.dilation()[1] * (g.kernel()[1] - 1);
  }

  /** One convolution's shape on the padded width: the padded planes, the offset of each unfolded row, the column count. */
  record Plan(int channels, int inH, int inW, int ph, int pw, int hp, int wp, int outH, int outW, int[] rowOffset, int columns) {
    static Plan of(int channels, int inH, int inW, int kh, int kw, int ph, int pw, int dh, int dw) {
      // a row's reads reach at most pw columns past its last input column: into the next row's left padding. Only
      // when the padding reaches beyond the kernel (pw > (kw − 1)·dw) is the output wider than that.
      int hp = inH + 2 * ph, outH = hp - dh * (kh - 1), outW = inW + 2 * pw - dw * (kw - 1), wp = Math.max(inW + pw, outW);
      int[] offsets = new int[channels * kh * kw];
      for (int c = 0, r = 0; c < channels; c++)
        for (int ki = 0; ki < kh; ki++)
          for (int kj = 0; kj < kw; kj++) offsets[r++] = c * hp * wp + ki * dh * wp + kj * dw;
      return new Plan(channels, inH, inW, ph, pw, hp, wp, outH, outW, offsets, outH * wp);
    }

    int plane() {
      return hp * wp;
    }

    /** Whether the unfolded rows come in triples of adjacent runs (offsets o, o + 1, o + 2): a 3-wide kernel, no dilation. */
    boolean triples() {
      if (rowOffset.length % 3 != 0) return false;
      for (int r = 0; r < rowOffset.length; r += 3)
        if (rowOffset[r + 1] != rowOffset[r] + 1 || rowOffset[r + 2] != rowOffset[r] + 2) return false;
      return true;
    }

    /**
     * Floats of the padded copy, with a zero tail: the last strip's reads of the last unfolded row stay inside, and
     * so do those of the strip past it, which a wide tile computes with the last one (and drops).
     */
    int paddedLength() {
      return rowOffset[rowOffset.length - 1] + Sgemm.roundUp(columns, 2 * NR);
    }

    /**
     * This thread's padded copy of the planes of {@code x} from {@code base}: zero padding and a zero tail; planes split
     * over the workers when {@code parallel}. Only the padding is zeroed, between the rows' copies, where zeroing whole
     * planes first wrote the copy twice: 256 planes of 56×56, padded by 1, 0.53 -> 0.44 ms; 64 planes level. The gaps
     * are a few floats, so a plain loop, not a call of Arrays.fill each (which made 64 planes 10 % slower).
     */
    float[] pad(float[] x, int base, boolean parallel) {
      int length = paddedLength(), plane = plane();
      float[] xp = PADDED.get(length);
      java.util.Arrays.fill(xp, channels * plane, length, 0f);
      Parallel.Body planes = (lo, hi) -> {
        for (int c = lo; c < hi; c++) {
          int from = c * plane; // the first float not yet written
          for (int i = 0; i < inH; i++) {
            int to = c * plane + (i + ph) * wp + pw;
            for (int j = from; j < to; j++) xp[j] = 0f;
            System.arraycopy(x, base + (c * inH + i) * inW, xp, to, inW);
            from = to + inW;
          }
          java.util.Arrays.fill(xp, from, (c + 1) * plane, 0f);
        }
      };
      if (parallel) Parallel.range(channels, 16, planes);
      else planes.run(0, channels);
      return xp;
    }
  }

  /** y (N, Cout, outH, outW) from x (N, Cin, H, W), w (Cout, Cin/G, kh, kw) and bias (Cout, or null). */
  static void forward(float[] x, float[] w, float[] bias, float[] y, int batch, int cin, int cout, int groups, ConvGeometry g) {
    forward(x, w, bias, y, batch, cin, cout, groups, g, TALL_TILES);
  }

  /** {@link #forward} with 12-row tiles where whole ones fit ({@code tall}) or 6-row tiles throughout: the same sums in the same order. */
  static void forward(float[] x, float[] w, float[] bias, float[] y, int batch, int cin, int cout, int groups, ConvGeometry g, boolean tall) {
    if (isDepthwise(cin, cout, groups)) {
      depthwise(plan(g, 1), x, g.inSize(), w, false, bias, y, g.outSize(), batch * cin, cin);
      return;
    }
    int cinG = cin / groups, mg = cout / groups, k = cinG * g.kernelSize();
    KernelRows[] packed = KernelRows.packGroups(w, 0, mg * k, groups, mg, k, 1, 0, k, 1, tall);
    Plan plan = plan(g, cinG);
    int in = g.inSize(), out = g.outSize();
    ConvKernels.perImage(batch, (image, parallel) -> {
      for (int gr = 0; gr < groups; gr++)
        convolve(plan, x, (image * cin + gr * cinG) * in, packed[gr], bias, gr * mg, y, (image * cout + gr * mg) * out, parallel);
    });
  }

  /** dx (N, Cin, H, W) from dy (N, Cout, outH, outW): the convolution of dy with w flipped and transposed, padded by (k − 1)·d − p. */
  static void inputGrad(float[] dy, float[] w, float[] dx, int batch, int cin, int cout, int groups, ConvGeometry g) {
    inputGrad(dy, w, dx, batch, cin, cout, groups, g, TALL_TILES);
  }

  /** {@link #inputGrad} with 12-row tiles where whole ones fit ({@code tall}) or 6-row tiles throughout. */
  static void inputGrad(float[] dy, float[] w, float[] dx, int batch, int cin, int cout, int groups, ConvGeometry g, boolean tall) {
    int cinG = cin / groups, mg = cout / groups, kh = g.kernel()[0], kw = g.kernel()[1], kk = kh * kw;
    int dh = g.dilation()[0], dw = g.dilation()[1];
    Plan plan = Plan.of(mg, g.out()[0], g.out()[1], kh, kw, dh * (kh - 1) - g.padding()[0], dw * (kw - 1) - g.padding()[1], dh, dw);
    if (isDepthwise(cin, cout, groups)) {
      depthwise(plan, dy, g.outSize(), w, true, null, dx, g.inSize(), batch * cin, cin);
      return;
    }
    // rows c, columns (o, t) of w flipped and transposed, (Cin/G, Cout/G, kh, kw) reversed in both spatial dims: w[o][c][kk − 1 − t]
    KernelRows[] packed = KernelRows.packGroups(w, kk - 1, mg * cinG * kk, groups, cinG, kk, mg, cinG * kk, kk, -1, tall);
    int in = g.inSize(), out = g.outSize();
    ConvKernels.perImage(batch, (image, parallel) -> {
      for (int gr = 0; gr < groups; gr++)
        convolve(plan, dy, (image * cout + gr * mg) * out, packed[gr], null, 0, dx, (image * cin + gr * cinG) * in, parallel);
    });
  }

  /**
   * A depthwise convolution (one input and one output plane per group, as in ViT-Adapter's ConvFFN): each plane is
   * a 1-D stencil on its padded width, kh·kw vector FMAs per 16 outputs with the weight broadcast, instead of a
   * 6-row register tile that would compute one row of six. Planes (image, channel) of {@code src} (each
   * {@code srcPlane} floats) into planes of {@code dst} ({@code dstPlane} floats), over the workers; the kernel
   * flipped when {@code flip} (the input gradient), plus the bias when there is one. (1,768,90,90), 3×3, forward on
   * the Xeon: 23.1 -> 6.1 ms, PyTorch 5.0 ms.
   */
  private static void depthwise(Plan plan, float[] src, int srcPlane, float[] w, boolean flip, float[] bias, float[] dst, int dstPlane, int planes,
      int channels) {
    int kk = plan.rowOffset.length, columns = plan.columns, outH = plan.outH, outW = plan.outW, wp = plan.wp;
    int[] off = plan.rowOffset;
    Parallel.range(planes, 4, (lo, hi) -> {
      float[] row = PIECE.get(Sgemm.roundUp(columns, L));
      for (int p = lo; p < hi; p++) {
        int c = p % channels;
        float[] xp = plan.pad(src, p * srcPlane, false);
        FloatVector start = FloatVector.broadcast(F, bias == null ? 0f : bias[c]);
        for (int q = 0; q < columns; q += L) {
          FloatVector acc = start;
          for (int t = 0; t < kk; t++) acc = FloatVector.fromArray(F, xp, off[t] + q).fma(FloatVector.broadcast(F, w[c * kk + (flip ? kk - 1 - t : t)]), acc);
          acc.intoArray(row, q);
        }
        for (int i = 0; i < outH; i++) System.arraycopy(row, i * wp, dst, p * dstPlane + i * outW, outW);
      }
    });
  }

  /**
   * Adds into dw (C, 1, kh, kw) the weight gradient of a depthwise convolution: for each plane and tap, the dot
   * product of the tap's run of the padded input with dy, one output row at a time (the last vector of a row
   * masked). Channels are split over the workers, each summing its channel over the batch in order. A weight
   * gradient per group through the register tiles (a 6-row tile for one row, four parallel steps per plane) made a
   * (1,768,90,90) 3×3 forward+backward take 109–129 ms against PyTorch's 32; now 23.
   */
  static void depthwiseWeightGrad(float[] x, float[] dy, float[] dw, int batch, int channels, ConvGeometry g) {
    Plan plan = plan(g, 1);
    int kk = plan.rowOffset.length, outH = plan.outH, outW = plan.outW, wp = plan.wp, in = g.inSize(), out = g.outSize();
    int[] off = plan.rowOffset;
    Parallel.range(channels, 4, (lo, hi) -> {
      for (int c = lo; c < hi; c++)
        for (int n = 0; n < batch; n++) {
          int plane = n * channels + c;
          float[] xp = plan.pad(x, plane * in, false);
          for (int t = 0; t < kk; t++) {
            FloatVector acc = FloatVector.zero(F);
            for (int i = 0; i < outH; i++)
              for (int j = 0, xAt = off[t] + i * wp, dyAt = plane * out + i * outW; j < outW; j += L) {
                VectorMask<Float> lanes = F.indexInRange(j, outW);
                acc = FloatVector.fromArray(F, xp, xAt + j, lanes).fma(FloatVector.fromArray(F, dy, dyAt + j, lanes), acc);
              }
            dw[c * kk + t] += acc.reduceLanes(VectorOperators.ADD);
          }
        }
    });
  }

  /** A gather's index map: lane t at t·stride for the first {@code lanes} lanes, 0 (a valid index) past them. */
  static int[] laneOffsets(int stride, int lanes) {
    int[] map = new int[L];
    for (int t = 0; t < lanes; t++) map[t] = t * stride;
    return map;
  }

  /** The plan of the geometry's own convolution over {@code channels} input planes (the forward's and the weight gradient's). */
  static Plan plan(ConvGeometry g, int channels) {
    return Plan.of(channels, g.in()[0], g.in()[1], g.kernel()[0], g.kernel()[1], g.padding()[0], g.padding()[1], g.dilation()[0], g.dilation()[1]);
  }

  /**
   * Adds one image and group's weight gradient into {@code dw} (m rows of channels·kh·kw from {@code dwBase}):
   * dWᵀ = X·dyᵀ, where row (c, ki, kj) of X is a run of the padded input, read in place by the kernel (six runs
   * per tile, or twelve in triples), and dyᵀ, laid out on the padded width with zeros in the discarded columns, is packed once as NR-wide
   * panels. k (the padded-width columns) runs in passes of at most {@code KC_WEIGHT}, each over all of a worker's row
   * panels, so that a pass of the packed dyᵀ stays in L2 (row panels outermost read it from L3 for every panel: 77
   * against 100 GFLOP/s). Row panels are split over the workers when {@code parallel}.
   */
  static void addWeightProduct(Plan plan, float[] x, int xBase, float[] dy, int dyBase, int m, float[] dw, int dwBase, boolean parallel) {
    addWeightProduct(plan, x, xBase, dy, dyBase, m, dw, dwBase, parallel, TALL_TILES);
  }

  /** {@link #addWeightProduct} with 12-row tiles for rows in triples ({@code tall}) or 6-row tiles throughout: the same bits. */
  static void addWeightProduct(Plan plan, float[] x, int xBase, float[] dy, int dyBase, int m, float[] dw, int dwBase, boolean parallel, boolean tall) {
    float[] xp = plan.pad(x, xBase, parallel);
    int rows = plan.rowOffset.length, cols = plan.columns, width = Sgemm.roundUp(m, NR), panels = width / NR;
    boolean triples = plan.triples(), tallTiles = tall && triples;
    int unit = tallTiles ? TallTile.MR : MR; // rows per row panel
    // both from float LINE of their arrays: each row of a panel and of the product starts a cache line
    float[] packedDy = packColumns(plan, dy, dyBase, m, parallel), product = OUT.lineAligned(Sgemm.roundUp(rows, unit) * width);
    int line = ThreadScratch.LINE;
    int passes = (cols + KC_WEIGHT - 1) / KC_WEIGHT, kc = (cols + passes - 1) / passes;
    int[] off = plan.rowOffset;
    Parallel.Body body = (lo, hi) -> {
      for (int pc = 0; pc < cols; pc += kc) {
        int kcc = Math.min(kc, cols - pc);
        for (int ir = lo * unit; ir < hi * unit; ir += unit)
          for (int p = 0, bo = line + pc * NR; p < panels; p++, bo += cols * NR) {
            int at = line + ir * width + p * NR;
            if (tallTiles && ir + unit <= rows) {
              TallTile.triples(xp, off[ir] + pc, off[ir + 3] + pc, off[ir + 6] + pc, off[ir + 9] + pc, packedDy, bo, kcc, product, at, width, pc > 0);
              continue;
            }
            runs(xp, off, triples, ir, pc, packedDy, bo, kcc, product, at, width, pc > 0);
            if (unit > MR && ir + MR < rows) runs(xp, off, triples, ir + MR, pc, packedDy, bo, kcc, product, at + MR * width, width, pc > 0);
          }
      }
    };
    int rowPanels = (rows + unit - 1) / unit;
    if (parallel) Parallel.shared(rowPanels, ROW_PANELS_PER_PIECE * MR / unit, body);
    else body.run(0, rowPanels);
    // dw[o][r] += product[r][o] for L rows at a time, each over every o: a column of the block gathered as one vector
    // (its L rows of the product stay in L1) and added into a run of dw. One float at a time down whole columns of
    // the product, from L2, took 7 times as long (DPT fusion: 0.82 -> 0.12 ms).
    int[] rowStride = laneOffsets(width, L);
    Parallel.Body transposeAdd = (lo, hi) -> {
      for (int r0 = lo * L; r0 < Math.min(rows, hi * L); r0 += L) {
        if (r0 + L <= rows) {
          for (int o = 0, at = dwBase + r0; o < m; o++, at += rows)
            FloatVector.fromArray(F, product, line + r0 * width + o, rowStride, 0).add(FloatVector.fromArray(F, dw, at)).intoArray(dw, at);
          continue;
        }
        for (int o = 0; o < m; o++)
          for (int r = r0, at = dwBase + o * rows; r < rows; r++) dw[at + r] += product[line + r * width + o];
      }
    };
    int rowBlocks = (rows + L - 1) / L;
    if (parallel) Parallel.range(rowBlocks, 4, transposeAdd);
    else transposeAdd.run(0, rowBlocks);
  }

  /**
   * dy's m planes, laid out on the padded width (zero in the dropped columns), as NR-wide panels of dyᵀ: panel p,
   * row q, column t at LINE + (p·cols + q)·NR + t. One output row of one panel at a time, each row of the panel gathered
   * from its NR planes as two vectors (a panel's last channels one at a time). Before, one channel at a time was
   * scattered across the whole panel in L2: DPT fusion 0.87 -> 0.13 ms, conv3x3 0.40 -> 0.05 ms an image. Panels and
   * rows split over the workers when {@code parallel}.
   */
  private static float[] packColumns(Plan plan, float[] dy, int dyBase, int m, boolean parallel) {
    int cols = plan.columns, panels = (m + NR - 1) / NR, outH = plan.outH, outW = plan.outW, wp = plan.wp;
    float[] packed = PACKED_DY.lineAligned(panels * cols * NR);
    int[] planeStride = laneOffsets(outH * outW, L);
    Parallel.Body rows = (lo, hi) -> {
      for (int unit = lo; unit < hi; unit++) {
        int p = unit / outH, i = unit % outH, at = ThreadScratch.LINE + (p * cols + i * wp) * NR, channels = Math.min(NR, m - p * NR);
        java.util.Arrays.fill(packed, at + outW * NR, at + wp * NR, 0f); // the dropped columns
        int from = dyBase + (p * NR * outH + i) * outW;
        if (channels == NR) {
          for (int j = 0; j < outW; j++) {
            FloatVector.fromArray(F, dy, from + j, planeStride, 0).intoArray(packed, at + j * NR);
            FloatVector.fromArray(F, dy, from + j + L * outH * outW, planeStride, 0).intoArray(packed, at + j * NR + L);
          }
        } else {
          for (int t = 0; t < NR; t++) {
            if (t >= channels) {
              for (int j = 0; j < outW; j++) packed[at + j * NR + t] = 0f;
              continue;
            }
            for (int j = 0, f = dyBase + ((p * NR + t) * outH + i) * outW; j < outW; j++) packed[at + j * NR + t] = dy[f + j];
          }
        }
      }
    };
    if (parallel) Parallel.range(panels * outH, 8, rows);
    else rows.run(0, panels * outH);
    return packed;
  }

  /**
   * Writes the convolution of the plan's planes of {@code x} (from {@code xBase}) with the packed kernel rows
   * ({@code m} outputs in the panels of {@link KernelRows}), plus {@code bias[biasBase + o]} in plane o when there is a bias, into
   * {@code m} planes of y (from {@code yBase}). On Intel, the rows past the 12-row tiles go four at a time over
   * two strips ({@link ShortTile#inPlaceBWide}). Strips of NR padded-width columns go in pieces; a piece's product
   * stays in a buffer of this thread's (in L2) over every pass of k, and each tile of the last pass is placed into y
   * (its dropped columns skipped) right after it is computed, while it is in L1. Pieces are shared by the workers when
   * {@code parallel}, and run one after another otherwise: the whole image as one piece (its product megabytes wide,
   * each pass reading and writing all of it) ran 5-13 % slower on a Xeon.
   */
  private static void convolve(Plan plan, float[] x, int xBase, KernelRows packed, float[] bias, int biasBase, float[] y, int yBase, boolean parallel) {
    float[] xp = plan.pad(x, xBase, parallel);
    int k = plan.rowOffset.length, m = packed.rows(), tallRows = packed.tallRows(), strips = (plan.columns + NR - 1) / NR;
    int restHeight = packed.restHeight(), rows = packed.paddedRows();
    int passes = (k + KC_CONVOLVE - 1) / KC_CONVOLVE, kc = (k + passes - 1) / passes;
    int[] off = plan.rowOffset;
    boolean wide = restHeight == ShortTile.WIDE_MR;
    Parallel.Body body = (lo, hi) -> {
      int width = (wide ? Sgemm.roundUp(hi - lo, 2) : hi - lo) * NR; // the wide tile's pairs of strips: one past the last
      float[] product = PIECE.lineAligned(rows * width); // from float LINE: each row of a tile starts a cache line
      for (int pc = 0; pc < k; pc += kc) {
        int kcc = Math.min(kc, k - pc);
        boolean accumulate = pc > 0, last = pc + kcc == k;
        for (int s = lo; s < hi; s++) {
          int col = s * NR, at = ThreadScratch.LINE + (s - lo) * NR;
          for (int ir = 0; ir < tallRows; ir += TallTile.MR) {
            TallTile.inPlaceB(packed.panels(), packed.tallAt() + ir * k + pc * TallTile.MR, xp, off, pc, col, kcc, product, ir * width + at, width, accumulate);
            if (last) place(plan, product, ir * width + at, width, ir, TallTile.MR, col, bias, biasBase, y, yBase);
          }
          if (wide) {
            if ((s - lo) % 2 == 1) continue; // its rest went with the strip before
            for (int ir = tallRows; ir < m; ir += restHeight) { // this strip's rest and the next one's
              ShortTile.inPlaceBWide(packed.panels(), packed.restAt() + (ir - tallRows) * k + pc * restHeight, xp, off, pc, col, kcc, product, ir * width + at, width, accumulate);
              if (!last) continue;
              place(plan, product, ir * width + at, width, ir, Math.min(restHeight, m - ir), col, bias, biasBase, y, yBase);
              if (s + 1 < hi) place(plan, product, ir * width + at + NR, width, ir, Math.min(restHeight, m - ir), col + NR, bias, biasBase, y, yBase);
            }
            continue;
          }
          for (int ir = tallRows; ir < m; ir += MR) {
            ShortTile.inPlaceB(packed.panels(), packed.restAt() + (ir - tallRows) * k + pc * MR, xp, off, pc, col, kcc, product, ir * width + at, width, accumulate);
            if (last) place(plan, product, ir * width + at, width, ir, Math.min(MR, m - ir), col, bias, biasBase, y, yBase);
          }
        }
      }
    };
    if (parallel) Parallel.shared(strips, STRIPS_PER_PIECE, body);
    else for (int lo = 0; lo < strips; lo += STRIPS_PER_PIECE) body.run(lo, Math.min(strips, lo + STRIPS_PER_PIECE));
  }

  /**
   * Rows [o0, o0 + rows) of y's planes from a tile of the product ({@code product[at + r·ld + j]}, padded-width
   * columns col + j), plus the bias: each output row's part of the strip as vectors (the last one masked), the
   * dropped columns skipped.
   */
  private static void place(Plan plan, float[] product, int at, int ld, int o0, int rows, int col, float[] bias, int biasBase, float[] y, int yBase) {
    int wp = plan.wp, outW = plan.outW, positions = plan.outH * outW, end = Math.min(plan.columns, col + NR);
    for (int oh = col / wp; oh * wp < end; oh++) {
      int from = Math.max(col, oh * wp), n = Math.min(end, oh * wp + outW) - from;
      int src = at + from - col, dst = yBase + o0 * positions + oh * outW + from - oh * wp;
      for (int r = 0; r < rows; r++, src += ld, dst += positions) {
        float b = bias == null ? 0f : bias[biasBase + o0 + r];
        int i = 0;
        for (; i + L <= n; i += L) FloatVector.fromArray(F, product, src + i).add(b).intoArray(y, dst + i);
        if (i < n) {
          // masked only where needed: a masked store checks every lane's index (1.3 % of DPT fusion's forward+backward)
          VectorMask<Float> lanes = F.indexInRange(i, n);
          FloatVector.fromArray(F, product, src + i, lanes).add(b).intoArray(y, dst + i, lanes);
        }
      }
    }
  }

  /**
   * The weight gradient's register tile: {@code out[at + r·ld + j]} (plus its old value when {@code accumulate}) =
   * Σ_q xp[offset[ir + r] + q0 + q] · B panel (q, j), for 6 runs of the padded input (rows past the last repeat it;
   * their results are not read) and 2 vectors of columns.
   */
  private static void runs(float[] xp, int[] offset, boolean triples, int ir, int q0, float[] pb, int bo, int kc, float[] out, int at, int ld,
      boolean accumulate) {
    int last = offset.length - 1;
    if (triples) { // a last tile of three rows repeats its triple (rows past the last are not read)
      ShortTile.triples(xp, offset[ir] + q0, offset[ir + 3 <= last ? ir + 3 : ir] + q0, pb, bo, kc, out, at, ld, accumulate);
      return;
    }
    Sgemm.kernelRows(xp, offset[ir] + q0, offset[Math.min(ir + 1, last)] + q0, offset[Math.min(ir + 2, last)] + q0, offset[Math.min(ir + 3, last)] + q0,
        offset[Math.min(ir + 4, last)] + q0, offset[Math.min(ir + 5, last)] + q0, pb, bo, kc, out, at, ld, accumulate);
  }
}
