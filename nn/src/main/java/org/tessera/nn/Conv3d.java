package org.tessera.nn;

/** torch.nn.Conv3d: weight (out, in/groups, 3-D kernel); int-or-tuple arguments as one value or one per dim. */
public final class Conv3d extends ConvNd {
  public Conv3d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] dilation, int groups, boolean bias) {
    super(in, out, perDim(kernel, 3), perDim(stride, 3), perDim(padding, 3), perDim(dilation, 3), new int[3], groups, bias, false);
  }

  public Conv3d(int in, int out, int kernel, int stride, int padding, boolean bias) {
    this(in, out, new int[] {kernel}, new int[] {stride}, new int[] {padding}, new int[] {1}, 1, bias);
  }
}
