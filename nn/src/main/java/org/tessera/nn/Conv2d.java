package org.tessera.nn;

/** torch.nn.Conv2d: weight (out, in/groups, 2-D kernel); int-or-tuple arguments as one value or one per dim. */
public final class Conv2d extends ConvNd {
  public Conv2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, boolean bias) {
    super(in, out, perDim(kernel, 2), perDim(stride, 2), perDim(padding, 2), perDim(dilation, 2), new int[2], groups, bias, false);
  }

  public Conv2d(int in, int out, int kernel, int stride, int padding, boolean bias) {
    this(in, out, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1}, 1, bias);
  }
}
