package org.tessera.train.nnunet;

import org.tessera.nn.Layer;
import org.tessera.tensor.InterpolationMode;
import org.tessera.tensor.Tensor;

/**
 * A whole case, as nnU-Net predicts it with the 2-D configuration: preprocessing as in training, every slice by
 * {@link SlidingWindow}, the logits resampled back to the cropped shape (bilinear, nnU-Net's order 1) before the
 * argmax, and the labels pasted into the original volume (background outside the crop box).
 */
public final class NnunetPredictor {
  private final Plan plan;
  private final int classes;
  private final SlidingWindow window;

  public NnunetPredictor(Layer model, Plan plan, int classes, boolean mirror) {
    this.plan = plan;
    this.classes = classes;
    this.window = new SlidingWindow(model, plan.patchSize(), mirror, 4);
  }

  /** Labels (z, y, x) in the volume's own shape. */
  public byte[] predict(String name, Volume v) {
    Preprocessor.Prepared p = Preprocessor.prepare(name, v, null, plan, classes);
    Preprocessor.Properties props = p.properties();
    int[] s = p.shape(), cropped = props.shapeAfterCropping(), full = props.shapeBeforeCropping(), box = props.box();
    int plane = s[1] * s[2];
    byte[] out = new byte[full[0] * full[1] * full[2]];
    for (int z = 0; z < s[0]; z++) {
      float[][] slice = new float[p.data().length][];
      for (int c = 0; c < slice.length; c++) slice[c] = java.util.Arrays.copyOfRange(p.data()[c], z * plane, (z + 1) * plane);
      float[] logits = window.predict(slice, s[1], s[2], classes);
      long[] labels;
      Tensor t = Tensor.of(logits, 1, classes, s[1], s[2]);
      if (s[1] != cropped[1] || s[2] != cropped[2]) t = t.interpolate(new int[] {cropped[1], cropped[2]}, InterpolationMode.BILINEAR, false);
      labels = t.argmax(1, false).toLongArray();
      for (int y = 0; y < cropped[1]; y++)
        for (int x = 0; x < cropped[2]; x++)
          out[((z + box[0]) * full[1] + y + box[2]) * full[2] + x + box[4]] = (byte) labels[y * cropped[2] + x];
    }
    return out;
  }
}
