package org.tessera.tensor.cuda;

import static jcuda.driver.JCudaDriver.cuMemcpyDtoHAsync;
import static jcuda.driver.JCudaDriver.cuMemcpyHtoDAsync;
import static jcuda.driver.JCudaDriver.cuMemsetD8Async;

import java.lang.ref.Reference;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.function.Function;
import jcuda.Pointer;
import jcuda.driver.CUdeviceptr;
import org.tessera.tensor.AdamStep;
import org.tessera.tensor.Backend;
import org.tessera.tensor.Backends;
import org.tessera.tensor.BinaryOp;
import org.tessera.tensor.ConvGeometry;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.HostStorage;
import org.tessera.tensor.ReduceOp;
import org.tessera.tensor.Reduction;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Storage;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.UnaryOp;

/**
 * The CUDA backend: device memory through the caching allocator, transfers and kernels queued on one stream per
 * device, our NVRTC-compiled kernels for elementwise ops and copies, cuBLAS for matrix products. Ops without a device
 * kernel yet run on the CPU backend through the host (download, compute, upload): slow but exactly the CPU result,
 * so a model runs end to end while kernels are added one by one.
 */
public final class CudaBackend implements Backend {
  private final Device device;
  private final CudaContext context;
  private final CachingAllocator<CUdeviceptr> allocator;
  private final CudaKernels kernels;
  private final CudaBlas blas;
  private final Backend cpu = Backends.of(Device.CPU);
  private final ComposedAttention composedAttention = new ComposedAttention(this, (a, b) -> product(a, b, a.dtype().accumulator()), ComposedAttention.BUDGET);

  private CudaBackend(Device device) {
    this.device = device;
    this.context = CudaContext.open(device.index());
    this.allocator = new CachingAllocator<>(new DriverMemory(context), device + " (" + context.name + ")");
    this.kernels = new CudaKernels(context);
    this.blas = new CudaBlas(context);
  }

  static CudaBackend open(Device device) {
    return new CudaBackend(device);
  }

  /** The allocator's counters (bytes in use, cached, peak; requests and cache hits). */
  public CachingAllocator.Stats memoryStats() {
    return allocator.stats();
  }

  /** Gives cached device memory back to the driver (torch.cuda.empty_cache). */
  public void releaseCachedMemory() {
    allocator.releaseCache();
  }

  @Override public Device device() { return device; }

  @Override public Storage allocate(DType dtype, int length) {
    CudaStorage s = new CudaStorage(dtype, device, length, allocator);
    context.makeCurrent();
    if (length > 0) cuMemsetD8Async(s.at(0), (byte) 0, s.bytes(), context.stream);
    return s;
  }

  @Override public Storage upload(HostStorage host) {
    CudaStorage s = new CudaStorage(host.dtype(), device, host.length(), allocator);
    write(host, s);
    return s;
  }

  @Override public HostStorage download(Storage storage) {
    CudaStorage s = (CudaStorage) storage;
    HostStorage host = HostStorage.allocate(s.dtype(), Device.CPU, s.length());
    context.makeCurrent();
    if (s.length() > 0) cuMemcpyDtoHAsync(hostPointer(host), s.at(0), s.bytes(), context.stream);
    context.synchronize();
    return host;
  }

  /** Copies a host array into device storage of the same length (pageable memory: the call returns once it is staged). */
  private void write(HostStorage host, CudaStorage s) {
    context.makeCurrent();
    if (s.length() > 0) cuMemcpyHtoDAsync(s.at(0), hostPointer(host), s.bytes(), context.stream);
  }

  private static Pointer hostPointer(HostStorage host) {
    return switch (host.array()) {
      case float[] a -> Pointer.to(a);
      case double[] a -> Pointer.to(a);
      case short[] a -> Pointer.to(a);
      case long[] a -> Pointer.to(a);
      case int[] a -> Pointer.to(a);
      case byte[] a -> Pointer.to(a);
      default -> throw new IllegalStateException("no host array type " + host.array().getClass());
    };
  }

  private static CudaStorage storage(Tensor t) {
    return (CudaStorage) t.storage();
  }

  // ---- device kernels ----

  @Override public Tensor copy(Tensor x, DType dtype) {
    if (dtype != x.dtype()) {
      if (!KernelNames.converts(x.dtype(), dtype)) return viaHost(cpu.copy(onHost(x), dtype));
      return elementwise(KernelNames.convert(x.dtype(), dtype), dtype, x.shape(), out -> new Pointer[] {Pointer.to(storage(x).at(0)),
          Pointer.to(LayoutArgument.of(x)), Pointer.to(out.at(0)), Pointer.to(new long[] {out.length()})});
    }
    return elementwise("copy_" + dtype.byteSize, dtype, x.shape(), out -> new Pointer[] {Pointer.to(storage(x).at(0)), Pointer.to(LayoutArgument.of(x)),
        Pointer.to(out.at(0)), Pointer.to(new long[] {out.length()})});
  }

  @Override public Tensor unary(UnaryOp op, Tensor x, double a, double b) {
    if (!x.dtype().floating) return viaHost(cpu.unary(op, onHost(x), a, b));
    return elementwise(KernelNames.unary(op, x.dtype()), x.dtype(), x.shape(), out -> new Pointer[] {Pointer.to(storage(x).at(0)),
        Pointer.to(LayoutArgument.of(x)), Pointer.to(out.at(0)), Pointer.to(new long[] {out.length()}), scalar(x.dtype(), a), scalar(x.dtype(), b)});
  }

  @Override public Tensor binary(BinaryOp op, Tensor a, Tensor b) {
    // comparisons of every dtype, arithmetic of the floats and of the integers
    String division = op == BinaryOp.DIV ? KernelNames.integerDivision(a.dtype()) : null;
    if (division != null) return integerDivision(division, a, b);
    boolean onDevice = op.producesBool() || a.dtype().floating || KernelNames.integerArithmetic(op, a.dtype());
    if (!onDevice) return viaHost(cpu.binary(op, onHost(a), onHost(b)));
    Tensor values = elementwise(KernelNames.binary(op, a.dtype()), a.dtype(), a.shape(), out -> new Pointer[] {Pointer.to(storage(a).at(0)),
        Pointer.to(LayoutArgument.of(a)), Pointer.to(storage(b).at(0)), Pointer.to(LayoutArgument.of(b)), Pointer.to(out.at(0)),
        Pointer.to(new long[] {out.length()})});
    // comparisons and logical ops: the template writes 1 or 0 in the operands' dtype, converted to BOOL on the device
    return op.producesBool() ? copy(values, DType.BOOL) : values;
  }

  /** A new contiguous tensor of {@code shape} written by one grid-stride launch of an elementwise.cu kernel (none when empty). */
  private Tensor elementwise(String kernel, DType dtype, int[] shape, Function<CudaStorage, Pointer[]> arguments) {
    CudaStorage out = new CudaStorage(dtype, device, Shapes.numel(shape), allocator);
    if (out.length() > 0) kernels.launch("elementwise.cu", kernel, Launch.elementwise(out.length(), context.multiprocessors), arguments.apply(out));
    return Tensor.contiguousView(out, shape);
  }

  @Override public void adamStep(Tensor param, Tensor grad, Tensor expAvg, Tensor expAvgSq, AdamStep s) {
    if (param.numel() == 0) return;
    DType t = param.dtype();
    if (!KernelNames.elementwise(t)) { // half-precision parameters: on the host, written back
      Tensor p = onHost(param), m = onHost(expAvg), v = onHost(expAvgSq);
      cpu.adamStep(p, onHost(grad), m, v, s);
      writeBack(p, param);
      writeBack(m, expAvg);
      writeBack(v, expAvgSq);
      return;
    }
    boolean decayParam = s.weightDecay() != 0 && s.decoupled(), decayGrad = s.weightDecay() != 0 && !s.decoupled();
    kernels.launch("optimizer.cu", KernelNames.adamStep(t), Launch.elementwise(param.numel(), context.multiprocessors),
        Pointer.to(storage(param).at(param.offset())), Pointer.to(storage(grad).at(grad.offset())), Pointer.to(storage(expAvg).at(expAvg.offset())),
        Pointer.to(storage(expAvgSq).at(expAvgSq.offset())), Pointer.to(new long[] {param.numel()}),
        Pointer.to(new int[] {decayParam ? 1 : 0}), scalar(t, 1 - s.lr() * s.weightDecay()), Pointer.to(new int[] {decayGrad ? 1 : 0}),
        scalar(t, s.weightDecay()), scalar(t, s.beta1()), scalar(t, 1 - s.beta1()), scalar(t, s.beta2()), scalar(t, 1 - s.beta2()),
        scalar(t, Math.sqrt(s.biasCorrection2())), scalar(t, s.eps()), scalar(t, s.lr() / s.biasCorrection1()));
  }

  private static Pointer scalar(DType dtype, double v) {
    return dtype == DType.F32 ? Pointer.to(new float[] {(float) v}) : Pointer.to(new double[] {v});
  }

  /** The output starts as the bias in every row and cuBLAS adds the product onto it (beta = 1). */
  @Override public Tensor linear(Tensor a, Tensor b, Tensor bias) {
    if (!a.dtype().floating) return viaHost(cpu.linear(onHost(a), onHost(b), onHost(bias)));
    if (bias == null) return matmul(a, b);
    int batch = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
    Tensor out = copy(Tensor.view(bias.storage(), new int[] {batch, m, n}, new int[] {0, 0, bias.stride(0)}, bias.offset()), a.dtype());
    if (out.numel() > 0 && k > 0) blas.multiply(gemmReady(a), gemmReady(b), storage(out), out.offset(), (long) m * n, true);
    return out;
  }

  @Override public Tensor matmul(Tensor a, Tensor b) {
    if (!a.dtype().floating) return viaHost(cpu.matmul(onHost(a), onHost(b)));  // F32, F64, BF16 and F16 in cuBLAS
    return product(a, b, a.dtype());
  }

  /** a·b written in {@code dtype}: the operands' own, or F32 for BF16/F16 operands (cuBLAS's accumulator, unrounded). */
  private Tensor product(Tensor a, Tensor b, DType dtype) {
    int batch = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
    if (k == 0) return Tensor.contiguousView(allocate(dtype, batch * m * n), batch, m, n); // an empty sum: zeros
    CudaStorage out = new CudaStorage(dtype, device, batch * m * n, allocator);
    if (out.length() > 0) blas.multiply(gemmReady(a), gemmReady(b), out);
    return Tensor.contiguousView(out, batch, m, n);
  }

  // ---- convolutions: im2col (conv.cu) and cuBLAS, the products laid out by Im2col ----
  // BF16/F16 (autocast's convolutions): unfolded as they are, multiplied on tensor cores with F32 accumulation; the
  // forward's result is rounded once by cuBLAS, the gradients are summed (over images) or folded in F32 and rounded once

  @Override public Tensor convForward(Tensor x, Tensor w, ConvGeometry g, int groups) {
    if (!x.dtype().floating || w.dtype() != x.dtype()) return viaHost(cpu.convForward(onHost(x), onHost(w), g, groups));
    int n = x.size(0), cin = x.size(1), cout = w.size(0);
    CudaStorage y = (CudaStorage) allocate(x.dtype(), n * cout * g.outSize()); // zeros where no product writes (no input channels)
    if (y.length() > 0 && cin > 0) run(Im2col.forward(n, cin, cout, groups, g), null, contiguous(w), unfold(contiguous(x), g), y);
    return Tensor.contiguousView(y, Shapes.withSpatial(n, cout, g.out()));
  }

  @Override public Tensor convInputGrad(Tensor dy, Tensor w, ConvGeometry g, int groups, int inChannels) {
    if (!dy.dtype().floating || w.dtype() != dy.dtype()) return viaHost(cpu.convInputGrad(onHost(dy), onHost(w), g, groups, inChannels));
    int n = dy.size(0), cout = w.size(0);
    DType sum = dy.dtype().accumulator();
    CudaStorage dx = (CudaStorage) allocate(sum, n * inChannels * g.inSize());
    long planes = (long) n * inChannels;
    if (dx.length() > 0 && dy.numel() > 0) {
      CudaStorage cols = new CudaStorage(sum, device, Math.toIntExact(planes * g.kernelSize() * g.outSize()), allocator);
      run(Im2col.inputGrad(n, inChannels, cout, groups, g), contiguous(dy), contiguous(w), cols, null);
      launchUnfold(true, cols, g, dx.at(0), planes);
    }
    return rounded(Tensor.contiguousView(dx, Shapes.withSpatial(n, inChannels, g.in())), dy.dtype());
  }

  @Override public Tensor convWeightGrad(Tensor x, Tensor dy, ConvGeometry g, int groups) {
    if (!x.dtype().floating || dy.dtype() != x.dtype()) return viaHost(cpu.convWeightGrad(onHost(x), onHost(dy), g, groups));
    int n = x.size(0), cin = x.size(1), cout = dy.size(1);
    CudaStorage dw = (CudaStorage) allocate(x.dtype().accumulator(), cout * (cin / groups) * g.kernelSize());
    if (dw.length() > 0 && n * g.outSize() > 0) run(Im2col.weightGrad(n, cin, cout, groups, g), contiguous(dy), null, unfold(contiguous(x), g), dw);
    return rounded(Tensor.contiguousView(dw, Shapes.withSpatial(cout, cin / groups, g.kernel())), x.dtype());
  }

  /** The dtype a convolution's gradient is summed in: F32 for BF16/F16, else the dtype itself. */
  /** t rounded to {@code dtype} once (a no-op when it already has it). */
  private Tensor rounded(Tensor t, DType dtype) {
    return t.dtype() == dtype ? t : copy(t, dtype);
  }

  private Tensor contiguous(Tensor t) {
    return t.isContiguous() ? t : copy(t, t.dtype());
  }

  /** The unfolded input (N, C·K, L) of a contiguous x. */
  private CudaStorage unfold(Tensor x, ConvGeometry g) {
    long planes = (long) x.size(0) * x.size(1);
    CudaStorage cols = new CudaStorage(x.dtype(), device, Math.toIntExact(planes * g.kernelSize() * g.outSize()), allocator);
    launchUnfold(false, cols, g, storage(x).at(x.offset()), planes);
    return cols;
  }

  /** unfold (x → cols) or fold (cols added into x) over {@code planes} = N·C input planes. */
  private void launchUnfold(boolean fold, CudaStorage cols, ConvGeometry g, Pointer input, long planes) {
    if (cols.length() == 0) return;
    CudaStorage src = (CudaStorage) upload(new HostStorage(DType.I32, Device.CPU, g.sourceIndex()));
    Pointer table = Pointer.to(src.at(0)), from = Pointer.to(fold ? cols.at(0) : input), to = Pointer.to(fold ? input : cols.at(0));
    kernels.launch("conv.cu", KernelNames.unfold(fold, cols.dtype()), Launch.elementwise(cols.length(), context.multiprocessors), from, table, to,
        Pointer.to(new long[] {planes}), Pointer.to(new int[] {g.kernelSize()}), Pointer.to(new int[] {g.outSize()}), Pointer.to(new int[] {g.inSize()}));
  }

  /** Runs Im2col's products with its buffers bound to these storages (a tensor's storage at its offset). */
  private void run(java.util.List<Im2col.Product> products, Tensor input, Tensor weight, CudaStorage columns, CudaStorage output) {
    for (Im2col.Product p : products) {
      Tensor out = bound(p.out(), input, weight, columns, output);
      blas.multiply(bind(p.a(), input, weight, columns, output), bind(p.b(), input, weight, columns, output), (CudaStorage) out.storage(),
          out.offset() + p.outOffset(), p.outBatchStride(), p.accumulate());
    }
  }

  private static Tensor bind(Im2col.View v, Tensor input, Tensor weight, CudaStorage columns, CudaStorage output) {
    Tensor base = bound(v.buffer(), input, weight, columns, output);
    return Tensor.view(base.storage(), v.shape(), v.strides(), base.offset() + v.offset());
  }

  private static Tensor bound(Im2col.Buffer b, Tensor input, Tensor weight, CudaStorage columns, CudaStorage output) {
    return switch (b) {
      case INPUT -> input;
      case WEIGHT -> weight;
      case COLUMNS -> Tensor.contiguousView(columns, columns.length());
      case OUTPUT -> Tensor.contiguousView(output, output.length());
    };
  }

  /** The operand itself when cuBLAS can read its matrices in place, else a contiguous copy. */
  private Tensor gemmReady(Tensor t) {
    return BlasOperand.of(t.size(1), t.size(2), t.stride(1), t.stride(2)) != null ? t : copy(t, t.dtype());
  }

  /**
   * src broadcast and converted into a contiguous buffer (copy_ or convert_), then written into dst's elements
   * (scatter_): an assignment between overlapping views reads all of src first. A dst whose elements share locations
   * (an expanded view) goes through the host, where the last write wins as on the CPU.
   */
  @Override public void assign(Tensor dst, Tensor src) {
    if (dst.numel() == 0) return;
    if (!ViewWrites.distinct(dst.shape(), dst.strides())) {
      HostStorage host = download(dst.storage());
      cpu.assign(Tensor.view(host, dst.shape(), dst.strides(), dst.offset()), onHost(src));
      write(host, storage(dst));
      return;
    }
    Tensor values = copy(src, dst.dtype());
    kernels.launch("elementwise.cu", "scatter_" + dst.dtype().byteSize, Launch.elementwise(dst.numel(), context.multiprocessors),
        new Pointer[] {Pointer.to(storage(values).at(0)), Pointer.to(storage(dst).at(0)), Pointer.to(LayoutArgument.of(dst)),
            Pointer.to(new long[] {dst.numel()})});
    Reference.reachabilityFence(values);
  }

  // ---- where, reductions and arg-reductions ----

  /** Floor division of integers; a zero divisor, flagged by the kernel, raises Java's error as on the CPU. */
  private Tensor integerDivision(String kernel, Tensor a, Tensor b) {
    CudaStorage zero = (CudaStorage) allocate(DType.I32, 1);
    Tensor quotient = elementwise(kernel, a.dtype(), a.shape(), out -> new Pointer[] {Pointer.to(storage(a).at(0)), Pointer.to(LayoutArgument.of(a)),
        Pointer.to(storage(b).at(0)), Pointer.to(LayoutArgument.of(b)), Pointer.to(out.at(0)), Pointer.to(new long[] {out.length()}), Pointer.to(zero.at(0))});
    if (((int[]) download(zero).array())[0] != 0) throw new ArithmeticException("/ by zero");
    return quotient;
  }

  @Override public Tensor where(Tensor cond, Tensor a, Tensor b) {
    if (cond.dtype() != DType.BOOL || !a.dtype().floating) return viaHost(cpu.where(onHost(cond), onHost(a), onHost(b)));
    return elementwise(KernelNames.where(a.dtype()), a.dtype(), a.shape(), out -> new Pointer[] {Pointer.to(storage(cond).at(0)),
        Pointer.to(LayoutArgument.of(cond)), Pointer.to(storage(a).at(0)), Pointer.to(LayoutArgument.of(a)), Pointer.to(storage(b).at(0)),
        Pointer.to(LayoutArgument.of(b)), Pointer.to(out.at(0)), Pointer.to(new long[] {out.length()})});
  }

  @Override public Tensor reduce(ReduceOp op, Tensor x, int[] dims) {
    // an empty reduction is the identity, which the host writes (an integer extreme of nothing has no value in the dtype)
    if (x.numel() == 0) return viaHost(cpu.reduce(op, onHost(x), dims));
    Reduction r = Reduction.of(x, dims);
    CudaStorage out = new CudaStorage(op.resultType(x.dtype()), device, Shapes.numel(r.outShape()), allocator);
    kernels.launch("reduce.cu", KernelNames.reduce(op, x.dtype()), Launch.reduction(out.length(), r.innerSize(), context.multiprocessors),
        Pointer.to(storage(x).at(0)), Pointer.to(LayoutArgument.of(r.outShape(), x.strides(), x.offset())),
        Pointer.to(LayoutArgument.of(r.innerShape(), r.innerStrides(), 0)), Pointer.to(new long[] {r.innerSize()}), Pointer.to(out.at(0)),
        Pointer.to(new long[] {out.length()}));
    return Tensor.contiguousView(out, r.outShape());
  }

  @Override public Tensor argReduce(boolean max, Tensor x, int dim) {
    if (!x.dtype().floating || x.size(dim) == 0) return viaHost(cpu.argReduce(max, onHost(x), dim));
    Reduction r = Reduction.of(x, new int[] {dim});
    CudaStorage out = new CudaStorage(DType.I64, device, Shapes.numel(r.outShape()), allocator);
    if (out.length() > 0)
      kernels.launch("reduce.cu", KernelNames.argReduce(max, x.dtype()), Launch.reduction(out.length(), x.size(dim), context.multiprocessors),
          Pointer.to(storage(x).at(0)), Pointer.to(LayoutArgument.of(r.outShape(), x.strides(), x.offset())), Pointer.to(new long[] {x.size(dim)}),
          Pointer.to(new long[] {x.stride(dim)}), Pointer.to(out.at(0)), Pointer.to(new long[] {out.length()}));
    return Tensor.contiguousView(out, r.outShape());
  }

  // ---- gather and scatter_add (index.cu): a bad index is recorded by the kernel and raised here ----

  @Override public Tensor gather(Tensor x, int dim, Tensor index) {
    if (!IndexLaunch.indexDtype(index.dtype())) return viaHost(cpu.gather(onHost(x), dim, onHost(index)));
    CudaStorage out = new CudaStorage(x.dtype(), device, index.numel(), allocator);
    if (out.length() > 0) {
      CudaStorage bad = (CudaStorage) allocate(DType.I64, 2);
      kernels.launch("index.cu", KernelNames.gather(x.dtype(), index.dtype()), Launch.elementwise(out.length(), context.multiprocessors),
          Pointer.to(storage(x).at(0)), Pointer.to(IndexLaunch.dataLayout(x, index, dim)), Pointer.to(new long[] {x.stride(dim)}),
          Pointer.to(new long[] {x.size(dim)}), Pointer.to(storage(index).at(0)), Pointer.to(LayoutArgument.of(index)), Pointer.to(out.at(0)),
          Pointer.to(new long[] {out.length()}), Pointer.to(bad.at(0)));
      IndexLaunch.check("gather", (long[]) download(bad).array(), x.size(dim), dim);
    }
    return Tensor.contiguousView(out, index.shape());
  }

  @Override public void scatterAdd(Tensor dst, int dim, Tensor index, Tensor src) {
    if (!IndexLaunch.indexDtype(index.dtype()) || !KernelNames.elementwise(dst.dtype())) {
      Tensor d = onHost(dst);
      cpu.scatterAdd(d, dim, onHost(index), onHost(src));
      writeBack(d, dst);
      return;
    }
    if (index.numel() == 0) return;
    CudaStorage bad = (CudaStorage) allocate(DType.I64, 2);
    kernels.launch("index.cu", KernelNames.scatterAdd(dst.dtype(), index.dtype()), Launch.elementwise(index.numel(), context.multiprocessors),
        Pointer.to(storage(dst).at(0)), Pointer.to(IndexLaunch.dataLayout(dst, index, dim)), Pointer.to(new long[] {dst.stride(dim)}),
        Pointer.to(new long[] {dst.size(dim)}), Pointer.to(storage(index).at(0)), Pointer.to(LayoutArgument.of(index)), Pointer.to(storage(src).at(0)),
        Pointer.to(LayoutArgument.of(src)), Pointer.to(new long[] {index.numel()}), Pointer.to(bad.at(0)));
    IndexLaunch.check("scatter_add", (long[]) download(bad).array(), dst.size(dim), dim);
  }


  // ---- attention: from cuBLAS products while a batch entry's scores fit ComposedAttention's budget (on tensor cores in
  // BF16/F16), else fused (attention.cu): the forward; the backward's dq (with Δ and the score gradient), then dk and dv ----

  @Override public Tensor[] attention(Tensor q, Tensor k, Tensor v, Tensor bias, double scale) {
    if (ComposedAttention.fits(q.size(1), k.size(1), ComposedAttention.BUDGET)) return composedAttention.forward(q, k, v, bias, scale);
    if (!AttentionLaunch.supports(q, k, v)) return viaHost(cpu.attention(onHost(q), onHost(k), onHost(v), onHost(bias), scale));
    bias = sameDtype(bias, q.dtype());
    int batch = q.size(0), lq = q.size(1), dv = v.size(2);
    CudaStorage out = result(q.dtype(), batch, lq, dv), lse = result(q.dtype(), batch, lq);
    Launch launch = AttentionLaunch.rows(batch, lq);
    if (launch != null)
      kernels.launch("attention.cu", KernelNames.attention("forward", q.dtype()), launch,
          attentionArguments(q, k, v, bias, scale, Pointer.to(out.at(0)), Pointer.to(lse.at(0))));
    Reference.reachabilityFence(bias);
    return new Tensor[] {Tensor.contiguousView(out, batch, lq, dv), Tensor.contiguousView(lse, batch, lq)};
  }

  @Override public Tensor[] attentionBackward(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Tensor out, Tensor lse, Tensor gradOut, boolean scoreGrad) {
    boolean oneDtype = out.dtype() == q.dtype() && gradOut.dtype() == q.dtype();
    if (oneDtype && ComposedAttention.fits(q.size(1), k.size(1), ComposedAttention.BUDGET))
      return composedAttention.backward(q, k, v, bias, scale, out, lse, gradOut, scoreGrad);
    if (!AttentionLaunch.supports(q, k, v) || !oneDtype)
      return viaHost(cpu.attentionBackward(onHost(q), onHost(k), onHost(v), onHost(bias), scale, onHost(out), onHost(lse), onHost(gradOut), scoreGrad));
    int batch = q.size(0), lq = q.size(1), lk = k.size(1), d = q.size(2), dv = v.size(2);
    DType dtype = q.dtype();
    bias = sameDtype(bias, dtype);
    Tensor lseRows = contiguous(sameDtype(lse, dtype));  // the kernels read lse[b·Lq + i]
    CudaStorage dq = result(dtype, batch, lq, d), delta = result(dtype, batch, lq), dk = result(dtype, batch, lk, d), dvalue = result(dtype, batch, lk, dv);
    CudaStorage dScores = scoreGrad ? result(dtype, batch, lq, lk) : null;
    Pointer lsePointer = Pointer.to(storage(lseRows).at(lseRows.offset())), gradPointer = Pointer.to(storage(gradOut).at(0));
    Launch queries = AttentionLaunch.rows(batch, lq), keys = AttentionLaunch.rows(batch, lk);
    if (queries != null)
      kernels.launch("attention.cu", KernelNames.attention("backward_dq", dtype), queries,
          attentionArguments(q, k, v, bias, scale, Pointer.to(storage(out).at(0)), Pointer.to(AttentionLaunch.view(out)), lsePointer, gradPointer,
              Pointer.to(AttentionLaunch.view(gradOut)), Pointer.to(dq.at(0)), Pointer.to(delta.at(0)),
              Pointer.to(dScores == null ? new CUdeviceptr() : dScores.at(0))));
    if (keys != null)  // after the dq kernel on the same stream: it reads the Δ that one writes
      kernels.launch("attention.cu", KernelNames.attention("backward_dkdv", dtype), keys,
          attentionArguments(q, k, v, bias, scale, lsePointer, gradPointer, Pointer.to(AttentionLaunch.view(gradOut)), Pointer.to(delta.at(0)),
              Pointer.to(dk.at(0)), Pointer.to(dvalue.at(0))));
    Reference.reachabilityFence(lseRows);
    Reference.reachabilityFence(bias);
    return new Tensor[] {Tensor.contiguousView(dq, batch, lq, d), Tensor.contiguousView(dk, batch, lk, d), Tensor.contiguousView(dvalue, batch, lk, dv),
        dScores == null ? null : Tensor.contiguousView(dScores, batch, lq, lk)};
  }

  /** The arguments every attention kernel starts with (operands, bias, scale, sizes), then {@code rest}. */
  private Pointer[] attentionArguments(Tensor q, Tensor k, Tensor v, Tensor bias, double scale, Pointer... rest) {
    Pointer[] head = {Pointer.to(storage(q).at(0)), Pointer.to(AttentionLaunch.view(q)), Pointer.to(storage(k).at(0)), Pointer.to(AttentionLaunch.view(k)),
        Pointer.to(storage(v).at(0)), Pointer.to(AttentionLaunch.view(v)), Pointer.to(bias == null ? new CUdeviceptr() : storage(bias).at(0)),
        Pointer.to(AttentionLaunch.view(bias)), Pointer.to(new int[] {bias == null ? 0 : 1}), Pointer.to(new double[] {scale}),
        Pointer.to(new long[] {q.size(1)}), Pointer.to(new long[] {k.size(1)}), Pointer.to(new int[] {q.size(2)}), Pointer.to(new int[] {v.size(2)})};
    Pointer[] all = Arrays.copyOf(head, head.length + rest.length);
    System.arraycopy(rest, 0, all, head.length, rest.length);
    return all;
  }

  /** t in {@code dtype} (itself when it already is, null for null): the kernels read every operand as one type. */
  private Tensor sameDtype(Tensor t, DType dtype) {
    return t == null || t.dtype() == dtype ? t : copy(t, dtype);
  }

  /** Device memory for a contiguous result of this shape (every element is written by the kernel that fills it). */
  private CudaStorage result(DType dtype, int... shape) {
    return new CudaStorage(dtype, device, Shapes.numel(shape), allocator);
  }

  // ---- multi-scale deformable attention (deformable.cu) on contiguous copies of its operands ----

  @Override public Tensor msDeformAttn(Tensor value, int[] shapes, int[] starts, Tensor locations, Tensor weights) {
    if (!KernelNames.elementwise(value.dtype()) || !DeformableLaunch.supports(starts.length))
      return viaHost(cpu.msDeformAttn(onHost(value), shapes, starts, onHost(locations), onHost(weights)));
    int n = value.size(0), m = value.size(2), d = value.size(3), lq = weights.size(1);
    CudaStorage out = result(value.dtype(), n, lq, m * d);
    if (out.length() > 0) {
      Tensor[] dense = {contiguous(value), contiguous(sameDtype(locations, value.dtype())), contiguous(sameDtype(weights, value.dtype()))};
      kernels.launch("deformable.cu", KernelNames.deformable(false, value.dtype()), Launch.elementwise(out.length(), context.multiprocessors),
          deformableArguments(dense, shapes, starts, Pointer.to(out.at(0)), Pointer.to(new long[] {out.length()})));
      Reference.reachabilityFence(dense);  // the copies' memory must not be reused before the launch is queued
    }
    return Tensor.contiguousView(out, n, lq, m * d);
  }

  @Override public Tensor[] msDeformAttnBackward(Tensor value, int[] shapes, int[] starts, Tensor locations, Tensor weights, Tensor gradOut) {
    if (!KernelNames.elementwise(value.dtype()) || !DeformableLaunch.supports(starts.length))
      return viaHost(cpu.msDeformAttnBackward(onHost(value), shapes, starts, onHost(locations), onHost(weights), onHost(gradOut)));
    CudaStorage dValue = (CudaStorage) allocate(value.dtype(), value.numel());  // zeroed: the kernel adds into it
    CudaStorage dLocations = result(value.dtype(), locations.shape()), dWeights = result(value.dtype(), weights.shape());
    if (dWeights.length() > 0) {
      Tensor[] dense = {contiguous(value), contiguous(sameDtype(locations, value.dtype())), contiguous(sameDtype(weights, value.dtype())), contiguous(sameDtype(gradOut, value.dtype()))};
      kernels.launch("deformable.cu", KernelNames.deformable(true, value.dtype()), Launch.elementwise(dWeights.length(), context.multiprocessors),
          deformableArguments(dense, shapes, starts, Pointer.to(dValue.at(0)), Pointer.to(dLocations.at(0)), Pointer.to(dWeights.at(0)),
              Pointer.to(new long[] {dWeights.length()})));
      Reference.reachabilityFence(dense);
    }
    return new Tensor[] {Tensor.contiguousView(dValue, value.shape()), Tensor.contiguousView(dLocations, locations.shape()),
        Tensor.contiguousView(dWeights, weights.shape())};
  }

  /** The contiguous operands (value, locations, weights[, output gradient]), the levels and sizes, then {@code rest}. */
  private Pointer[] deformableArguments(Tensor[] dense, int[] shapes, int[] starts, Pointer... rest) {
    Tensor value = dense[0], weights = dense[2];
    List<Pointer> all = new ArrayList<>();
    for (Tensor t : dense) all.add(Pointer.to(storage(t).at(t.offset())));
    all.addAll(List.of(Pointer.to(DeformableLaunch.levels(shapes, starts)), Pointer.to(new long[] {value.size(1)}), Pointer.to(new int[] {value.size(2)}),
        Pointer.to(new int[] {value.size(3)}), Pointer.to(new long[] {weights.size(1)}), Pointer.to(new int[] {weights.size(4)})));
    all.addAll(List.of(rest));
    return all.toArray(Pointer[]::new);
  }

  // ---- sort along a dim (sort.cu): a bitonic network per line; other dtypes through the host ----

  @Override public Tensor sortIndices(Tensor x, int dim, boolean descending) {
    if (!SortLaunch.supports(x, dim)) return viaHost(cpu.sortIndices(onHost(x), dim, descending));
    CudaStorage out = result(DType.I64, x.shape());
    long lines = SortLaunch.lines(x, dim);
    int n = x.size(dim), padded = SortLaunch.padded(n);
    Pointer input = Pointer.to(storage(x).at(0)), inLines = Pointer.to(SortLaunch.inputLines(x, dim)), inStride = Pointer.to(new long[] {x.stride(dim)});
    Pointer outLines = Pointer.to(SortLaunch.outputLines(x, dim)), outStride = Pointer.to(new long[] {SortLaunch.outputStride(x, dim)});
    Pointer length = Pointer.to(new int[] {n}), power = Pointer.to(new int[] {padded}), order = Pointer.to(new int[] {descending ? 1 : 0});
    Pointer lineCount = Pointer.to(new long[] {lines});
    if (SortLaunch.inShared(n)) {
      kernels.launch("sort.cu", KernelNames.sort(x.dtype()), SortLaunch.launch(lines, n, context.multiprocessors), input, inLines, inStride, outLines,
          outStride, length, power, order, Pointer.to(out.at(0)), lineCount);
      return Tensor.contiguousView(out, x.shape());
    }
    // every line padded at line·P in global memory, one launch per stage of the network
    int total = Math.toIntExact(lines * padded);
    CudaStorage values = new CudaStorage(x.dtype(), device, total, allocator), indices = new CudaStorage(DType.I32, device, total, allocator);
    Launch grid = Launch.elementwise(total, context.multiprocessors);
    Pointer v = Pointer.to(values.at(0)), i = Pointer.to(indices.at(0));
    kernels.launch("sort.cu", KernelNames.longSort(false, x.dtype()), grid, input, inLines, inStride, length, power, v, i, lineCount);
    for (int[] stage : SortLaunch.stages(padded))
      kernels.launch("sort.cu", KernelNames.longSort(true, x.dtype()), grid, v, i, length, power, Pointer.to(new int[] {stage[0]}),
          Pointer.to(new int[] {stage[1]}), order, lineCount);
    kernels.launch("sort.cu", "sort_store", Launch.elementwise(lines * n, context.multiprocessors), i, outLines, outStride, length, power,
        Pointer.to(out.at(0)), lineCount);
    Reference.reachabilityFence(values);
    Reference.reachabilityFence(indices);
    return Tensor.contiguousView(out, x.shape());
  }

  /** The same view of a downloaded copy of the tensor's storage, on the CPU (null for an absent optional input). */
  private Tensor onHost(Tensor t) {
    return t == null ? null : Tensor.view(download(t.storage()), t.shape(), t.strides(), t.offset());
  }

  /** Copies the whole host storage behind {@code hostView} (from {@link #onHost}, then changed in place) back into t's. */
  private void writeBack(Tensor hostView, Tensor t) {
    write((HostStorage) hostView.storage(), storage(t));
  }

  /** A CPU result as the same view of an uploaded copy. */
  private Tensor viaHost(Tensor hostResult) {
    return Tensor.view(upload((HostStorage) hostResult.storage()), hostResult.shape(), hostResult.strides(), hostResult.offset());
  }

  private Tensor[] viaHost(Tensor[] hostResults) {
    Tensor[] out = new Tensor[hostResults.length];
    for (int i = 0; i < out.length; i++) out[i] = hostResults[i] == null ? null : viaHost(hostResults[i]);
    return out;
  }
}
