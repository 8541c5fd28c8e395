package org.tessera.nn;

/** torch.nn.ConvTranspose3d: weight (in, out/groups, 3-D kernel); int-or-tuple arguments as one value or one per dim. */
public final class ConvTranspose3d extends ConvNd {
  public ConvTranspose3d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] outputPadding, int groups, boolean bias, int[] dilation) {
    super(in, out, perDim(kernel, 3), perDim(stride, 3), perDim(padding, 3), perDim(dilation, 3), perDim(outputPadding, 3), groups, bias, true);
  }

  public ConvTranspose3d(int in, int out, int kernel, int stride, boolean bias) {
    this(in, out, new int[] {kernel}, new int[] {stride}, new int[] {0}, new int[] {0}, 1, bias, new int[] {1});
  }
}
