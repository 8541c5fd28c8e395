package org.tessera.autograd.spec;

import static org.tessera.autograd.spec.Inputs.Domain.ANY;

import java.util.List;
import org.tessera.tensor.Tensor;

/** Convolutions with random stride, padding, dilation, groups and bias, in 1, 2 and 3 spatial dims. */
final class ConvSpecs {
  private ConvSpecs() {}

  /** Random but valid hyper-parameters for d spatial dims. */
  record Conv(int groups, int cin, int cout, int[] kernel, int[] stride, int[] padding, int[] dilation, int[] outputPadding, int[] size, boolean bias) {
    static Conv random(Inputs in, int d, boolean transposed) {
      int groups = 1 + in.nextInt(2);
      int[] kernel = new int[d], stride = new int[d], padding = new int[d], dilation = new int[d], outPad = new int[d], size = new int[d];
      for (int i = 0; i < d; i++) {
        kernel[i] = 1 + in.nextInt(3);
        stride[i] = 1 + in.nextInt(2);
        dilation[i] = 1 + in.nextInt(2);
        padding[i] = in.nextInt(Math.min(2, 1 + dilation[i] * (kernel[i] - 1) / 2)); // a transposed output stays non-empty
        outPad[i] = transposed ? in.nextInt(Math.max(stride[i], dilation[i])) : 0;
        size[i] = (d == 3 ? 2 : 3) + in.nextInt(3) + dilation[i] * (kernel[i] - 1);
      }
      return new Conv(groups, groups * (1 + in.nextInt(2)), groups * (1 + in.nextInt(2)), kernel, stride, padding, dilation, outPad, size, in.coin());
    }

    int[] inputShape(int batch) {
      int[] s = new int[2 + size.length];
      s[0] = batch;
      s[1] = cin;
      System.arraycopy(size, 0, s, 2, size.length);
      return s;
    }

    int[] weightShape(boolean transposed) {
      int[] s = new int[2 + kernel.length];
      s[0] = transposed ? cin : cout;
      s[1] = transposed ? cout / groups : cin / groups;
      System.arraycopy(kernel, 0, s, 2, kernel.length);
      return s;
    }
  }

  static List<OpSpec> all() {
    return List.of(conv("conv1d", 1, false), conv("conv2d", 2, false), conv("conv3d", 3, false),
        conv("convTranspose2d", 2, true), conv("convTranspose3d", 3, true));
  }

  private static OpSpec conv(String name, int d, boolean transposed) {
    return new OpSpec(name, true, g -> {
      Inputs in = new Inputs(g);
      Conv c = Conv.random(in, d, transposed);
      in.leaf(c.inputShape(1 + in.nextInt(2)), ANY);
      in.leaf(c.weightShape(transposed), ANY);
      if (c.bias) in.leaf(new int[] {c.cout}, ANY);
      return in.build(t -> {
        Tensor bias = c.bias ? t[2] : null;
        return switch (name) {
          case "conv1d" -> t[0].conv1d(t[1], bias, c.stride[0], c.padding[0], c.dilation[0], c.groups);
          case "conv2d" -> t[0].conv2d(t[1], bias, c.stride, c.padding, c.dilation, c.groups);
          case "conv3d" -> t[0].conv3d(t[1], bias, c.stride, c.padding, c.dilation, c.groups);
          case "convTranspose2d" -> t[0].convTranspose2d(t[1], bias, c.stride, c.padding, c.outputPadding, c.dilation, c.groups);
          default -> t[0].convTranspose3d(t[1], bias, c.stride, c.padding, c.outputPadding, c.dilation, c.groups);
        };
      });
    }).tolerances(1e-4, 1e-4);
  }
}
