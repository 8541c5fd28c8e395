package org.tessera.tensor;

/**
 * An n-dimensional view (shape, strides, offset) into a {@link Storage}, with the slots reverse-mode autograd needs.
 * The ops a user calls come from the mixins ({@link ElementwiseOps}, {@link MovementOps}, {@link ReduceOps},
 * {@link NnOps}); the differentiable ones are recorded by the op table that {@link TensorOps#get()} finds
 * (the {@code autograd} module).
 */
public final class Tensor implements ElementwiseOps, MovementOps, ReduceOps, NnOps, VisionOps {
  private static volatile Device defaultDevice = Device.CPU;

  private final Storage storage;
  private final int[] shape;
  private final int[] strides;
  private final int offset;

  private boolean requiresGrad;
  private Tensor grad;
  private GradFn gradFn;

  private Tensor(Storage storage, int[] shape, int[] strides, int offset) {
    this.storage = storage;
    this.shape = shape;
    this.strides = strides;
    this.offset = offset;
  }

  /** A view into {@code storage}; checks that every element it can address lies inside the storage. */
  public static Tensor view(Storage storage, int[] shape, int[] strides, int offset) {
    if (shape.length != strides.length)
      throw new IllegalArgumentException("shape " + Shapes.str(shape) + " and strides " + Shapes.str(strides) + " differ in rank");
    long lo = offset, hi = offset;
    boolean empty = false;
    for (int d = 0; d < shape.length; d++) {
      if (shape[d] < 0) throw new IllegalArgumentException("negative size in shape " + Shapes.str(shape));
      if (shape[d] == 0) empty = true;
      long reach = (long) (shape[d] - 1) * strides[d];
      if (reach < 0) lo += reach; else hi += reach;
    }
    if (!empty && (lo < 0 || hi >= storage.length()))
      throw new IndexOutOfBoundsException("view " + Shapes.str(shape) + " strides " + Shapes.str(strides) + " offset " + offset
          + " reaches outside a storage of " + storage.length() + " elements");
    return new Tensor(storage, shape.clone(), strides.clone(), offset);
  }

  public static Tensor contiguousView(Storage storage, int... shape) {
    return view(storage, shape, Shapes.contiguousStrides(shape), 0);
  }

  // ---- metadata ----

  @Override public Tensor self() { return this; }
  public Storage storage() { return storage; }
  public int[] shape() { return shape.clone(); }
  public int[] strides() { return strides.clone(); }
  public int offset() { return offset; }
  public int dim() { return shape.length; }
  public DType dtype() { return storage.dtype(); }
  public Device device() { return storage.device(); }
  public Backend backend() { return Backends.of(storage.device()); }
  public int numel() { return Shapes.numel(shape); }

  /** Size of one dim; negative dims count from the end. */
  public int size(int dim) {
    return shape[Shapes.dim("size", dim, shape.length)];
  }

  public int stride(int dim) {
    return strides[Shapes.dim("stride", dim, shape.length)];
  }

  public boolean isContiguous() {
    int expected = 1;
    for (int d = shape.length - 1; d >= 0; d--) {
      if (shape[d] != 1 && strides[d] != expected) return false;
      expected *= shape[d];
    }
    return true;
  }

  // ---- creation ----

  public static Device defaultDevice() { return defaultDevice; }

  public static void setDefaultDevice(Device device) {
    Backends.of(device); // fail now, not at the first op, when the device is unavailable
    defaultDevice = device;
  }

  public static Tensor zeros(int... shape) { return full(0, DType.F32, defaultDevice, shape); }
  public static Tensor ones(int... shape) { return full(1, DType.F32, defaultDevice, shape); }
  public static Tensor zeros(DType dtype, Device device, int... shape) { return full(0, dtype, device, shape); }
  public static Tensor ones(DType dtype, Device device, int... shape) { return full(1, dtype, device, shape); }
  public static Tensor full(double value, int... shape) { return full(value, DType.F32, defaultDevice, shape); }

  public static Tensor full(double value, DType dtype, Device device, int... shape) {
    Backend backend = Backends.of(device);
    Tensor out = contiguousView(backend.allocate(dtype, Shapes.numel(shape)), shape);
    if (value != 0) backend.assign(out, scalar(value, dtype, device).expandRaw(shape));
    return out;
  }

  /** A 0-d tensor. */
  public static Tensor scalar(double value) { return scalar(value, DType.F32, defaultDevice); }

  public static Tensor scalar(double value, DType dtype, Device device) {
    HostStorage host = HostStorage.allocate(dtype, Device.CPU, 1);
    host.setDouble(0, value);
    return contiguousView(Backends.of(device).upload(host));
  }

  /** Values start, start+step, … below end; I64 when all three are whole numbers, as torch.arange. */
  public static Tensor arange(double start, double end, double step) {
    if (step == 0 || Double.isNaN(start + end + step)) throw new IllegalArgumentException("arange: step must be non-zero and bounds finite");
    int n = (int) Math.max(0, Math.ceil((end - start) / step));
    boolean integral = start == Math.rint(start) && end == Math.rint(end) && step == Math.rint(step);
    HostStorage host = HostStorage.allocate(integral ? DType.I64 : DType.F32, Device.CPU, n);
    for (int i = 0; i < n; i++) host.setDouble(i, start + i * step);
    return fromHost(host, defaultDevice, n);
  }

  public static Tensor arange(int end) { return arange(0, end, 1); }

  /** {@code steps} values evenly spaced from start to end inclusive (F32). */
  public static Tensor linspace(double start, double end, int steps) {
    if (steps < 0) throw new IllegalArgumentException("linspace: steps must be >= 0, got " + steps);
    double[] v = new double[steps];
    double step = steps > 1 ? (end - start) / (steps - 1) : 0;
    // torch fills the second half from the end so that the last value is exactly `end`
    for (int i = 0; i < steps; i++) v[i] = i < steps / 2 ? start + step * i : end - step * (steps - 1 - i);
    return of(v, steps).to(DType.F32);
  }

  public static Tensor eye(int n) {
    HostStorage host = HostStorage.allocate(DType.F32, Device.CPU, n * n);
    for (int i = 0; i < n; i++) host.setDouble(i * n + i, 1);
    return fromHost(host, defaultDevice, n, n);
  }

  /** Uniform in [0, 1). */
  public static Tensor rand(Generator gen, int... shape) {
    HostStorage host = HostStorage.allocate(DType.F32, Device.CPU, Shapes.numel(shape));
    for (int i = 0; i < host.length(); i++) host.setDouble(i, gen.nextDouble());
    return fromHost(host, defaultDevice, shape);
  }

  /** Standard normal. */
  public static Tensor randn(Generator gen, int... shape) {
    HostStorage host = HostStorage.allocate(DType.F32, Device.CPU, Shapes.numel(shape));
    for (int i = 0; i < host.length(); i++) host.setDouble(i, gen.nextGaussian());
    return fromHost(host, defaultDevice, shape);
  }

  /** Uniform integers in [low, high), I64. */
  public static Tensor randint(Generator gen, long low, long high, int... shape) {
    if (high <= low) throw new IllegalArgumentException("randint: high (" + high + ") must be > low (" + low + ")");
    HostStorage host = HostStorage.allocate(DType.I64, Device.CPU, Shapes.numel(shape));
    for (int i = 0; i < host.length(); i++) host.setLong(i, low + gen.nextLong(high - low));
    return fromHost(host, defaultDevice, shape);
  }

  /** Joins tensors of equal shape but along {@code dim}. */
  public static Tensor cat(int dim, Tensor... tensors) {
    if (tensors.length == 0) throw new IllegalArgumentException("cat: no tensors given");
    return TensorOps.get().cat(tensors, Shapes.dim("cat", dim, tensors[0].dim()));
  }

  public static Tensor cat(int dim, java.util.List<Tensor> tensors) { return cat(dim, tensors.toArray(Tensor[]::new)); }

  /** Joins tensors of equal shape along a new dim. */
  public static Tensor stack(int dim, Tensor... tensors) {
    if (tensors.length == 0) throw new IllegalArgumentException("stack: no tensors given");
    int d = Shapes.dim("stack", dim, tensors[0].dim() + 1);
    Tensor[] expanded = new Tensor[tensors.length];
    for (int i = 0; i < tensors.length; i++) {
      if (!java.util.Arrays.equals(tensors[i].shape, tensors[0].shape))
        throw new IllegalArgumentException("stack: tensor " + i + " has shape " + Shapes.str(tensors[i].shape) + ", tensor 0 has " + Shapes.str(tensors[0].shape));
      expanded[i] = tensors[i].unsqueeze(d);
    }
    return TensorOps.get().cat(expanded, d);
  }

  public static Tensor stack(int dim, java.util.List<Tensor> tensors) { return stack(dim, tensors.toArray(Tensor[]::new)); }

  // ---- Java arrays in and out (copies) ----

  public static Tensor of(float[] data, int... shape) { return fromArray(DType.F32, data.clone(), data.length, shape); }
  public static Tensor of(double[] data, int... shape) { return fromArray(DType.F64, data.clone(), data.length, shape); }
  public static Tensor of(long[] data, int... shape) { return fromArray(DType.I64, data.clone(), data.length, shape); }
  public static Tensor of(int[] data, int... shape) { return fromArray(DType.I32, data.clone(), data.length, shape); }

  public static Tensor of(boolean[] data, int... shape) {
    byte[] bytes = new byte[data.length];
    for (int i = 0; i < data.length; i++) bytes[i] = (byte) (data[i] ? 1 : 0);
    return fromArray(DType.BOOL, bytes, data.length, shape);
  }

  private static Tensor fromArray(DType dtype, Object array, int length, int[] shape) {
    if (Shapes.numel(shape) != length)
      throw new IllegalArgumentException("an array of " + length + " elements cannot have shape " + Shapes.str(shape));
    return fromHost(new HostStorage(dtype, Device.CPU, array), defaultDevice, shape);
  }

  /** A contiguous tensor on {@code device} holding a host storage's contents. */
  public static Tensor fromHost(HostStorage host, Device device, int... shape) {
    return contiguousView(Backends.of(device).upload(host), shape);
  }

  /** The elements in row-major order, in a host storage of this dtype. */
  public HostStorage toHost() {
    Tensor c = isContiguous() && offset == 0 && storage.length() == numel() ? this : backend().copy(this, dtype());
    return c.backend().download(c.storage);
  }

  public float[] toFloatArray() { return (float[]) castTo(DType.F32).toHost().array(); }
  public double[] toDoubleArray() { return (double[]) castTo(DType.F64).toHost().array(); }
  public long[] toLongArray() { return (long[]) castTo(DType.I64).toHost().array(); }

  public boolean[] toBooleanArray() {
    byte[] b = (byte[]) castTo(DType.BOOL).toHost().array();
    boolean[] out = new boolean[b.length];
    for (int i = 0; i < b.length; i++) out[i] = b[i] != 0;
    return out;
  }

  /** The value of a one-element tensor. */
  public double item() {
    if (numel() != 1) throw new IllegalStateException("item() needs a tensor with one element, this one has shape " + Shapes.str(shape));
    return toHost().getDouble(0);
  }

  public long itemLong() {
    if (numel() != 1) throw new IllegalStateException("itemLong() needs a tensor with one element, this one has shape " + Shapes.str(shape));
    return toHost().getLong(0);
  }

  private Tensor castTo(DType dtype) {
    return dtype == dtype() ? this : backend().copy(this, dtype);
  }

  /** This tensor's data on another device (a copy; same dtype). Not recorded by autograd. */
  public Tensor to(Device device) {
    if (device.equals(device())) return this;
    return fromHost(toHost(), device, shape);
  }

  // ---- raw views (no autograd): the op table builds the differentiable ones from these ----

  public Tensor asStrided(int[] shape, int[] strides, int offset) {
    return view(storage, shape, strides, offset);
  }

  /** Broadcast to {@code target} with stride 0 in new and size-1 dims. */
  public Tensor expandRaw(int... target) {
    if (target.length < shape.length)
      throw new IllegalArgumentException("expand: cannot expand shape " + Shapes.str(shape) + " to fewer dims " + Shapes.str(target));
    int[] st = new int[target.length];
    int lead = target.length - shape.length;
    for (int d = 0; d < target.length; d++) {
      if (d < lead) continue;
      int s = shape[d - lead];
      if (s == target[d]) st[d] = strides[d - lead];
      else if (s != 1) throw new IllegalArgumentException("expand: shape " + Shapes.str(shape) + " cannot be expanded to " + Shapes.str(target));
    }
    return view(storage, target, st, offset);
  }

  // ---- autograd slots ----

  public boolean requiresGrad() { return requiresGrad; }

  /** Marks a leaf as needing a gradient ({@code .grad} accumulates in backward). Only float tensors can. */
  public Tensor requiresGrad(boolean on) {
    if (on && !dtype().floating) throw new IllegalArgumentException("only float tensors can require gradients, this one is " + dtype());
    if (gradFn != null && !on) throw new IllegalStateException("requiresGrad(false) on a non-leaf tensor: use detach()");
    this.requiresGrad = on;
    return this;
  }

  public Tensor grad() { return grad; }
  public void setGrad(Tensor grad) { this.grad = grad; }
  public GradFn gradFn() { return gradFn; }
  public boolean isLeaf() { return gradFn == null; }

  /** Attaches the node that produced this tensor; for the op table only. */
  public Tensor withGradFn(GradFn fn) {
    this.gradFn = fn;
    this.requiresGrad = true;
    return this;
  }

  /** The same data, cut from the graph. */
  public Tensor detach() {
    return new Tensor(storage, shape, strides, offset);
  }

  /** Backpropagates from a one-element tensor. */
  public void backward() {
    if (numel() != 1) throw new IllegalStateException("backward() without an upstream gradient needs a one-element tensor, got shape " + Shapes.str(shape) + ": pass backward(upstream)");
    TensorOps.get().backward(this, NnOps.onesLike(this), false);
  }

  public void backward(Tensor upstream) { TensorOps.get().backward(this, upstream, false); }

  /** Backward that keeps the graph, so that it can be run again. */
  public void backward(Tensor upstream, boolean retainGraph) { TensorOps.get().backward(this, upstream, retainGraph); }

  @Override public String toString() {
    return TensorFormat.format(this);
  }

  @Override public boolean equals(Object o) {
    return this == o; // tensors compare by identity, as in torch; compare values with allClose/equal
  }

  @Override public int hashCode() {
    return System.identityHashCode(this);
  }
}
