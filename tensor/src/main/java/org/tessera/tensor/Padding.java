package org.tessera.tensor;

import java.util.ArrayList;
import java.util.List;

/**
 * torch.nn.functional.pad, composed of differentiable ops: constant padding is a concatenation with constant blocks,
 * the other modes an index_select with the mirrored, clamped or wrapped source index of every output position.
 * Negative pads crop.
 */
final class Padding {
  private Padding() {}

  static Tensor pad(Tensor x, int[] pads, PadMode mode, double value) {
    if (pads.length % 2 != 0 || pads.length / 2 > x.dim())
      throw new IllegalArgumentException("pad: " + pads.length + " pad values given for a tensor of rank " + x.dim()
          + " (need an even number, at most 2 per dim)");
    Tensor out = x;
    for (int i = 0; i < pads.length / 2; i++) {
      int dim = x.dim() - 1 - i, left = pads[2 * i], right = pads[2 * i + 1];
      out = mode == PadMode.CONSTANT ? constant(out, dim, left, right, value) : indexed(out, dim, left, right, mode);
    }
    return out;
  }

  private static Tensor constant(Tensor x, int dim, int left, int right, double value) {
    int n = x.size(dim), keep = n + Math.min(left, 0) + Math.min(right, 0);
    if (keep < 0)
      throw new IllegalArgumentException("pad: cropping " + (-left) + " and " + (-right) + " from dim " + dim + " of size " + n + " leaves nothing");
    Tensor core = x.narrow(dim, Math.max(-left, 0), keep);
    List<Tensor> parts = new ArrayList<>();
    if (left > 0) parts.add(block(core, dim, left, value));
    parts.add(core);
    if (right > 0) parts.add(block(core, dim, right, value));
    return parts.size() == 1 ? core : Tensor.cat(dim, parts.toArray(Tensor[]::new));
  }

  private static Tensor block(Tensor x, int dim, int size, double value) {
    int[] shape = x.shape();
    shape[dim] = size;
    return Tensor.full(value, x.dtype(), x.device(), shape);
  }

  private static Tensor indexed(Tensor x, int dim, int left, int right, PadMode mode) {
    int n = x.size(dim), outSize = n + left + right;
    if (outSize < 0) throw new IllegalArgumentException("pad: the padded size of dim " + dim + " would be negative");
    if (n == 0) throw new IllegalArgumentException("pad: " + mode.name().toLowerCase() + " padding of an empty dim " + dim);
    if (mode == PadMode.REFLECT && (left >= n || right >= n))
      throw new IllegalArgumentException("pad: reflect padding (" + left + ", " + right + ") must be smaller than the size " + n + " of dim " + dim);
    if (mode == PadMode.CIRCULAR && (left > n || right > n))
      throw new IllegalArgumentException("pad: circular padding (" + left + ", " + right + ") must be at most the size " + n + " of dim " + dim);
    long[] index = new long[outSize];
    for (int o = 0; o < outSize; o++) {
      int i = o - left;
      index[o] = switch (mode) {
        case REFLECT -> i < 0 ? -i : i >= n ? 2 * (n - 1) - i : i;
        case REPLICATE -> Math.clamp(i, 0, n - 1);
        case CIRCULAR -> Math.floorMod(i, n);
        case CONSTANT -> throw new AssertionError("constant padding is a concatenation");
      };
    }
    return x.indexSelect(dim, Tensor.of(index, outSize).to(x.device()));
  }
}
