package org.tessera.tensor;

import java.util.Arrays;
import java.util.Comparator;

/**
 * The specification: every op as a plain single-threaded loop over strided positions, accumulating in F64 (exact
 * integer arithmetic for integer dtypes). Slow on purpose; the fast backends are tested against it.
 */
public final class ReferenceBackend implements Backend {
  private final Device device;

  public ReferenceBackend(Device device) {
    this.device = device;
  }

  public static final class Provider implements BackendProvider {
    @Override public String type() { return Device.REFERENCE.type(); }
    @Override public Backend create(Device device) { return new ReferenceBackend(device); }
  }

  @Override public Device device() { return device; }

  @Override public Storage allocate(DType dtype, int length) {
    return HostStorage.allocate(dtype, device, length);
  }

  @Override public Storage upload(HostStorage host) {
    return HostStorages.copyTo(host, device);
  }

  @Override public HostStorage download(Storage storage) {
    return HostStorages.copyTo((HostStorage) storage, Device.CPU);
  }

  private HostStorage out(DType dtype, int n) {
    return HostStorage.allocate(dtype, device, n);
  }

  private static HostStorage host(Tensor t) {
    return (HostStorage) t.storage();
  }

  @Override public Tensor copy(Tensor x, DType dtype) {
    HostStorage out = out(dtype, x.numel());
    HostStorage in = host(x);
    Cursor c = Cursor.over(x);
    for (int i = 0; i < out.length(); i++, c.next()) HostStorages.convert(in, c.offsets[0], out, i);
    return Tensor.contiguousView(out, x.shape());
  }

  @Override public void assign(Tensor dst, Tensor src) {
    HostStorage d = host(dst), s = host(src);
    Cursor c = Cursor.over(dst, src);
    for (int i = 0, n = dst.numel(); i < n; i++, c.next()) HostStorages.convert(s, c.offsets[1], d, c.offsets[0]);
  }

  @Override public Tensor unary(UnaryOp op, Tensor x, double a, double b) {
    HostStorage out = out(x.dtype(), x.numel()), in = host(x);
    Cursor c = Cursor.over(x);
    for (int i = 0; i < out.length(); i++, c.next()) out.setDouble(i, op.apply(in.getDouble(c.offsets[0]), a, b));
    return Tensor.contiguousView(out, x.shape());
  }

  @Override public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    DType dtype = a.dtype();
    HostStorage out = out(op.producesBool() ? DType.BOOL : dtype, a.numel()), x = host(a), y = host(b);
    Cursor c = Cursor.over(a, b);
    boolean exactIntegers = !dtype.floating && !op.producesBool();
    for (int i = 0; i < out.length(); i++, c.next()) {
      if (exactIntegers) out.setLong(i, op.applyLong(x.getLong(c.offsets[0]), y.getLong(c.offsets[1])));
      else out.setDouble(i, op.apply(x.getDouble(c.offsets[0]), y.getDouble(c.offsets[1])));
    }
    return Tensor.contiguousView(out, a.shape());
  }

  @Override public Tensor where(Tensor cond, Tensor a, Tensor b) {
    HostStorage out = out(a.dtype(), a.numel()), k = host(cond), x = host(a), y = host(b);
    Cursor c = Cursor.over(cond, a, b);
    for (int i = 0; i < out.length(); i++, c.next()) {
      boolean pick = k.getDouble(c.offsets[0]) != 0;
      HostStorages.convert(pick ? x : y, c.offsets[pick ? 1 : 2], out, i);
    }
    return Tensor.contiguousView(out, a.shape());
  }

  @Override public Tensor reduce(ReduceOp op, Tensor x, int[] dims) {
    Reduction r = Reduction.of(x, dims);
    HostStorage out = out(op.resultType(x.dtype()), Shapes.numel(r.outShape())), in = host(x);
    boolean exactIntegers = !x.dtype().floating;
    Cursor outer = r.outer();
    for (int i = 0; i < out.length(); i++, outer.next()) {
      Cursor inner = r.inner(outer.offsets[0]);
      if (exactIntegers) {
        long acc = op == ReduceOp.SUM ? 0 : op == ReduceOp.MAX ? Long.MIN_VALUE : Long.MAX_VALUE;
        for (int j = 0; j < r.innerSize(); j++, inner.next()) {
          long v = in.getLong(inner.offsets[0]);
          acc = switch (op) {
            case SUM -> acc + v;
            case MAX -> Math.max(acc, v);
            case MIN -> Math.min(acc, v);
          };
        }
        out.setLong(i, acc);
      } else {
        double acc = op.identity();
        for (int j = 0; j < r.innerSize(); j++, inner.next()) acc = op.combine(acc, in.getDouble(inner.offsets[0]));
        out.setDouble(i, acc);
      }
    }
    return Tensor.contiguousView(out, r.outShape());
  }

  @Override public Tensor argReduce(boolean max, Tensor x, int dim) {
    Reduction r = Reduction.of(x, new int[] {dim});
    HostStorage out = out(DType.I64, Shapes.numel(r.outShape())), in = host(x);
    int n = x.size(dim), stride = x.stride(dim);
    Cursor outer = r.outer();
    for (int i = 0; i < out.length(); i++, outer.next()) {
      int best = 0;
      double bestValue = in.getDouble(outer.offsets[0]);
      for (int j = 1; j < n && !Double.isNaN(bestValue); j++) {
        double v = in.getDouble(outer.offsets[0] + j * stride);
        if (Double.isNaN(v) || (max ? v > bestValue : v < bestValue)) {
          best = j;
          bestValue = v;
        }
      }
      out.setLong(i, best);
    }
    return Tensor.contiguousView(out, r.outShape());
  }

  @Override public Tensor linear(Tensor a, Tensor b, Tensor bias) {
    Tensor product = matmul(a, b);
    return bias == null ? product : binary(BinaryOp.ADD, product, Tensor.view(bias.storage(), product.shape(), new int[] {0, 0, bias.stride(0)}, bias.offset()));
  }

  @Override public Tensor matmul(Tensor a, Tensor b) {
    int batch = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
    HostStorage out = out(a.dtype(), batch * m * n), x = host(a), y = host(b);
    int[] sa = a.strides(), sb = b.strides();
    for (int p = 0; p < batch; p++)
      for (int i = 0; i < m; i++)
        for (int j = 0; j < n; j++) {
          double acc = 0;
          for (int q = 0; q < k; q++)
            acc += x.getDouble(a.offset() + p * sa[0] + i * sa[1] + q * sa[2]) * y.getDouble(b.offset() + p * sb[0] + q * sb[1] + j * sb[2]);
          out.setDouble((p * m + i) * n + j, acc);
        }
    return Tensor.contiguousView(out, batch, m, n);
  }

  @Override public Tensor gather(Tensor x, int dim, Tensor index) {
    HostStorage out = out(x.dtype(), index.numel()), in = host(x), idx = host(index);
    int size = x.size(dim), stride = x.stride(dim);
    // walk the index's positions; the source position is the same but for dim, which the index value replaces
    int[] sourceStrides = x.strides();
    sourceStrides[dim] = 0;
    Cursor c = new Cursor(index.shape(), new int[][] {index.strides(), sourceStrides}, new int[] {index.offset(), x.offset()});
    for (int i = 0; i < out.length(); i++, c.next()) {
      long j = IndexCheck.check("gather", idx.getLong(c.offsets[0]), size, dim);
      HostStorages.convert(in, c.offsets[1] + (int) j * stride, out, i);
    }
    return Tensor.contiguousView(out, index.shape());
  }

  @Override public void scatterAdd(Tensor dst, int dim, Tensor index, Tensor src) {
    HostStorage d = host(dst), s = host(src), idx = host(index);
    int size = dst.size(dim), stride = dst.stride(dim);
    int[] targetStrides = dst.strides();
    targetStrides[dim] = 0;
    Cursor c = new Cursor(index.shape(), new int[][] {index.strides(), src.strides(), targetStrides},
        new int[] {index.offset(), src.offset(), dst.offset()});
    for (int i = 0, n = index.numel(); i < n; i++, c.next()) {
      long j = IndexCheck.check("scatter_add", idx.getLong(c.offsets[0]), size, dim);
      int t = c.offsets[2] + (int) j * stride;
      d.setDouble(t, d.getDouble(t) + s.getDouble(c.offsets[1]));
    }
  }

  @Override public Tensor convForward(Tensor x, Tensor w, ConvGeometry g, int groups) {
    int n = x.size(0), cin = x.size(1), cout = w.size(0), k = g.kernelSize(), l = g.outSize(), in = g.inSize(), cinG = cin / groups, mg = cout / groups;
    int[] src = g.sourceIndex();
    HostStorage xs = host(copy(x, x.dtype())), ws = host(copy(w, w.dtype())), out = out(x.dtype(), n * cout * l);
    for (int b = 0; b < n; b++)
      for (int o = 0; o < cout; o++) {
        int gr = o / mg;
        for (int j = 0; j < l; j++) {
          double acc = 0;
          for (int c = 0; c < cinG; c++)
            for (int kk = 0; kk < k; kk++) {
              int p = src[kk * l + j];
              if (p >= 0) acc += ws.getDouble((o * cinG + c) * k + kk) * xs.getDouble((b * cin + gr * cinG + c) * in + p);
            }
          out.setDouble((b * cout + o) * l + j, acc);
        }
      }
    return Tensor.contiguousView(out, Shapes.withSpatial(n, cout, g.out()));
  }

  @Override public Tensor convInputGrad(Tensor dy, Tensor w, ConvGeometry g, int groups, int cin) {
    int n = dy.size(0), cout = w.size(0), k = g.kernelSize(), l = g.outSize(), in = g.inSize(), cinG = cin / groups, mg = cout / groups;
    int[] src = g.sourceIndex();
    HostStorage ds = host(copy(dy, dy.dtype())), ws = host(copy(w, w.dtype()));
    double[] acc = new double[n * cin * in];
    for (int b = 0; b < n; b++)
      for (int o = 0; o < cout; o++) {
        int gr = o / mg;
        for (int j = 0; j < l; j++) {
          double gy = ds.getDouble((b * cout + o) * l + j);
          for (int c = 0; c < cinG; c++)
            for (int kk = 0; kk < k; kk++) {
              int p = src[kk * l + j];
              if (p >= 0) acc[(b * cin + gr * cinG + c) * in + p] += ws.getDouble((o * cinG + c) * k + kk) * gy;
            }
        }
      }
    HostStorage out = out(dy.dtype(), acc.length);
    for (int i = 0; i < acc.length; i++) out.setDouble(i, acc[i]);
    return Tensor.contiguousView(out, Shapes.withSpatial(n, cin, g.in()));
  }

  @Override public Tensor convWeightGrad(Tensor x, Tensor dy, ConvGeometry g, int groups) {
    int n = x.size(0), cin = x.size(1), cout = dy.size(1), k = g.kernelSize(), l = g.outSize(), in = g.inSize(), cinG = cin / groups, mg = cout / groups;
    int[] src = g.sourceIndex();
    HostStorage xs = host(copy(x, x.dtype())), ds = host(copy(dy, dy.dtype())), out = out(x.dtype(), cout * cinG * k);
    for (int o = 0; o < cout; o++) {
      int gr = o / mg;
      for (int c = 0; c < cinG; c++)
        for (int kk = 0; kk < k; kk++) {
          double acc = 0;
          for (int b = 0; b < n; b++)
            for (int j = 0; j < l; j++) {
              int p = src[kk * l + j];
              if (p >= 0) acc += ds.getDouble((b * cout + o) * l + j) * xs.getDouble((b * cin + gr * cinG + c) * in + p);
            }
          out.setDouble((o * cinG + c) * k + kk, acc);
        }
    }
    return Tensor.contiguousView(out, Shapes.withSpatial(cout, cinG, g.kernel()));
  }

  @Override public Tensor[] attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
    int batch = q.size(0), lq = q.size(1), lk = k.size(1), dv = v.size(2);
    HostStorage out = out(q.dtype(), batch * lq * dv), lse = out(q.dtype().accumulator(), batch * lq), vs = host(v);
    for (int b = 0; b < batch; b++)
      for (int i = 0; i < lq; i++) {
        double[] p = probabilities(q, k, bias, scale, b, i);
        double l = p[lk];
        for (int e = 0; e < dv; e++) {
          double acc = 0;
          for (int j = 0; j < lk; j++) acc += p[j] * vs.getDouble(v.offset() + b * v.stride(0) + j * v.stride(1) + e * v.stride(2));
          out.setDouble((b * lq + i) * dv + e, acc);
        }
        lse.setDouble(b * lq + i, l);
      }
    return new Tensor[] {Tensor.contiguousView(out, batch, lq, dv), Tensor.contiguousView(lse, batch, lq)};
  }

  /** The softmax row of query i (lk values), followed by its log-sum-exp. */
  private static double[] probabilities(Tensor q, Tensor k, Tensor bias, double scale, int b, int i) {
    int lk = k.size(1), d = q.size(2);
    HostStorage qs = host(q), ks = host(k);
    double[] p = new double[lk + 1];
    double max = Double.NEGATIVE_INFINITY;
    for (int j = 0; j < lk; j++) {
      double s = 0;
      for (int e = 0; e < d; e++)
        s += qs.getDouble(q.offset() + b * q.stride(0) + i * q.stride(1) + e * q.stride(2)) * ks.getDouble(k.offset() + b * k.stride(0) + j * k.stride(1) + e * k.stride(2));
      s *= scale;
      if (bias != null) s += host(bias).getDouble(bias.offset() + b * bias.stride(0) + i * bias.stride(1) + j * bias.stride(2));
      p[j] = s;
      max = Math.max(max, s);
    }
    double sum = 0;
    for (int j = 0; j < lk; j++) sum += p[j] = Math.exp(p[j] - max);
    for (int j = 0; j < lk; j++) p[j] /= sum;
    p[lk] = max + Math.log(sum);
    return p;
  }

  @Override public Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor out, Tensor lse, Tensor gradOut, boolean scoreGrad) {
    int batch = q.size(0), lq = q.size(1), lk = k.size(1), d = q.size(2), dv = v.size(2);
    HostStorage dq = out(q.dtype(), batch * lq * d), dk = out(q.dtype(), batch * lk * d), dvs = out(q.dtype(), batch * lk * dv);
    HostStorage ds = scoreGrad ? out(q.dtype(), batch * lq * lk) : null;
    HostStorage qs = host(q), ks = host(k), vs = host(v), gs = host(gradOut);
    for (int b = 0; b < batch; b++)
      for (int i = 0; i < lq; i++) {
        double[] p = probabilities(q, k, bias, scale, b, i);
        double[] dp = new double[lk];
        double delta = 0;
        for (int j = 0; j < lk; j++) {
          for (int e = 0; e < dv; e++) {
            double g = gs.getDouble(gradOut.offset() + b * gradOut.stride(0) + i * gradOut.stride(1) + e * gradOut.stride(2));
            dp[j] += g * vs.getDouble(v.offset() + b * v.stride(0) + j * v.stride(1) + e * v.stride(2));
            int at = (b * lk + j) * dv + e;
            dvs.setDouble(at, dvs.getDouble(at) + p[j] * g);
          }
          delta += p[j] * dp[j];
        }
        for (int j = 0; j < lk; j++) {
          double s = p[j] * (dp[j] - delta);
          if (ds != null) ds.setDouble((b * lq + i) * lk + j, s);
          for (int e = 0; e < d; e++) {
            int qi = (b * lq + i) * d + e, kj = (b * lk + j) * d + e;
            dq.setDouble(qi, dq.getDouble(qi) + scale * s * ks.getDouble(k.offset() + b * k.stride(0) + j * k.stride(1) + e * k.stride(2)));
            dk.setDouble(kj, dk.getDouble(kj) + scale * s * qs.getDouble(q.offset() + b * q.stride(0) + i * q.stride(1) + e * q.stride(2)));
          }
        }
      }
    return new Tensor[] {Tensor.contiguousView(dq, batch, lq, d), Tensor.contiguousView(dk, batch, lk, d), Tensor.contiguousView(dvs, batch, lk, dv),
        ds == null ? null : Tensor.contiguousView(ds, batch, lq, lk)};
  }

  @Override public Tensor msDeformAttn(Tensor value, int[] shapes, int[] starts, Tensor locations, Tensor weights) {
    return deformable(value, shapes, starts, locations, weights, null)[0];
  }

  @Override public Tensor[] msDeformAttnBackward(Tensor value, int[] shapes, int[] starts, Tensor locations, Tensor weights, Tensor gradOut) {
    return deformable(value, shapes, starts, locations, weights, gradOut);
  }

  /** Forward ({out}) when gradOut is null, else the gradients {dValue, dLocations, dWeights}. */
  private Tensor[] deformable(Tensor value, int[] shapes, int[] starts, Tensor locations, Tensor weights, Tensor gradOut) {
    int n = value.size(0), s = value.size(1), m = value.size(2), d = value.size(3), lq = weights.size(1), levels = weights.size(3), points = weights.size(4);
    HostStorage v = host(copy(value, value.dtype())), loc = host(copy(locations, locations.dtype())), aw = host(copy(weights, weights.dtype()));
    HostStorage g = gradOut == null ? null : host(copy(gradOut, gradOut.dtype()));
    double[] out = new double[n * lq * m * d], dv = new double[v.length()], dl = new double[loc.length()], da = new double[aw.length()];
    for (int b = 0; b < n; b++)
      for (int q = 0; q < lq; q++)
        for (int h = 0; h < m; h++)
          for (int l = 0; l < levels; l++)
            for (int p = 0; p < points; p++) {
              int a = (((b * lq + q) * m + h) * levels + l) * points + p, height = shapes[2 * l], width = shapes[2 * l + 1];
              double x = loc.getDouble(2 * a) * width - 0.5, y = loc.getDouble(2 * a + 1) * height - 0.5, weight = aw.getDouble(a);
              int x0 = (int) Math.floor(x), y0 = (int) Math.floor(y);
              double lx = x - x0, ly = y - y0;
              int[] cx = {x0, x0 + 1, x0, x0 + 1}, cy = {y0, y0, y0 + 1, y0 + 1};
              double[] cw = {(1 - ly) * (1 - lx), (1 - ly) * lx, ly * (1 - lx), ly * lx};
              double[] gv = new double[4];
              for (int c = 0; c < 4; c++) {
                if (cx[c] < 0 || cx[c] >= width || cy[c] < 0 || cy[c] >= height) continue;
                int at = ((b * s + starts[l] + cy[c] * width + cx[c]) * m + h) * d;
                for (int e = 0; e < d; e++) {
                  int o = ((b * lq + q) * m + h) * d + e;
                  if (g == null) out[o] += weight * cw[c] * v.getDouble(at + e);
                  else {
                    gv[c] += g.getDouble(o) * v.getDouble(at + e);
                    dv[at + e] += weight * cw[c] * g.getDouble(o);
                  }
                }
              }
              if (g != null) {
                da[a] = cw[0] * gv[0] + cw[1] * gv[1] + cw[2] * gv[2] + cw[3] * gv[3];
                dl[2 * a] = weight * ((1 - ly) * (gv[1] - gv[0]) + ly * (gv[3] - gv[2])) * width;
                dl[2 * a + 1] = weight * ((1 - lx) * (gv[2] - gv[0]) + lx * (gv[3] - gv[1])) * height;
              }
            }
    if (g == null) return new Tensor[] {filled(out, value.dtype(), n, lq, m * d)};
    return new Tensor[] {filled(dv, value.dtype(), value.shape()), filled(dl, locations.dtype(), locations.shape()), filled(da, weights.dtype(), weights.shape())};
  }

  private Tensor filled(double[] values, DType dtype, int... shape) {
    HostStorage out = out(dtype, values.length);
    for (int i = 0; i < values.length; i++) out.setDouble(i, values[i]);
    return Tensor.contiguousView(out, shape);
  }

  @Override public void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamStep s) {
    HostStorage p = host(param), g = host(grad), m = host(expAvg), v = host(expAvgSq);
    double stepSize = s.lr() / s.biasCorrection1(), root2 = Math.sqrt(s.biasCorrection2());
    for (int i = 0, n = param.numel(); i < n; i++) {
      int ip = param.offset() + i, ig = grad.offset() + i, im = expAvg.offset() + i, iv = expAvgSq.offset() + i;
      double pi = p.getDouble(ip), gi = g.getDouble(ig);
      if (s.weightDecay() != 0) {
        if (s.decoupled()) pi *= 1 - s.lr() * s.weightDecay();
        else gi += s.weightDecay() * pi;
      }
      double mi = s.beta1() * m.getDouble(im) + (1 - s.beta1()) * gi, vi = s.beta2() * v.getDouble(iv) + (1 - s.beta2()) * gi * gi;
      m.setDouble(im, mi);
      v.setDouble(iv, vi);
      p.setDouble(ip, pi - stepSize * mi / (Math.sqrt(vi) / root2 + s.eps()));
    }
  }

  @Override public Tensor sortIndices(Tensor x, int dim, boolean descending) {
    Reduction r = Reduction.of(x, new int[] {dim});
    int n = x.size(dim), stride = x.stride(dim);
    HostStorage out = out(DType.I64, x.numel()), in = host(x);
    int[] outStrides = Shapes.contiguousStrides(x.shape());
    Comparator<Integer> order = descending ? SortOrder.descending(in) : SortOrder.ascending(in);
    Cursor outer = r.outer();
    Cursor outPos = new Cursor(r.outShape(), new int[][] {outStrides}, new int[] {0});
    for (int i = 0, lines = Shapes.numel(r.outShape()); i < lines; i++, outer.next(), outPos.next()) {
      Integer[] perm = new Integer[n];
      for (int j = 0; j < n; j++) perm[j] = j;
      final int base = outer.offsets[0];
      Arrays.sort(perm, (p, q) -> order.compare(base + p * stride, base + q * stride)); // a stable merge sort
      for (int j = 0; j < n; j++) out.setLong(outPos.offsets[0] + j * outStrides[dim], perm[j]);
    }
    return Tensor.contiguousView(out, x.shape());
  }
}
