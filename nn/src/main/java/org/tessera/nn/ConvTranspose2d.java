package org.tessera.nn;

/** torch.nn.ConvTranspose2d: weight (in, out/groups, 2-D kernel); int-or-tuple arguments as one value or one per dim. */
public final class ConvTranspose2d extends ConvNd {
  public ConvTranspose2d(int in, int out, int[] kernel, int[] stride, int[] padding, int[] outputPadding, int groups, boolean bias, int[] dilation) {
    super(in, out, perDim(kernel, 2), perDim(stride, 2), perDim(padding, 2), perDim(dilation, 2), perDim(outputPadding, 2), groups, bias, true);
  }

  public ConvTranspose2d(int in, int out, int kernel, int stride, boolean bias) {
    this(in, out, new int[] {kernel}, new int[] {stride}, new int[] {0}, new int[] {0}, 1, bias, new int[] {1});
  }
}
