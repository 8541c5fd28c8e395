package org.tessera.autograd;

import static org.tessera.autograd.Graph.of;
import static org.tessera.autograd.Graph.record;

import java.util.Arrays;
import org.tessera.tensor.ConvGeometry;
import org.tessera.tensor.DType;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;
import org.tessera.tensor.TensorOps;

/**
 * Convolutions and transposed convolutions of any spatial rank on the backend's three convolution products
 * (forward, input gradient, weight gradient). A transposed convolution is the adjoint of the convolution that maps
 * its output back to its input's shape: its forward is that convolution's input gradient, its input gradient that
 * convolution's forward, and its weight gradient that convolution's weight gradient with the roles swapped.
 */
interface ConvolutionTable extends TensorOps {
  @Override default Tensor conv(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] dilation, int groups) {
    int d = weight.dim() - 2;
    String op = "conv" + d + "d";
    check(op, x, weight, bias, d, groups, weight.size(1) * groups, weight.size(0));
    DType low = Autocast.lowPrecision(x, weight);
    if (low != null) return autocastBias(conv(x.to(low), weight.to(low), null, stride, padding, dilation, groups).to(DType.F32), bias, low);
    ConvGeometry geom = ConvGeometry.of(op, spatial(x), spatial(weight), stride, padding, dilation);
    Tensor out;
    try (var scope = GradMode.noGrad()) {
      out = x.backend().convForward(x, weight, bias, geom, groups);
    }
    return record(op, out, of(x, weight, bias), of(x, weight), g -> of(
        x.requiresGrad() ? g.backend().convInputGrad(g, weight, geom, groups, x.size(1)) : null,
        weight.requiresGrad() ? g.backend().convWeightGrad(x, g, geom, groups) : null,
        biasGrad(g, bias)));
  }

  @Override default Tensor convTranspose(Tensor x, Tensor weight, Tensor bias, int[] stride, int[] padding, int[] outputPadding, int[] dilation,
      int groups) {
    int d = weight.dim() - 2;
    String op = "conv_transpose" + d + "d";
    check(op, x, weight, bias, d, groups, weight.size(0), weight.size(1) * groups);
    DType low = Autocast.lowPrecision(x, weight);
    if (low != null)
      return autocastBias(convTranspose(x.to(low), weight.to(low), null, stride, padding, outputPadding, dilation, groups).to(DType.F32), bias, low);
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
    int cout = weight.size(1) * groups;
    Tensor out;
    try (var scope = GradMode.noGrad()) {
      out = addBias(x.backend().convInputGrad(x, weight, geom, groups, cout), bias);
    }
    return record(op, out, of(x, weight, bias), of(x, weight), g -> of(
        x.requiresGrad() ? g.backend().convForward(g, weight, geom, groups) : null,
        weight.requiresGrad() ? g.backend().convWeightGrad(g, x, geom, groups) : null,
        biasGrad(g, bias)));
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

  /**
   * An autocast convolution's rounded result plus its rounded bias, rounded again: torch's cuDNN path adds the bias
   * in the lower precision after the convolution. The sum of two BF16/F16 values is taken in F32 (exact but for
   * far-apart exponents), so no lower-precision elementwise op runs on the device.
   */
  private static Tensor autocastBias(Tensor y, Tensor bias, DType low) {
    return bias == null ? y : Autocast.rounded(addBias(y, Autocast.rounded(bias, low)), low);
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
