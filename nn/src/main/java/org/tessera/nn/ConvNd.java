package org.tessera.nn;

import org.tessera.tensor.DType;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.TensorOps;

/**
 * torch's _ConvNd: a convolution (weight (out, in/groups, *k)) or transposed convolution (weight (in, out/groups,
 * *k)) over {@code kernel.length} spatial dims, with PyTorch's default initialisation (kaiming uniform, a = √5).
 */
public abstract class ConvNd extends Module implements Layer {
  public final Tensor weight, bias;
  final int[] stride, padding, dilation, outputPadding;
  final int groups;
  final boolean transposed;

  ConvNd(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int[] outputPadding, int groups, boolean bias, boolean transposed) {
    if (groups < 1 || in % groups != 0 || out % groups != 0)
      throw new IllegalArgumentException(getClass().getSimpleName() + ": groups " + groups + " must divide in " + in + " and out " + out + " channels");
    int[] wShape = Shapes.withSpatial(transposed ? in : out, (transposed ? out : in) / groups, kernel);
    this.weight = parameter("weight", Tensor.zeros(DType.F32, Tensor.defaultDevice(), wShape));
    this.bias = bias ? parameter("bias", Tensor.zeros(DType.F32, Tensor.defaultDevice(), out)) : null;
    this.stride = stride.clone();
    this.padding = padding.clone();
    this.dilation = dilation.clone();
    this.outputPadding = outputPadding.clone();
    this.groups = groups;
    this.transposed = transposed;
    Init.kaimingUniform(weight, Math.sqrt(5), true, Rng.generator());
    if (bias) {
      double bound = 1 / Math.sqrt(Init.fans(weight)[0]);
      Init.uniform(this.bias, -bound, bound, Rng.generator());
    }
  }

  @Override public Tensor forward(Tensor x) {
    return transposed ? TensorOps.get().convTranspose(x, weight, bias, stride, padding, outputPadding, dilation, groups)
        : TensorOps.get().conv(x, weight, bias, stride, padding, dilation, groups);
  }

  /** One value per spatial dim from an int-or-tuple argument. */
  static int[] perDim(int[] v, int dims) {
    if (v.length == dims) return v.clone();
    if (v.length != 1) throw new IllegalArgumentException("expected 1 or " + dims + " values, got " + Shapes.str(v));
    int[] out = new int[dims];
    java.util.Arrays.fill(out, v[0]);
    return out;
  }
}
