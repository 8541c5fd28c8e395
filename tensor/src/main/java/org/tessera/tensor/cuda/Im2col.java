package org.tessera.tensor.cuda;

import java.util.ArrayList;
import java.util.List;
import org.tessera.tensor.ConvGeometry;

/**
 * A convolution on the device as im2col and batched matrix products: conv.cu's {@code unfold} writes the unfolded
 * input of every image, COLUMNS (N, C·K, L), through the geometry's source table, and cuBLAS multiplies per group
 * y = W·cols (forward), cols' = Wᵀ·dy (input gradient, folded back by conv.cu's {@code fold}) and dW = Σ dy·colsᵀ
 * (weight gradient, one product per image accumulating). This class is only the index arithmetic of those products —
 * which buffer, shape, strides and offset each operand has — so that it is tested on the CPU by running the same
 * products there.
 */
final class Im2col {
  private Im2col() {}

  /** The buffers a product reads or writes: the op's first input, its weight, the unfolded columns, its output. */
  enum Buffer { INPUT, WEIGHT, COLUMNS, OUTPUT }

  /** A (batch, rows, cols) strided view of a buffer. */
  record View(Buffer buffer, int[] shape, int[] strides, int offset) {}

  /** out[outOffset + b·outBatchStride ..] (rows × cols, contiguous) = a·b, or += when {@code accumulate}. */
  record Product(View a, View b, Buffer out, int outOffset, int outBatchStride, boolean accumulate) {}

  /** y (N, Cout, L) = W_g (Cout/G × C/G·K) · COLUMNS_g (C/G·K × L) for every image at once, per group. */
  static List<Product> forward(int batch, int cin, int cout, int groups, ConvGeometry g) {
    int k = g.kernelSize(), l = g.outSize(), kg = cin / groups * k, mg = cout / groups;
    List<Product> out = new ArrayList<>();
    for (int gr = 0; gr < groups; gr++) {
      View w = new View(Buffer.WEIGHT, new int[] {batch, mg, kg}, new int[] {0, kg, 1}, gr * mg * kg);
      View cols = new View(Buffer.COLUMNS, new int[] {batch, kg, l}, new int[] {cin * k * l, l, 1}, gr * kg * l);
      out.add(new Product(w, cols, Buffer.OUTPUT, gr * mg * l, cout * l, false));
    }
    return out;
  }

  /** COLUMNS_g (C/G·K × L) = W_gᵀ · dy_g (Cout/G × L), INPUT being dy; conv.cu's fold then adds the columns into dx. */
  static List<Product> inputGrad(int batch, int cin, int cout, int groups, ConvGeometry g) {
    int k = g.kernelSize(), l = g.outSize(), kg = cin / groups * k, mg = cout / groups;
    List<Product> out = new ArrayList<>();
    for (int gr = 0; gr < groups; gr++) {
      View wT = new View(Buffer.WEIGHT, new int[] {batch, kg, mg}, new int[] {0, 1, kg}, gr * mg * kg);
      View dy = new View(Buffer.INPUT, new int[] {batch, mg, l}, new int[] {cout * l, l, 1}, gr * mg * l);
      out.add(new Product(wT, dy, Buffer.COLUMNS, gr * kg * l, cin * k * l, false));
    }
    return out;
  }

  /** dW_g (Cout/G × C/G·K) = Σ over images of dy_g (Cout/G × L) · COLUMNS_gᵀ (L × C/G·K), INPUT being dy, OUTPUT dW. */
  static List<Product> weightGrad(int batch, int cin, int cout, int groups, ConvGeometry g) {
    int k = g.kernelSize(), l = g.outSize(), kg = cin / groups * k, mg = cout / groups;
    List<Product> out = new ArrayList<>();
    for (int gr = 0; gr < groups; gr++)
      for (int image = 0; image < batch; image++) {
        View dy = new View(Buffer.INPUT, new int[] {1, mg, l}, new int[] {0, l, 1}, (image * cout + gr * mg) * l);
        View colsT = new View(Buffer.COLUMNS, new int[] {1, l, kg}, new int[] {0, 1, l}, image * cin * k * l + gr * kg * l);
        out.add(new Product(dy, colsT, Buffer.OUTPUT, gr * mg * kg, 0, image > 0));
      }
    return out;
  }
}
