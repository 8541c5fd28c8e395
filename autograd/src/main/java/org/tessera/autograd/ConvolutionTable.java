package org.tessera.autograd;

import static org.tessera.autograd.Graph.of;
import static org.tessera.autograd.Graph.record;

import java.util.Arrays;
import org.tessera.tensor.ConvGeometry;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.TensorOps;

/**
 * Convolutions and transposed convolutions of any spatial rank, as unfold (im2col) + grouped matrix product, with
 * their backward passes: the input gradient folds (col2im) the weight-transposed product, the weight gradient is
 * the product of the output gradient with the unfolded input. A transposed convolution is the adjoint: its forward
 * is a convolution's input-gradient and its input gradient a convolution. The unfolded input is recomputed in
 * backward rather than kept, so a layer holds only its input between forward and backward.
 */
interface ConvolutionTable extends TensorOps {
  @Override default Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
    int d = weight.dim() - 2;
    String op = "conv" + d + "d";
    check(op, x, weight, bias, d, groups, weight.size(1) * groups, weight.size(0));
    ConvGeometry geom = ConvGeometry.of(op, spatial(x), spatial(weight), stride, padding, dilation);
    int n = x.size(0), cin = x.size(1), cout = weight.size(0), k = geom.kernelSize(), l = geom.outSize();
    int kg = cin / groups * k, mg = cout / groups;
    Tensor out;
    try (var scope = GradMode.noGrad()) {
      Tensor cols = x.backend().im2col(x, geom).reshape(n, groups, kg, l);
      out = addBias(weight.reshape(groups, mg, kg).matmul(cols).reshape(shape(n, cout, geom.out())), bias);
    }
    return record(op, out, of(x, weight, bias), of(x, weight), g -> {
      Tensor dy = g.reshape(n, groups, mg, l);
      Tensor dx = x.requiresGrad() ? x.backend().col2im(weight.reshape(groups, mg, kg).mT().matmul(dy).reshape(n, cin * k, l).contiguous(), geom) : null;
      Tensor dw = null;
      if (weight.requiresGrad()) {
        Tensor cols = x.backend().im2col(x, geom).reshape(n, groups, kg, l);
        dw = dy.matmul(cols.mT()).sum(0).reshape(weight.shape());
      }
      return of(dx, dw, biasGrad(g, bias));
    });
  }

  @Override default Tensor convTranspose(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation,
      int groups) {
    int d = weight.dim() - 2;
    String op = "conv_transpose" + d + "d";
    check(op, x, weight, bias, d, groups, weight.size(0), weight.size(1) * groups);
    int[] in = spatial(x), kernel = spatial(weight), outSize = new int[d];
    for (int i = 0; i < d; i++) {
      if (outputPadding[i] < 0 || outputPadding[i] >= Math.max(stride[i], dilation[i]))
        throw new IllegalArgumentException(op + ": output_padding " + Shapes.str(outputPadding) + " must be smaller than stride " + Shapes.str(stride)
            + " or dilation " + Shapes.str(dilation));
      outSize[i] = (in[i] - 1) * stride[i] - 2 * padding[i] + dilation[i] * (kernel[i] - 1) + outputPadding[i] + 1;
      if (outSize[i] < 1) throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape()) + " with padding " + Shapes.str(padding) + " gives an empty output");
    }
    // the windows of the convolution that maps our output back to our input's shape: one per input position
    ConvGeometry geom = ConvGeometry.ofWindows(outSize, kernel, stride, padding, dilation, in);
    int n = x.size(0), cin = x.size(1), coutG = weight.size(1), cout = coutG * groups, k = geom.kernelSize(), l = geom.outSize();
    int cinG = cin / groups;
    Tensor out;
    try (var scope = GradMode.noGrad()) {
      Tensor cols = weight.reshape(groups, cinG, coutG * k).mT().matmul(x.reshape(n, groups, cinG, l));
      out = addBias(x.backend().col2im(cols.reshape(n, cout * k, l).contiguous(), geom), bias);
    }
    return record(op, out, of(x, weight, bias), of(x, weight), g -> {
      Tensor gcols = g.backend().im2col(g, geom).reshape(n, groups, coutG * k, l);
      Tensor dx = x.requiresGrad() ? weight.reshape(groups, cinG, coutG * k).matmul(gcols).reshape(x.shape()) : null;
      Tensor dw = weight.requiresGrad() ? x.reshape(n, groups, cinG, l).matmul(gcols.mT()).sum(0).reshape(weight.shape()) : null;
      return of(dx, dw, biasGrad(g, bias));
    });
  }

  /** Shapes and dtypes; inChannels and outChannels are what the weight implies for x and for the bias. */
  private static void check(String op, Tensor x, Tensor weight, Tensor bias, int d, int groups, int inChannels, int outChannels) {
    if (d < 1 || x.dim() != d + 2)
      throw new IllegalArgumentException(op + ": expected input (N, C, " + d + " spatial dims) for weight " + Shapes.str(weight.shape()) + ", got input "
          + Shapes.str(x.shape()));
    if (groups < 1 || inChannels % groups != 0 || outChannels % groups != 0)
      throw new IllegalArgumentException(op + ": groups " + groups + " must divide the " + inChannels + " input and " + outChannels + " output channels of weight "
          + Shapes.str(weight.shape()));
    if (x.size(1) != inChannels)
      throw new IllegalArgumentException(op + ": input " + Shapes.str(x.shape()) + " has " + x.size(1) + " channels but weight " + Shapes.str(weight.shape())
          + " with groups " + groups + " expects " + inChannels);
    if (bias != null && (bias.dim() != 1 || bias.size(0) != outChannels))
      throw new IllegalArgumentException(op + ": bias " + Shapes.str(bias.shape()) + " does not match the " + outChannels + " output channels");
    ElementwiseTable.requireSameDevice(op, x, weight);
    if (!x.dtype().floating || x.dtype() != weight.dtype())
      throw new IllegalArgumentException(op + ": input and weight need the same float dtype, got " + x.dtype() + " and " + weight.dtype());
  }

  private static int[] spatial(Tensor t) {
    return Arrays.copyOfRange(t.shape(), 2, t.dim());
  }

  private static int[] shape(int n, int c, int[] spatial) {
    int[] s = new int[2 + spatial.length];
    s[0] = n;
    s[1] = c;
    System.arraycopy(spatial, 0, s, 2, spatial.length);
    return s;
  }

  private static Tensor addBias(Tensor y, Tensor bias) {
    if (bias == null) return y;
    int[] view = new int[y.dim()];
    Arrays.fill(view, 1);
    view[1] = bias.size(0);
    return y.add(bias.reshape(view));
  }

  private static Tensor biasGrad(Tensor g, Tensor bias) {
    if (bias == null || !bias.requiresGrad()) return null;
    int[] dims = new int[g.dim() - 1];
    dims[0] = 0;
    for (int i = 2; i < g.dim(); i++) dims[i - 1] = i;
    return g.sum(dims, false);
  }
}
