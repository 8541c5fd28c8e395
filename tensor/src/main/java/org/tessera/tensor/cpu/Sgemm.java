package org.tessera.tensor.cpu;

import static org.tessera.tensor.cpu.Steps.COMPUTING;
import static org.tessera.tensor.cpu.Steps.PACKING;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * F32 matrix product C = A·B, Goto-style: B is packed in KC×NC blocks of NR-wide column panels, A in MC×KC blocks
 * of MR-high row panels (both zero-padded to whole panels), and a 6×(2 vectors) register tile accumulates with FMA.
 * A row-major A is not packed: the tile reads its six rows in place (one pass over A fewer; 2–6 % faster on ViT and
 * square shapes in interleaved timings, and the same kernel).
 * A whole tile starts from C (or zero on the first pass over k) and is stored straight back; a tile at C's edge
 * accumulates alone into a buffer that the caller adds into C. Each kernel is a branch-free loop C2 compiles well
 * (with the edge handling in the same method it deoptimised and reached a third of the speed).
 * On Intel cores the loops run the other way round, each A panel over a block of B's panels ({@link Blocking}).
 * Operands are read through their strides while packing, so a transposed view costs no copy; an operand may also be
 * any source of rows ({@link Rows}), such as a convolution's windows gathered on the fly. C is row-major, or in blocks
 * of columns ({@link Blocks}: a batch's NCHW planes), and a matrix in blocks may be an operand too.
 */
final class Sgemm {
  private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
  private static final int L = F.length();
  static final int MR = 6, NR = 2 * L;
  private static final int MC_MAX = 16 * MR;
  static final int NC = 32 * NR;

  /**
   * k runs in as few equal passes of at most {@code kcMax} as possible; A's rows are read in place or packed.
   * Each pass reads and writes all of C, and a pass of B's micro-panel is kc·NR floats (128 KB at 1024, 32 KB at
   * 256). On Zen 4 (32 KB L1, 1 MB L2, 512-bit FMA in two halves) C's traffic cost more than B's micro-panel
   * outgrowing L1 — 2 threads, n = 2048: KC 256 → 158, 512 → 180, 1024 → 190 GFLOP/s — and reading A in place was
   * 2–6 % faster than packing it. On a Xeon (48 KB L1, 2 MB L2, two full-width FMA units) a micro-panel in L1 counts
   * more, and the in-place kernel's six row bases spill: packed A with KC 256 against in-place with 1024, 2 threads,
   * medians of 7–9 interleaved runs: n = 1024 139 vs 124, n = 2048 158 vs 143, ViT-S's products (1576 rows, k = 384
   * or 1536) 144–182 vs 131–142 GFLOP/s. An A block of up to MC_MAX·kc floats stays in L2. A packed A is in panels
   * of {@code mr} rows: 6 for {@link #kernel}, or 12 for {@link TallTile}, whose 24 accumulators load each vector of B
   * once per twelve FMAs. On the Xeon (2 threads, 20 interleaved runs, medians) 12 against 6: n = 1024 +4 %, n = 2048
   * 121 -> 155 GFLOP/s, the ViT patch embedding's product (768 × 1568, k = 768) +9 %, ViT-S's 1576 × 1536 (k = 384)
   * +9 % and 1576 × 384 (k = 1536) +1 %. Since B's panel rows start on cache lines ({@link ThreadScratch#LINE}), a
   * micro-panel outgrowing L1 no longer costs on the Xeon, and fewer passes over C win: KC 768 against 256, 2 threads,
   * interleaved in one JVM, two runs: n = 1024 +2–3 %, n = 2048 +4–12 %, ViT-B's 1576 × 2304 (k = 768) +4–6 %,
   * 1576 × 3072 (k = 768) +2–4 %, 1576 × 768 (k = 3072) 0–3 %, the patch embedding's three products +1–4 %.
   * With passes that long the 12-row tile's B micro-panel (96 KB) no longer fits in L1, but its A micro-panel (36 KB)
   * does: {@code bColumns} > 0 turns the loops around ({@link #multiplyOverBBlocks}), so that each A panel stays in L1
   * over the B panels of a block of that many columns, which stays in L2. 256 columns against the Goto order, 2
   * threads, interleaved in one JVM, three runs: n = 1024 +7–8 %, n = 2048 +11–13 %, 1576 × 3072 (k = 768) +11–14 %,
   * the patch embedding's products +2–8 %.
   */
  record Blocking(int kcMax, boolean inPlaceA, int mr, int bColumns) {}

  static final Blocking ZEN = new Blocking(1024, true, MR, 0), XEON = new Blocking(768, false, TallTile.MR, 8 * NR);
  static final Blocking TUNED = CpuVendor.INTEL ? XEON : ZEN;
  // rows of A packed at a time in the order over B's blocks: 6 MB at k = 768, and B packed once for most products
  private static final int A_CHUNK_ROWS = 2048;
  private static final ThreadScratch PACKED_A = new ThreadScratch(), PACKED_B = new ThreadScratch();
  // a tile at C's edge (MR × NR), computed here and then stored with storeEdge
  private static final ThreadScratch EDGE = new ThreadScratch();
  // rows of an operand that is not a strided matrix, gathered whole before packing (one call per row, not per panel)
  private static final ThreadScratch GATHERED = new ThreadScratch();

  private Sgemm() {}

  /** Where packing reads an operand's rows: a strided matrix, or a convolution's windows gathered on the fly. */
  interface Rows {
    /** Writes X(row, j0 .. j0 + n) into {@code dst[at .. at + n)}. */
    void copy(int row, int j0, int n, float[] dst, int at);
  }

  /** A strided matrix operand: element (i, j) is at {@code data[offset + i * rowStride + j * colStride]}. */
  record Operand(float[] data, int offset, int rowStride, int colStride) implements Rows {
    @Override public void copy(int row, int j0, int n, float[] dst, int at) {
      int src = offset + row * rowStride + j0 * colStride;
      if (colStride == 1) {
        System.arraycopy(data, src, dst, at, n);
      } else {
        for (int j = 0; j < n; j++, src += colStride) dst[at + j] = data[src];
      }
    }
  }

  /** Writes A (m×k) · B (k×n) into {@code c[cOffset..]} with row stride n, using the pool when {@code parallel}. */
  static void multiply(int m, int n, int k, Rows a, Rows b, float[] c, int cOffset, boolean parallel) {
    multiply(m, n, k, a, b, null, c, cOffset, parallel);
  }

  /**
   * Writes A·B plus {@code bias} (n values, or null) in every row: each block's rows of C start as the bias, copied
   * just before its first tiles accumulate onto them, so the bias costs no pass of its own over C.
   */
  static void multiply(int m, int n, int k, Rows a, Rows b, float[] bias, float[] c, int cOffset, boolean parallel) {
    multiply(TUNED, m, n, k, a, b, bias, c, cOffset, parallel);
  }

  /** {@link #multiply(int, int, int, Rows, Rows, float[], float[], int, boolean)} with the given blocking (tests run every one). */
  static void multiply(Blocking blocking, int m, int n, int k, Rows a, Rows b, float[] bias, float[] c, int cOffset, boolean parallel) {
    multiply(blocking, m, n, k, a, b, bias, null, new Blocks(c, cOffset, Math.max(n, 1), 0), parallel);
  }

  /**
   * A matrix stored in blocks of columns: (i, j) at {@code offset + (j / blockCols)·blockStride + i·blockCols + j % blockCols}.
   * One block (blockCols = n) is a row-major matrix. Several are a convolution's NCHW planes over the batch, with the
   * channels as rows and every position of every image as columns (image b's plane i is block b's row i). The patch
   * embedding writes its output so, in place, where a copy out of a (Cout × N·L) C took 3 % of its forward; and its
   * backward reads the output gradient so, or {@link #transposed}, where it copied it channel-major first.
   */
  record Blocks(float[] data, int offset, int blockCols, int blockStride) implements Rows {
    int at(int i, int j) {
      return offset + (j / blockCols) * blockStride + i * blockCols + j % blockCols;
    }

    /** Whether columns j .. j + cols of a row lie in one block, and so in one run. */
    boolean oneRun(int j, int cols) {
      return j % blockCols + cols <= blockCols;
    }

    @Override public void copy(int row, int j0, int n, float[] dst, int at) {
      for (int j = j0, run; j < j0 + n; j += run, at += run) {
        run = Math.min(j0 + n - j, blockCols - j % blockCols);
        System.arraycopy(data, at(row, j), dst, at, run);
      }
    }

    Transposed transposed() {
      return new Transposed(this);
    }
  }

  /** The transpose of a matrix in blocks of columns: row i is its column i, whose elements lie blockCols apart. */
  record Transposed(Blocks of) implements Rows {
    @Override public void copy(int row, int j0, int n, float[] dst, int at) {
      for (int j = 0; j < n; j++) dst[at + j] = of.data[of.at(j0 + j, row)];
    }
  }

  /**
   * A·B into {@code out}, each row i starting as {@code bias} (n values) or {@code rowBias[i]} (at most one of them
   * given) or zero.
   */
  static void multiply(int m, int n, int k, Rows a, Rows b, float[] rowBias, Blocks out, boolean parallel) {
    multiply(TUNED, m, n, k, a, b, null, rowBias, out, parallel);
  }

  /** {@link #multiply(int, int, int, Rows, Rows, float[], Blocks, boolean)} with the given blocking, and a bias per column or per row. */
  static void multiply(Blocking blocking, int m, int n, int k, Rows a, Rows b, float[] bias, float[] rowBias, Blocks out, boolean parallel) {
    if (bias != null && rowBias != null) throw new IllegalArgumentException("sgemm: a bias per column or per row, not both");
    float[] c = out.data;
    if (k == 0) {
      for (int i = 0; i < m; i++) start(out, i, 0, n, bias, rowBias);
      return;
    }
    if (blocking.bColumns > 0) {
      multiplyOverBBlocks(blocking, m, n, k, a, b, bias, rowBias, out, parallel);
      return;
    }
    int passes = (k + blocking.kcMax - 1) / blocking.kcMax, kcMax = (k + passes - 1) / passes;
    float[] packedB = PACKED_B.lineAligned(kcMax * roundUp(Math.min(n, NC), NR));
    int b0 = ThreadScratch.LINE; // each panel row on one cache line
    // A blocks of equal size, a whole number of them per worker, claimed one at a time: with no disturbance every
    // worker takes the same share; a worker the VM or the JIT holds up leaves its blocks to the others
    int workers = parallel ? Parallel.THREADS : 1;
    Operand inPlaceA = blocking.inPlaceA && a instanceof Operand o && o.colStride == 1 ? o : null; // A's rows read in place: nothing to pack
    int mr = inPlaceA != null ? MR : blocking.mr;
    int rounds = (m + workers * MC_MAX - 1) / (workers * MC_MAX);
    int mcBlock = roundUp((m + workers * rounds - 1) / (workers * rounds), mr);
    int blocks = (m + mcBlock - 1) / mcBlock;
    // one range for the whole product, where each step was two (B's packing, then the A blocks): at n = 2048 the
    // packing ranges took 5.3 ms on two threads against 2.0 ms on one, and a waiting thread now packs or computes
    Steps steps = new Steps((n + NC - 1) / NC * passes);
    steps.run(parallel, (lo, hi) -> {
      float[] packedA = inPlaceA != null ? null : PACKED_A.get(mcBlock * kcMax), edge = EDGE.get(TallTile.MR * NR);
      for (int step = 0, jc = 0; jc < n; jc += NC)
        for (int pc = 0; pc < k; pc += kcMax, step++) {
          int nc = Math.min(NC, n - jc), kc = Math.min(kcMax, k - pc);
          if (!packBlockOfB(steps, step, b, pc, kc, jc, nc, packedB, b0)) return;
          boolean seeded = bias != null || rowBias != null, accumulate = pc > 0 || seeded;
          for (int blk; (blk = steps.claim(step, COMPUTING)) < blocks; steps.done(step, COMPUTING)) {
            int ic = blk * mcBlock, mc = Math.min(mcBlock, m - ic);
            if (seeded && pc == 0)
              for (int i = ic; i < ic + mc; i++) start(out, i, jc, nc, bias, rowBias);
            if (inPlaceA == null) packA(a, ic, mc, pc, kc, packedA, mr);
            for (int jr = 0; jr < nc; jr += NR)
              for (int ir = 0, h = inPlaceA != null ? MR : mr; ir < mc; ir += h) {
                // a tile whose columns cross blocks of C is computed whole into the edge buffer, then stored block by block
                int i = ic + ir, j = jc + jr, rows = Math.min(h, mc - ir), cols = Math.min(NR, nc - jr);
                boolean inPlace = out.oneRun(j, cols);
                float[] dst = inPlace ? c : edge;
                int at = inPlace ? out.at(i, j) : 0, ld = inPlace ? out.blockCols : NR;
                if (inPlaceA != null) tileRows(inPlaceA, i, rows, pc, packedB, b0 + jr * kc, kc, dst, at, ld, inPlace ? cols : NR, edge, inPlace && accumulate);
                else tile(packedA, ir * kc, packedB, b0 + jr * kc, kc, dst, at, ld, mr, inPlace ? rows : mr, inPlace ? cols : NR, inPlace && accumulate, edge);
                if (!inPlace) storeAcrossBlocks(edge, rows, cols, out, i, j, accumulate);
              }
          }
          if (!steps.await(step, COMPUTING, blocks)) return; // the next step packs over this one's B
        }
    });
  }

  private static final int PACK_GROUP = 4;

  /**
   * A step's packing of B's columns jc .. jc + nc, rows pc .. pc + kc, in groups of panels claimed by the threads;
   * then waits for the others' groups. False if a thread failed instead.
   */
  private static boolean packBlockOfB(Steps steps, int step, Rows b, int pc, int kc, int jc, int nc, float[] packedB, int b0) {
    int groups = (nc + PACK_GROUP * NR - 1) / (PACK_GROUP * NR);
    for (int g; (g = steps.claim(step, PACKING)) < groups; steps.done(step, PACKING)) {
      int j0 = g * PACK_GROUP * NR;
      packB(b, pc, kc, jc + j0, Math.min(PACK_GROUP * NR, nc - j0), packedB, b0 + j0 * kc);
    }
    return steps.await(step, PACKING, groups);
  }

  /**
   * {@link #multiply(Blocking, int, int, int, Rows, Rows, float[], float[], Blocks, boolean)} with the loops turned
   * around: A is packed in chunks of up to {@link #A_CHUNK_ROWS} rows, and each step packs a block of
   * {@code bColumns} of B (kept in L2), whose panels every A panel of the chunk then takes in turn from L1 (an item of
   * the step). The first step of a chunk and pass packs each A panel as it claims it.
   */
  private static void multiplyOverBBlocks(Blocking blocking, int m, int n, int k, Rows a, Rows b, float[] bias, float[] rowBias, Blocks out,
      boolean parallel) {
    if (m == 0 || n == 0) return;
    int passes = (k + blocking.kcMax - 1) / blocking.kcMax, kcMax = (k + passes - 1) / passes, mr = blocking.mr, ncMax = blocking.bColumns;
    int chunks = (m + A_CHUNK_ROWS - 1) / A_CHUNK_ROWS, chunkRows = roundUp((m + chunks - 1) / chunks, mr), colBlocks = (n + ncMax - 1) / ncMax;
    // shared by the threads, from the calling thread's scratch: a nested product runs on one thread, so never over these
    float[] packedA = PACKED_A.lineAligned(chunkRows * kcMax), packedB = PACKED_B.lineAligned(kcMax * roundUp(Math.min(n, ncMax), NR));
    int a0 = ThreadScratch.LINE, b0 = ThreadScratch.LINE;
    boolean seeded = bias != null || rowBias != null;
    Steps steps = new Steps(chunks * passes * colBlocks);
    steps.run(parallel, (lo, hi) -> {
      float[] edge = EDGE.get(mr * NR);
      for (int step = 0, ic = 0; ic < m; ic += chunkRows)
        for (int pc = 0; pc < k; pc += kcMax)
          for (int jc = 0; jc < n; jc += ncMax, step++) {
            int mc = Math.min(chunkRows, m - ic), nc = Math.min(ncMax, n - jc), kc = Math.min(kcMax, k - pc);
            int panels = (mc + mr - 1) / mr;
            if (!packBlockOfB(steps, step, b, pc, kc, jc, nc, packedB, b0)) return;
            boolean accumulate = pc > 0 || seeded;
            for (int p; (p = steps.claim(step, COMPUTING)) < panels; steps.done(step, COMPUTING)) {
              int i = ic + p * mr, rows = Math.min(mr, m - i), ao = a0 + p * mr * kc;
              if (jc == 0) packA(a, i, rows, pc, kc, packedA, ao, mr);
              if (seeded && pc == 0)
                for (int r = i; r < i + rows; r++) start(out, r, jc, nc, bias, rowBias);
              for (int jr = 0; jr < nc; jr += NR) {
                int j = jc + jr, cols = Math.min(NR, nc - jr);
                boolean inPlace = out.oneRun(j, cols);
                tile(packedA, ao, packedB, b0 + jr * kc, kc, inPlace ? out.data : edge, inPlace ? out.at(i, j) : 0, inPlace ? out.blockCols : NR, mr,
                    inPlace ? rows : mr, inPlace ? cols : NR, inPlace && accumulate, edge);
                if (!inPlace) storeAcrossBlocks(edge, rows, cols, out, i, j, accumulate);
              }
            }
            // the next step packs over this one's B, and after a chunk's or a pass's last block over its A
            if (!steps.await(step, COMPUTING, panels)) return;
          }
    });
  }

  /**
   * B (k×n) packed whole, for products that reuse it: NR-wide panels of all k rows, the panel of column j at
   * (j / NR)·k·NR. {@link #multiplyPacked} takes any range of its rows and any range of its panels.
   */
  static void packWhole(Rows b, int k, int n, float[] out) {
    packB(b, 0, k, 0, n, out, 0);
  }

  /**
   * C (m×n, row stride ldc) = A (m×kc, from A's column pc) · rows q0 .. q0 + kc and columns j0 .. j0 + n of a B packed
   * whole ({@link #packWhole}, k rows; j0 a multiple of NR), on the calling thread.
   */
  static void multiplyPacked(int m, int n, int kc, Rows a, int pc, float[] packedB, int k, int q0, int j0, float[] c, int cOffset, int ldc) {
    if (j0 % NR != 0) throw new IllegalArgumentException("multiplyPacked: column " + j0 + " does not start a panel of " + NR);
    float[] edge = EDGE.get(MR * NR);
    if (a instanceof Operand o && o.colStride == 1) { // A's rows read in place: nothing to pack
      for (int jr = 0; jr < n; jr += NR)
        for (int ir = 0; ir < m; ir += MR)
          tileRows(o, ir, Math.min(MR, m - ir), pc, packedB, ((j0 + jr) / NR * k + q0) * NR, kc, c, cOffset + ir * ldc + jr, ldc, Math.min(NR, n - jr), edge, false);
      return;
    }
    float[] packedA = PACKED_A.get(roundUp(m, MR) * kc);
    packA(a, 0, m, pc, kc, packedA, MR);
    for (int jr = 0; jr < n; jr += NR)
      for (int ir = 0; ir < m; ir += MR)
        tile(packedA, ir * kc, packedB, ((j0 + jr) / NR * k + q0) * NR, kc, c, cOffset + ir * ldc + jr, ldc, MR, Math.min(MR, m - ir),
            Math.min(NR, n - jr), false, edge);
  }

  static int roundUp(int x, int multiple) {
    return (x + multiple - 1) / multiple * multiple;
  }

  /** Rows ic.. of A, columns pc.. as mr-high panels: panel p holds, for each k, its mr row values side by side. */
  private static void packA(Rows a, int ic, int mc, int pc, int kc, float[] out, int mr) {
    packA(a, ic, mc, pc, kc, out, 0, mr);
  }

  /** {@link #packA(Rows, int, int, int, int, float[], int)} into {@code out} from {@code at}. */
  private static void packA(Rows a, int ic, int mc, int pc, int kc, float[] out, int at, int mr) {
    for (int ir = 0; ir < mc; ir += mr) {
      int base = at + ir * kc, rows = Math.min(mr, mc - ir);
      if (a instanceof Operand o && o.colStride == 1 && rows == mr) {
        for (int h = 0; h < mr; h += MR) interleave(o.data, o.offset + (ic + ir + h) * o.rowStride + pc, o.rowStride, kc, out, base + h, mr);
      } else if (a instanceof Operand o && o.rowStride == 1 && o.colStride != 1 && rows == mr) { // a transposed A: mr in a row
        packRuns(o.data, o.offset + (ic + ir) + pc * o.colStride, o.colStride, kc, out, base, mr);
      } else if (a instanceof Transposed t && rows == mr && t.of.oneRun(ic + ir, mr)) {
        packRuns(t.of.data, t.of.at(pc, ic + ir), t.of.blockCols, kc, out, base, mr);
      } else {
        float[] gathered = GATHERED.get(mr * kc);
        for (int r = 0; r < mr; r++) {
          if (r < rows) a.copy(ic + ir + r, pc, kc, gathered, r * kc);
          else java.util.Arrays.fill(gathered, r * kc, (r + 1) * kc, 0f);
        }
        for (int h = 0; h < mr; h += MR) interleave(gathered, h * kc, kc, kc, out, base + h, mr);
      }
    }
  }

  /**
   * A panel of mr rows whose kc columns are runs {@code d[src + q·step ..]} of mr values each, a vector a column when
   * mr fits in one: its lanes past mr land where the next columns go and are overwritten by them. The last columns go
   * a float at a time, so nothing lands past the panel, where another thread may have packed the next one.
   */
  private static void packRuns(float[] d, int src, int step, int kc, float[] out, int at, int mr) {
    int q = 0, end = at + kc * mr;
    if (mr <= L)
      for (; at + L <= end && src + L <= d.length; q++, src += step, at += mr) FloatVector.fromArray(F, d, src).intoArray(out, at);
    for (; q < kc; q++, src += step, at += mr)
      for (int r = 0; r < mr; r++) out[at + r] = d[src + r];
  }

  /**
   * Six rows {@code d[r0 + r·rs ..]} of length kc, interleaved into a panel of {@code height} rows (6 or 12) from
   * {@code base}: six streams in, one strided stream out.
   */
  private static void interleave(float[] d, int r0, int rs, int kc, float[] out, int base, int height) {
    for (int q = 0, o = base; q < kc; q++, o += height) {
      out[o] = d[r0 + q];
      out[o + 1] = d[r0 + rs + q];
      out[o + 2] = d[r0 + 2 * rs + q];
      out[o + 3] = d[r0 + 3 * rs + q];
      out[o + 4] = d[r0 + 4 * rs + q];
      out[o + 5] = d[r0 + 5 * rs + q];
    }
  }

  /** Eight rows {@code d[s + t·rs ..]} of length kc as eight adjacent columns of a B panel: eight streams in, eight adjacent stores out. */
  private static void transposeEight(float[] d, int s, int rs, int kc, float[] out, int at) {
    for (int q = 0; q < kc; q++, at += NR) {
      out[at] = d[s + q];
      out[at + 1] = d[s + rs + q];
      out[at + 2] = d[s + 2 * rs + q];
      out[at + 3] = d[s + 3 * rs + q];
      out[at + 4] = d[s + 4 * rs + q];
      out[at + 5] = d[s + 5 * rs + q];
      out[at + 6] = d[s + 6 * rs + q];
      out[at + 7] = d[s + 7 * rs + q];
    }
  }

  /** Rows pc.. of B, columns jc.. as NR-wide panels: panel p holds, for each k, its NR column values side by side. */
  private static void packB(Rows b, int pc, int kc, int jc, int nc, float[] out, int outOffset) {
    if (b instanceof Operand o && o.colStride != 1 && o.rowStride == 1) { // Bᵀ of a linear layer: read its rows whole
      for (int jr = 0; jr < nc; jr += NR) {
        int base = outOffset + jr * kc, cols = Math.min(NR, nc - jr);
        for (int j = 0; j < NR; j += 8) {
          int src = o.offset + pc + (jc + jr + j) * o.colStride;
          if (j + 8 <= cols) {
            transposeEight(o.data, src, o.colStride, kc, out, base + j);
            continue;
          }
          for (int t = j; t < j + 8; t++, src += o.colStride)
            for (int q = 0; q < kc; q++) out[base + q * NR + t] = t < cols ? o.data[src + q] : 0f;
        }
      }
      return;
    }
    if (b instanceof Operand o && o.colStride == 1) { // a row-major B: panel by panel, each written contiguously
      for (int jr = 0; jr < nc; jr += NR)
        for (int q = 0, src = o.offset + (pc + q) * o.rowStride + jc + jr; q < kc; q++, src += o.rowStride)
          copyPanelRow(o.data, src, Math.min(NR, nc - jr), out, outOffset + jr * kc + q * NR);
      return;
    }
    // any other source is gathered a whole row at a time (one call per row, not per panel), then split into panels
    float[] row = GATHERED.get(nc);
    for (int q = 0; q < kc; q++) {
      b.copy(pc + q, jc, nc, row, 0);
      for (int jr = 0; jr < nc; jr += NR) copyPanelRow(row, jr, Math.min(NR, nc - jr), out, outOffset + jr * kc + q * NR);
    }
  }

  /** One k-row of a B panel: {@code cols} values from {@code src[at..]}, zero up to NR. */
  private static void copyPanelRow(float[] src, int at, int cols, float[] out, int dst) {
    if (cols == NR) {
      FloatVector.fromArray(F, src, at).intoArray(out, dst);
      FloatVector.fromArray(F, src, at + L).intoArray(out, dst + L);
    } else {
      System.arraycopy(src, at, out, dst, cols);
      java.util.Arrays.fill(out, dst + cols, dst + NR, 0f);
    }
  }

  /**
   * Adds (or writes) one mr×NR tile of C (mr 6 or 12, A packed in panels of that height), of which the top-left
   * rows×cols lie inside C; a tile at C's edge is computed into {@code edge} (at least mr·NR floats) and copied out.
   */
  private static void tile(float[] pa, int ao, float[] pb, int bo, int kc, float[] c, int co, int ldc, int mr, int rows, int cols,
      boolean accumulate, float[] edge) {
    boolean whole = rows == mr && cols == NR;
    if (mr == TallTile.MR) TallTile.kernel(pa, ao, pb, bo, kc, whole ? c : edge, whole ? co : 0, whole ? ldc : NR, whole && accumulate);
    else kernel(pa, ao, pb, bo, kc, whole ? c : edge, whole ? co : 0, whole ? ldc : NR, whole && accumulate);
    if (!whole) storeEdge(edge, rows, cols, c, co, ldc, accumulate);
  }

  /**
   * Writes (or adds into, when {@code accumulate}) one tile of C from rows row0 .. row0 + rows of a row-major A read
   * in place (rows past A's last repeat it; their results are not stored).
   */
  private static void tileRows(Operand a, int row0, int rows, int pc, float[] pb, int bo, int kc, float[] c, int co, int ldc, int cols, float[] edge,
      boolean accumulate) {
    int s = a.rowStride, a0 = a.offset + row0 * s + pc, last = rows - 1;
    boolean whole = rows == MR && cols == NR;
    kernelRows(a.data, a0, a0 + Math.min(1, last) * s, a0 + Math.min(2, last) * s, a0 + Math.min(3, last) * s, a0 + Math.min(4, last) * s,
        a0 + Math.min(5, last) * s, pb, bo, kc, whole ? c : edge, whole ? co : 0, whole ? ldc : NR, whole && accumulate);
    if (!whole) storeEdge(edge, rows, cols, c, co, ldc, accumulate);
  }

  /** The top-left rows×cols of a tile computed into {@code edge} (row stride NR), written or added into C. */
  private static void storeEdge(float[] edge, int rows, int cols, float[] c, int co, int ldc, boolean accumulate) {
    storeEdge(edge, 0, rows, cols, c, co, ldc, accumulate);
  }

  /** {@link #storeEdge} of the tile's columns from {@code e0} on. */
  private static void storeEdge(float[] edge, int e0, int rows, int cols, float[] c, int co, int ldc, boolean accumulate) {
    for (int r = 0; r < rows; r++)
      for (int j = 0; j < cols; j++) {
        float v = edge[r * NR + e0 + j];
        c[co + r * ldc + j] = accumulate ? c[co + r * ldc + j] + v : v;
      }
  }

  /** The top-left rows×cols of a tile in {@code edge} stored at C's (i, j) of {@code out}, one run of columns per block. */
  private static void storeAcrossBlocks(float[] edge, int rows, int cols, Blocks out, int i, int j, boolean accumulate) {
    for (int e = 0, run; e < cols; e += run) {
      run = Math.min(cols - e, out.blockCols - (j + e) % out.blockCols);
      storeEdge(edge, e, rows, run, out.data, out.at(i, j + e), out.blockCols, accumulate);
    }
  }

  /** Row i of C over columns j0 .. j0 + n as its start: the column bias, the row's bias or zero. */
  private static void start(Blocks out, int i, int j0, int n, float[] bias, float[] rowBias) {
    for (int j = j0, run; j < j0 + n; j += run) {
      run = Math.min(j0 + n - j, out.blockCols - j % out.blockCols);
      int at = out.at(i, j);
      if (bias != null) System.arraycopy(bias, j, out.data, at, run);
      else java.util.Arrays.fill(out.data, at, at + run, rowBias == null ? 0f : rowBias[i]);
    }
  }

  /**
   * The register tile: out[at + r·ld + j] (plus its old value when {@code accumulate}) = sum over k of
   * A panel (k, r) · B panel (k, j).
   * This loop, {@link #kernelRows}'s and ShortTile's triples, inPlaceB and inPlaceBWide are written out separately on purpose: C2 removes the loop's bounds checks
   * only when every index is the loop counter times a constant plus an invariant. One loop with A's step as a
   * parameter kept six checks and spilled bases to the stack in every iteration: on a core with two full-width FMA
   * units (Xeon, AVX-512) that ran at about half the speed of this one.
   */
  private static void kernel(float[] pa, int ao, float[] pb, int bo, int kc, float[] out, int at, int ld, boolean accumulate) {
    int r1 = at + ld, r2 = r1 + ld, r3 = r2 + ld, r4 = r3 + ld, r5 = r4 + ld;
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (accumulate) {
      c00 = FloatVector.fromArray(F, out, at);
      c01 = FloatVector.fromArray(F, out, at + L);
      c10 = FloatVector.fromArray(F, out, r1);
      c11 = FloatVector.fromArray(F, out, r1 + L);
      c20 = FloatVector.fromArray(F, out, r2);
      c21 = FloatVector.fromArray(F, out, r2 + L);
      c30 = FloatVector.fromArray(F, out, r3);
      c31 = FloatVector.fromArray(F, out, r3 + L);
      c40 = FloatVector.fromArray(F, out, r4);
      c41 = FloatVector.fromArray(F, out, r4 + L);
      c50 = FloatVector.fromArray(F, out, r5);
      c51 = FloatVector.fromArray(F, out, r5 + L);
    } else {
      c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(F);
    }
    for (int q = 0; q < kc; q++) {
      int a = ao + q * MR, b = bo + q * NR;
      FloatVector b0 = FloatVector.fromArray(F, pb, b), b1 = FloatVector.fromArray(F, pb, b + L);
      FloatVector x = FloatVector.broadcast(F, pa[a]);
      c00 = b0.fma(x, c00);
      c01 = b1.fma(x, c01);
      x = FloatVector.broadcast(F, pa[a + 1]);
      c10 = b0.fma(x, c10);
      c11 = b1.fma(x, c11);
      x = FloatVector.broadcast(F, pa[a + 2]);
      c20 = b0.fma(x, c20);
      c21 = b1.fma(x, c21);
      x = FloatVector.broadcast(F, pa[a + 3]);
      c30 = b0.fma(x, c30);
      c31 = b1.fma(x, c31);
      x = FloatVector.broadcast(F, pa[a + 4]);
      c40 = b0.fma(x, c40);
      c41 = b1.fma(x, c41);
      x = FloatVector.broadcast(F, pa[a + 5]);
      c50 = b0.fma(x, c50);
      c51 = b1.fma(x, c51);
    }
    c00.intoArray(out, at);
    c01.intoArray(out, at + L);
    c10.intoArray(out, r1);
    c11.intoArray(out, r1 + L);
    c20.intoArray(out, r2);
    c21.intoArray(out, r2 + L);
    c30.intoArray(out, r3);
    c31.intoArray(out, r3 + L);
    c40.intoArray(out, r4);
    c41.intoArray(out, r4 + L);
    c50.intoArray(out, r5);
    c51.intoArray(out, r5 + L);
  }

  /**
   * The register tile with A's six rows read in place from anywhere in {@code xp}: row r's k-th value is
   * {@code xp[a_r + k]} (rows of a row-major matrix, or runs of a padded image), no packing.
   */
  static void kernelRows(float[] xp, int a0, int a1, int a2, int a3, int a4, int a5, float[] pb, int bo, int kc, float[] out, int at, int ld,
      boolean accumulate) {
    int r1 = at + ld, r2 = r1 + ld, r3 = r2 + ld, r4 = r3 + ld, r5 = r4 + ld;
    FloatVector c00, c01, c10, c11, c20, c21, c30, c31, c40, c41, c50, c51;
    if (accumulate) {
      c00 = FloatVector.fromArray(F, out, at);
      c01 = FloatVector.fromArray(F, out, at + L);
      c10 = FloatVector.fromArray(F, out, r1);
      c11 = FloatVector.fromArray(F, out, r1 + L);
      c20 = FloatVector.fromArray(F, out, r2);
      c21 = FloatVector.fromArray(F, out, r2 + L);
      c30 = FloatVector.fromArray(F, out, r3);
      c31 = FloatVector.fromArray(F, out, r3 + L);
      c40 = FloatVector.fromArray(F, out, r4);
      c41 = FloatVector.fromArray(F, out, r4 + L);
      c50 = FloatVector.fromArray(F, out, r5);
      c51 = FloatVector.fromArray(F, out, r5 + L);
    } else {
      c00 = c01 = c10 = c11 = c20 = c21 = c30 = c31 = c40 = c41 = c50 = c51 = FloatVector.zero(F);
    }
    for (int q = 0; q < kc; q++) {
      int b = bo + q * NR;
      FloatVector b0 = FloatVector.fromArray(F, pb, b), b1 = FloatVector.fromArray(F, pb, b + L);
      FloatVector a = FloatVector.broadcast(F, xp[a0 + q]);
      c00 = b0.fma(a, c00);
      c01 = b1.fma(a, c01);
      a = FloatVector.broadcast(F, xp[a1 + q]);
      c10 = b0.fma(a, c10);
      c11 = b1.fma(a, c11);
      a = FloatVector.broadcast(F, xp[a2 + q]);
      c20 = b0.fma(a, c20);
      c21 = b1.fma(a, c21);
      a = FloatVector.broadcast(F, xp[a3 + q]);
      c30 = b0.fma(a, c30);
      c31 = b1.fma(a, c31);
      a = FloatVector.broadcast(F, xp[a4 + q]);
      c40 = b0.fma(a, c40);
      c41 = b1.fma(a, c41);
      a = FloatVector.broadcast(F, xp[a5 + q]);
      c50 = b0.fma(a, c50);
      c51 = b1.fma(a, c51);
    }
    c00.intoArray(out, at);
    c01.intoArray(out, at + L);
    c10.intoArray(out, r1);
    c11.intoArray(out, r1 + L);
    c20.intoArray(out, r2);
    c21.intoArray(out, r2 + L);
    c30.intoArray(out, r3);
    c31.intoArray(out, r3 + L);
    c40.intoArray(out, r4);
    c41.intoArray(out, r4 + L);
    c50.intoArray(out, r5);
    c51.intoArray(out, r5 + L);
  }
}
