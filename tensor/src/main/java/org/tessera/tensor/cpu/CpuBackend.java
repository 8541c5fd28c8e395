package org.tessera.tensor.cpu;

import org.tessera.tensor.AdamStep;
import org.tessera.tensor.Backend;
import org.tessera.tensor.BackendProvider;
import org.tessera.tensor.BinaryOp;
import org.tessera.tensor.ConvGeometry;
import org.tessera.tensor.Cursor;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.HostStorage;
import org.tessera.tensor.HostStorages;
import org.tessera.tensor.ReduceOp;
import org.tessera.tensor.Reduction;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.ReferenceBackend;
import org.tessera.tensor.Storage;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.UnaryOp;

/**
 * The CPU backend: Vector-API kernels for F32, multi-threaded through {@link Parallel}. What has no fast path here
 * (integer dtypes, indexing, sorting) runs the reference loops of {@link ReferenceBackend}, which define the results.
 */
public final class CpuBackend implements Backend {
  private static final int GRAIN = 1 << 14;
  private final Device device;
  private final ReferenceBackend generic;

  public CpuBackend(Device device) {
    this.device = device;
    this.generic = new ReferenceBackend(device);
  }

  public static final class Provider implements BackendProvider {
    @Override public String type() { return Device.CPU.type(); }
    @Override public Backend create(Device device) { return new CpuBackend(device); }
  }

  @Override public Device device() { return device; }
  @Override public Storage allocate(DType dtype, int length) { return HostStorage.allocate(dtype, device, length); }
  @Override public Storage upload(HostStorage host) { return host.device().equals(device) ? host : HostStorages.copyTo(host, device); }
  @Override public HostStorage download(Storage storage) { return HostStorages.copyTo((HostStorage) storage, Device.CPU); }

  private static HostStorage host(Tensor t) { return (HostStorage) t.storage(); }

  private static boolean denseF32(Tensor t) { return t.dtype() == DType.F32 && t.isContiguous(); }

  @Override public Tensor copy(Tensor x, DType dtype) {
    int n = x.numel();
    HostStorage out = HostStorage.allocate(dtype, device, n), in = host(x);
    if (dtype == x.dtype() && x.isContiguous()) {
      System.arraycopy(in.array(), x.offset(), out.array(), 0, n);
    } else if (dtype == DType.F32 && x.dtype() == DType.F32 && x.dim() > 0) {
      copyRows(x, in.floats(), out.floats(), Shapes.contiguousStrides(x.shape()), 0);
    } else {
      Parallel.range(n, GRAIN, (lo, hi) -> {
        Cursor c = Cursor.over(x).seek(lo);
        for (int i = lo; i < hi; i++, c.next()) HostStorages.convert(in, c.offsets[0], out, i);
      });
    }
    return Tensor.contiguousView(out, x.shape());
  }

  @Override public void assign(Tensor dst, Tensor src) {
    HostStorage d = host(dst), s = host(src);
    if (dst.dtype() == DType.F32 && src.dtype() == DType.F32 && dst.dim() > 0 && dst.stride(-1) == 1) {
      copyRows(src, s.floats(), d.floats(), dst.strides(), dst.offset());
      return;
    }
    Parallel.range(dst.numel(), GRAIN, (lo, hi) -> {
      Cursor c = Cursor.over(dst, src).seek(lo);
      for (int i = lo; i < hi; i++, c.next()) HostStorages.convert(s, c.offsets[1], d, c.offsets[0]);
    });
  }

  /**
   * Copies src into dst laid out by dstStrides (unit stride in the last dim) from dstOffset, in parallel, row by
   * row after merging the dims both walk as one: an array copy per row where src rows are contiguous too, a strided
   * loop otherwise (a transpose).
   */
  private static void copyRows(Tensor src, float[] from, float[] to, int[] dstStrides, int dstOffset) {
    if (src.numel() == 0) return;
    int[][] merged = coalesce(src.shape(), src.strides(), dstStrides);
    int[] shape = merged[0];
    int rank = shape.length;
    // dropped size-1 dims can leave a last dim that is strided in dst too: then every element is a row
    boolean unitDst = merged[2][rank - 1] == 1;
    int inner = unitDst ? shape[rank - 1] : 1, step = merged[1][rank - 1], rows = unitDst ? rank - 1 : rank;
    int[] rowShape = java.util.Arrays.copyOf(shape, rows);
    int[][] rowStrides = {java.util.Arrays.copyOf(merged[1], rows), java.util.Arrays.copyOf(merged[2], rows)};
    Parallel.range(src.numel() / inner, Math.max(1, GRAIN / inner), (lo, hi) -> {
      Cursor c = new Cursor(rowShape, rowStrides, new int[] {src.offset(), dstOffset}).seek(lo);
      for (int r = lo; r < hi; r++, c.next()) {
        int at = c.offsets[0], into = c.offsets[1];
        if (step == 1) System.arraycopy(from, at, to, into, inner);
        else for (int j = 0; j < inner; j++) to[into + j] = from[at + j * step];
      }
    });
  }

  @Override public Tensor unary(UnaryOp op, Tensor x, double a, double b) {
    if (x.dtype() != DType.F32) return generic.unary(op, x, a, b);
    Tensor in = x.isContiguous() ? x : copy(x, DType.F32);
    int n = in.numel(), xo = in.offset();
    float[] src = host(in).floats(), dst = new float[n];
    Parallel.range(n, GRAIN, (lo, hi) -> VectorKernels.unary(op, (float) a, (float) b, src, xo + lo, dst, lo, hi - lo));
    return Tensor.contiguousView(new HostStorage(DType.F32, device, dst), x.shape());
  }

  @Override public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    if (a.dtype() != DType.F32 || op.producesBool()) return generic.binary(op, a, b);
    int n = a.numel();
    // dims that both operands walk as one (contiguous, or both broadcast) are merged, so that rows are long
    int[][] merged = coalesce(a.shape(), a.strides(), b.strides());
    int[] shape = merged[0];
    int rank = shape.length;
    int inner = rank == 0 ? 1 : shape[rank - 1];
    int s1 = rank == 0 ? 0 : merged[1][rank - 1], s2 = rank == 0 ? 0 : merged[2][rank - 1];
    if ((s1 != 0 && s1 != 1) || (s2 != 0 && s2 != 1) || inner == 0) return generic.binary(op, a, b);
    float[] x1 = host(a).floats(), x2 = host(b).floats(), y = new float[n];
    // one row per position of the leading dims; each row is a run with unit or zero stride in both operands
    int[] rowShape = java.util.Arrays.copyOf(shape, Math.max(rank - 1, 0));
    int[][] rowStrides = {java.util.Arrays.copyOf(merged[1], rowShape.length), java.util.Arrays.copyOf(merged[2], rowShape.length)};
    Parallel.range(n / inner, Math.max(1, GRAIN / inner), (lo, hi) -> {
      Cursor c = new Cursor(rowShape, rowStrides, new int[] {a.offset(), b.offset()}).seek(lo);
      for (int r = lo; r < hi; r++, c.next()) VectorKernels.binary(op, x1, c.offsets[0], s1, x2, c.offsets[1], s2, y, r * inner, inner);
    });
    return Tensor.contiguousView(new HostStorage(DType.F32, device, y), a.shape());
  }

  /**
   * {shape, strides of a, strides of b} with each dim folded into the next where both operands step across the
   * pair as across one dim (stride[d] = stride[d+1]·size[d+1] in both); size-1 dims are dropped.
   */
  static int[][] coalesce(int[] shape, int[] sa, int[] sb) {
    int[] outShape = new int[shape.length], outA = new int[shape.length], outB = new int[shape.length];
    int k = 0;
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] == 1 && shape.length > 1) continue;
      if (k > 0 && outA[k - 1] == sa[d] * shape[d] && outB[k - 1] == sb[d] * shape[d]) {
        outShape[k - 1] *= shape[d];
        outA[k - 1] = sa[d];
        outB[k - 1] = sb[d];
      } else {
        outShape[k] = shape[d];
        outA[k] = sa[d];
        outB[k] = sb[d];
        k++;
      }
    }
    if (k == 0 && shape.length > 0) return new int[][] {{1}, {1}, {1}};
    return new int[][] {java.util.Arrays.copyOf(outShape, k), java.util.Arrays.copyOf(outA, k), java.util.Arrays.copyOf(outB, k)};
  }

  @Override public Tensor where(Tensor cond, Tensor a, Tensor b) { return generic.where(cond, a, b); }

  @Override public Tensor reduce(ReduceOp op, Tensor x, int[] dims) {
    if (!x.dtype().floating) return generic.reduce(op, x, dims);
    Reduction r = Reduction.of(x, dims);
    int outN = Shapes.numel(r.outShape()), innerN = r.innerSize();
    HostStorage out = HostStorage.allocate(x.dtype(), device, outN), in = host(x);
    if (denseF32(x) && consecutive(dims) && !reducesTrailing(x, dims)) {
      // the reduced dims are one run of dims with more dims after them: reduce whole rows of the inner size at once
      int[] shape = x.shape();
      int inner = 1;
      for (int d = dims[dims.length - 1] + 1; d < shape.length; d++) inner *= shape[d];
      int outer = outN / inner, rows = innerN, in0 = inner;
      float[] src = in.floats(), dst = out.floats();
      int xo = x.offset();
      Parallel.range(outer, Math.max(1, GRAIN / Math.max(1, rows * inner)), (lo, hi) -> {
        for (int o = lo; o < hi; o++) VectorKernels.reduceRows(op, src, xo + o * rows * in0, rows, in0, dst, o * in0);
      });
    } else if (denseF32(x) && reducesTrailing(x, dims)) {
      float[] src = in.floats();
      int xo = x.offset();
      Parallel.range(outN, Math.max(1, GRAIN / Math.max(innerN, 1)), (lo, hi) -> {
        for (int i = lo; i < hi; i++) out.setDouble(i, VectorKernels.reduce(op, src, xo + i * innerN, innerN));
      });
    } else if (denseF32(x) && keptBetweenReduced(x, dims)) {
      // reduced dims before and after one run of kept dims (a bias gradient's (0, 2, 3) of NCHW): each output
      // reduces its contiguous runs in place, one per index of the leading dims, in order; no copy
      float[] src = in.floats();
      int xo = x.offset(), leading = 1, trailing = 1;
      for (int d = 0; contains(dims, d); d++) leading *= x.size(d);
      for (int d = x.dim() - 1; contains(dims, d); d--) trailing *= x.size(d);
      int runs = leading, runLength = trailing;
      Parallel.range(outN, Math.max(1, GRAIN / Math.max(innerN, 1)), (lo, hi) -> {
        for (int i = lo; i < hi; i++) {
          double acc = op.identity();
          for (int a = 0; a < runs; a++) acc = op.combine(acc, VectorKernels.reduce(op, src, xo + (a * outN + i) * runLength, runLength));
          out.setDouble(i, acc);
        }
      });
    } else if (x.dtype() == DType.F32 && innerN > 0) {
      // any other layout: one strided copy puts the reduced dims last, then each output reduces a contiguous run
      float[] src = host(copy(reducedLast(x, dims), DType.F32)).floats();
      Parallel.range(outN, Math.max(1, GRAIN / innerN), (lo, hi) -> {
        for (int i = lo; i < hi; i++) out.setDouble(i, VectorKernels.reduce(op, src, i * innerN, innerN));
      });
    } else {
      Parallel.range(outN, Math.max(1, GRAIN / Math.max(innerN, 1)), (lo, hi) -> {
        Cursor outer = r.outer().seek(lo);
        for (int i = lo; i < hi; i++, outer.next()) {
          Cursor inner = r.inner(outer.offsets[0]);
          double acc = op.identity();
          for (int j = 0; j < innerN; j++, inner.next()) acc = op.combine(acc, in.getDouble(inner.offsets[0]));
          out.setDouble(i, acc);
        }
      });
    }
    return Tensor.contiguousView(out, r.outShape());
  }

  /** A view of x with its dims reordered: the kept dims in order, then the reduced (sorted) dims. */
  private static Tensor reducedLast(Tensor x, int[] dims) {
    int rank = x.dim();
    int[] order = new int[rank], shape = x.shape(), strides = x.strides();
    boolean[] reduced = new boolean[rank];
    for (int d : dims) reduced[d] = true;
    int k = 0;
    for (int d = 0; d < rank; d++) if (!reduced[d]) order[k++] = d;
    for (int d : dims) order[k++] = d;
    int[] newShape = new int[rank], newStrides = new int[rank];
    for (int i = 0; i < rank; i++) {
      newShape[i] = shape[order[i]];
      newStrides[i] = strides[order[i]];
    }
    return Tensor.view(x.storage(), newShape, newStrides, x.offset());
  }

  /** Whether the (sorted) dims are one run of consecutive dims. */
  private static boolean consecutive(int[] dims) {
    if (dims.length == 0) return false;
    for (int i = 1; i < dims.length; i++) if (dims[i] != dims[i - 1] + 1) return false;
    return true;
  }

  /** Whether the dims not reduced are one run of consecutive dims with reduced dims both before and after it. */
  private static boolean keptBetweenReduced(Tensor x, int[] dims) {
    int rank = x.dim(), kept = rank - dims.length;
    if (kept == 0 || dims.length == 0 || dims[0] != 0 || dims[dims.length - 1] != rank - 1) return false;
    int firstKept = 0;
    while (contains(dims, firstKept)) firstKept++;
    for (int d = firstKept; d < firstKept + kept; d++) if (contains(dims, d)) return false;
    return true;
  }

  private static boolean contains(int[] dims, int d) {
    for (int x : dims) if (x == d) return true;
    return false;
  }

  /** Whether dims are exactly the last dims.length dims, so each output sums one contiguous block. */
  private static boolean reducesTrailing(Tensor x, int[] dims) {
    for (int i = 0; i < dims.length; i++) if (dims[i] != x.dim() - dims.length + i) return false;
    return true;
  }

  @Override public Tensor argReduce(boolean max, Tensor x, int dim) { return generic.argReduce(max, x, dim); }

  @Override public Tensor matmul(Tensor a, Tensor b) {
    return linear(a, b, null);
  }

  @Override public Tensor linear(Tensor a, Tensor b, Tensor bias) {
    if (a.dtype() != DType.F32) return generic.linear(a, b, bias);
    float[] biasValues = bias == null ? null : dense(bias);
    int batch = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
    float[] c = new float[batch * m * n];
    Sgemm.Operand[] as = operands(a), bs = operands(b);
    // many small products: one per worker; few large ones: each split over the workers
    boolean perBatch = batch >= Parallel.THREADS && (long) m * n * k < (1L << 21);
    if (perBatch) {
      Parallel.range(batch, 1, (lo, hi) -> {
        for (int p = lo; p < hi; p++) Sgemm.multiply(m, n, k, as[p], bs[p], biasValues, c, p * m * n, false);
      });
    } else {
      for (int p = 0; p < batch; p++) Sgemm.multiply(m, n, k, as[p], bs[p], biasValues, c, p * m * n, true);
    }
    return Tensor.contiguousView(new HostStorage(DType.F32, device, c), batch, m, n);
  }

  private static Sgemm.Operand[] operands(Tensor t) {
    Sgemm.Operand[] out = new Sgemm.Operand[t.size(0)];
    for (int p = 0; p < out.length; p++) out[p] = new Sgemm.Operand(host(t).floats(), t.offset() + p * t.stride(0), t.stride(1), t.stride(2));
    return out;
  }

  @Override public Tensor gather(Tensor x, int dim, Tensor index) { return generic.gather(x, dim, index); }
  @Override public void scatterAdd(Tensor dst, int dim, Tensor index, Tensor src) { generic.scatterAdd(dst, dim, index, src); }
  @Override public Tensor convForward(Tensor x, Tensor w, ConvGeometry g, int groups) {
    if (halfPrecision(x, w)) return copy(convForward(copy(x, DType.F32), copy(w, DType.F32), g, groups), x.dtype());
    if (x.dtype() != DType.F32) return generic.convForward(x, w, g, groups);
    return convForwardF32(x, w, null, g, groups);
  }

  /** F32 with an F32 bias: added by the kernels as they write y (a separate add cost 9 % of a ViT's patch embedding). */
  @Override public Tensor convForward(Tensor x, Tensor w, Tensor bias, ConvGeometry g, int groups) {
    if (bias == null || x.dtype() != DType.F32 || w.dtype() != DType.F32 || bias.dtype() != DType.F32) return Backend.super.convForward(x, w, bias, g, groups);
    return convForwardF32(x, w, dense(bias), g, groups);
  }

  private Tensor convForwardF32(Tensor x, Tensor w, float[] bias, ConvGeometry g, int groups) {
    int n = x.size(0), cout = w.size(0);
    float[] y = new float[n * cout * g.outSize()];
    ConvKernels.forward(dense(x), dense(w), bias, y, n, x.size(1), cout, groups, g);
    return Tensor.contiguousView(new HostStorage(DType.F32, device, y), Shapes.withSpatial(n, cout, g.out()));
  }

  @Override public Tensor convInputGrad(Tensor dy, Tensor w, ConvGeometry g, int groups, int inChannels) {
    if (halfPrecision(dy, w)) return copy(convInputGrad(copy(dy, DType.F32), copy(w, DType.F32), g, groups, inChannels), dy.dtype());
    if (dy.dtype() != DType.F32) return generic.convInputGrad(dy, w, g, groups, inChannels);
    int n = dy.size(0);
    float[] dx = new float[n * inChannels * g.inSize()];
    ConvKernels.inputGrad(dense(dy), dense(w), dx, n, inChannels, w.size(0), groups, g);
    return Tensor.contiguousView(new HostStorage(DType.F32, device, dx), Shapes.withSpatial(n, inChannels, g.in()));
  }

  @Override public Tensor convWeightGrad(Tensor x, Tensor dy, ConvGeometry g, int groups) {
    if (halfPrecision(x, dy)) return copy(convWeightGrad(copy(x, DType.F32), copy(dy, DType.F32), g, groups), x.dtype());
    if (x.dtype() != DType.F32) return generic.convWeightGrad(x, dy, g, groups);
    int cin = x.size(1), cout = dy.size(1);
    float[] dw = new float[cout * cin / groups * g.kernelSize()];
    ConvKernels.weightGrad(dense(x), dense(dy), dw, x.size(0), cin, cout, groups, g);
    return Tensor.contiguousView(new HostStorage(DType.F32, device, dw), Shapes.withSpatial(cout, cin / groups, g.kernel()));
  }

  /**
   * BF16/F16 operands (autocast's convolutions and attention): the F32 kernels on their widened values, the result
   * rounded once — F32 accumulation of low-precision products, as cuBLAS does on the GPU.
   */
  private static boolean halfPrecision(Tensor a, Tensor b) {
    return (a.dtype() == DType.BF16 || a.dtype() == DType.F16) && b.dtype() == a.dtype();
  }

  @Override public Tensor[] attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
    if (halfPrecision(q, k) && v.dtype() == q.dtype()) { // the F32 kernel on the widened values, out rounded once, lse kept in F32
      Tensor[] r = attention(copy(q, DType.F32), copy(k, DType.F32), copy(v, DType.F32), bias == null ? null : copy(bias, DType.F32), scale);
      return new Tensor[] {copy(r[0], q.dtype()), r[1]};
    }
    if (q.dtype() != DType.F32) return generic.attention(q, k, v, bias, scale);
    int batch = q.size(0), lq = q.size(1), lk = k.size(1), d = q.size(2), dv = v.size(2);
    float[] out = new float[batch * lq * dv], lse = new float[batch * lq];
    FlashAttention.forward(dense(q), dense(k), dense(v), bias(bias), (float) scale, batch, lq, lk, d, dv, out, lse);
    return new Tensor[] {Tensor.contiguousView(new HostStorage(DType.F32, device, out), batch, lq, dv),
        Tensor.contiguousView(new HostStorage(DType.F32, device, lse), batch, lq)};
  }

  @Override public Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor out, Tensor lse, Tensor gradOut,
      boolean scoreGrad) {
    if (halfPrecision(q, k) && v.dtype() == q.dtype() && out.dtype() == q.dtype() && gradOut.dtype() == q.dtype()) {
      Tensor[] g = attentionBackward(copy(q, DType.F32), copy(k, DType.F32), copy(v, DType.F32), bias == null ? null : copy(bias, DType.F32), scale,
          copy(out, DType.F32), copy(lse, DType.F32), copy(gradOut, DType.F32), scoreGrad);
      return new Tensor[] {copy(g[0], q.dtype()), copy(g[1], q.dtype()), copy(g[2], q.dtype()), g[3] == null ? null : copy(g[3], q.dtype())};
    }
    if (q.dtype() != DType.F32) return generic.attentionBackward(q, k, v, bias, scale, out, lse, gradOut, scoreGrad);
    int batch = q.size(0), lq = q.size(1), lk = k.size(1), d = q.size(2), dv = v.size(2);
    float[] dq = new float[batch * lq * d], dk = new float[batch * lk * d], dvs = new float[batch * lk * dv];
    float[] ds = scoreGrad ? new float[batch * lq * lk] : null;
    FlashAttention.backward(dense(q), dense(k), dense(v), bias(bias), (float) scale, batch, lq, lk, d, dv, dense(out), dense(lse), dense(gradOut), dq, dk,
        dvs, ds);
    return new Tensor[] {Tensor.contiguousView(new HostStorage(DType.F32, device, dq), batch, lq, d),
        Tensor.contiguousView(new HostStorage(DType.F32, device, dk), batch, lk, d),
        Tensor.contiguousView(new HostStorage(DType.F32, device, dvs), batch, lk, dv),
        ds == null ? null : Tensor.contiguousView(new HostStorage(DType.F32, device, ds), batch, lq, lk)};
  }

  @Override public Tensor msDeformAttn(Tensor value, int[] shapes, int[] starts, Tensor locations, Tensor weights) {
    if (value.dtype() != DType.F32) return generic.msDeformAttn(value, shapes, starts, locations, weights);
    DeformableAttention.Dims dm = dims(value, shapes, starts, weights);
    float[] out = new float[dm.n() * dm.lq() * dm.m() * dm.d()];
    DeformableAttention.forward(dm, dense(value), dense(locations), dense(weights), out);
    return Tensor.contiguousView(new HostStorage(DType.F32, device, out), dm.n(), dm.lq(), dm.m() * dm.d());
  }

  @Override public Tensor[] msDeformAttnBackward(Tensor value, int[] shapes, int[] starts, Tensor locations, Tensor weights, Tensor gradOut) {
    if (value.dtype() != DType.F32) return generic.msDeformAttnBackward(value, shapes, starts, locations, weights, gradOut);
    DeformableAttention.Dims dm = dims(value, shapes, starts, weights);
    float[] dv = new float[value.numel()], dl = new float[locations.numel()], da = new float[weights.numel()];
    DeformableAttention.backward(dm, dense(value), dense(locations), dense(weights), dense(gradOut), dv, dl, da);
    return new Tensor[] {Tensor.contiguousView(new HostStorage(DType.F32, device, dv), value.shape()),
        Tensor.contiguousView(new HostStorage(DType.F32, device, dl), locations.shape()),
        Tensor.contiguousView(new HostStorage(DType.F32, device, da), weights.shape())};
  }

  private static DeformableAttention.Dims dims(Tensor value, int[] shapes, int[] starts, Tensor weights) {
    return new DeformableAttention.Dims(value.size(0), value.size(1), value.size(2), value.size(3), weights.size(1), weights.size(3), weights.size(4),
        shapes, starts);
  }

  /** The elements of an F32 tensor as a contiguous array starting at 0 (the storage itself when it already is). */
  private float[] dense(Tensor t) {
    Tensor c = t.isContiguous() && t.offset() == 0 && t.storage().length() == t.numel() ? t : copy(t, DType.F32);
    return host(c).floats();
  }

  private FlashAttention.Bias bias(Tensor bias) {
    if (bias == null) return null;
    Tensor b = bias.dtype() == DType.F32 ? bias : copy(bias, DType.F32);
    return new FlashAttention.Bias(host(b).floats(), b.offset(), b.stride(0), b.stride(1), b.stride(2));
  }

  @Override public void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamStep step) {
    if (param.dtype() != DType.F32) {
      generic.adamStep(param, grad, expAvg, expAvgSq, step);
      return;
    }
    AdamKernel.step(host(param).floats(), param.offset(), host(grad).floats(), grad.offset(), host(expAvg).floats(), expAvg.offset(),
        host(expAvgSq).floats(), expAvgSq.offset(), param.numel(), step);
  }

  @Override public Tensor sortIndices(Tensor x, int dim, boolean descending) { return generic.sortIndices(x, dim, descending); }
}
