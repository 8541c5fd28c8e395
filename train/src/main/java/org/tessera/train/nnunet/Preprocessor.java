package org.tessera.train.nnunet;

import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tessera.nn.io.Safetensors;
import org.tessera.tensor.DType;
import org.tessera.tensor.InterpolationMode;
import org.tessera.tensor.Tensor;

/**
 * nnU-Net's preprocessing for the 2-D configuration: crop to the non-zero box, normalise each channel, resample each
 * slice to the plan's in-plane spacing (z untouched). Data resamples bicubically and labels bilinearly on their
 * one-hot encoding (argmax), where nnU-Net uses order-3 and order-1 splines. Stored per case as
 * {@code nnUNetPlans_2d/CASE.safetensors}: "data" (C, Z, Y, X) F32, "seg" (Z, Y, X) U8, and the properties that
 * inference needs to undo it.
 */
public final class Preprocessor {
  /** What preprocessing did to a case: the original spacing (z, y, x), its shape, and the crop box {z0, z1, y0, y1, x0, x1}. */
  public record Properties(double[] spacing, int[] shapeBeforeCropping, int[] box) {
    int[] shapeAfterCropping() {
      return new int[] {box[1] - box[0], box[3] - box[2], box[5] - box[4]};
    }
  }

  /** A preprocessed case: channels of (z, y, x) voxels, labels (null at inference), shape, and properties. */
  public record Prepared(String name, float[][] data, byte[] seg, int[] shape, Properties properties) {}

  private Preprocessor() {}

  public static Prepared prepare(String name, Volume v, byte[] seg, Plan plan, int numClasses) {
    int[] box = Cropping.nonzeroBox(v);
    Properties props = new Properties(v.spacing(), v.shape(), box);
    int[] cropped = props.shapeAfterCropping();
    float[][] data = new float[v.channels().length][];
    for (int c = 0; c < data.length; c++) {
      data[c] = Cropping.crop(v.channels()[c], v.shape(), box);
      Normalization.apply(plan.normalization().get(c), data[c], plan.intensities().get(c));
    }
    byte[] labels = seg == null ? null : Cropping.crop(seg, v.shape(), box);
    int[] target = targetShape(cropped, v.spacing(), plan);
    if (target[1] == cropped[1] && target[2] == cropped[2]) return new Prepared(name, data, labels, cropped, props);
    return new Prepared(name, resampleData(data, cropped, target), labels == null ? null : resampleLabels(labels, cropped, target, numClasses), target, props);
  }

  /** The (z, y, x) shape at the plan's in-plane spacing. */
  static int[] targetShape(int[] shape, double[] spacing, Plan plan) {
    return new int[] {shape[0], (int) Math.max(1, Math.round(shape[1] * spacing[1] / plan.spacing()[0])),
        (int) Math.max(1, Math.round(shape[2] * spacing[2] / plan.spacing()[1]))};
  }

  /** Each slice of each channel to (y, x) = target[1..2], bicubic (align_corners = False). */
  static float[][] resampleData(float[][] data, int[] shape, int[] target) {
    float[][] out = new float[data.length][];
    for (int c = 0; c < data.length; c++)
      out[c] = Tensor.of(data[c], shape[0], 1, shape[1], shape[2]).interpolate(new int[] {target[1], target[2]}, InterpolationMode.BICUBIC, false).toFloatArray();
    return out;
  }

  /** Labels through their one-hot encoding, bilinearly, then the most likely label. */
  static byte[] resampleLabels(byte[] seg, int[] shape, int[] target, int numClasses) {
    long[] ids = new long[seg.length];
    for (int i = 0; i < seg.length; i++) ids[i] = seg[i];
    Tensor oneHot = Tensor.of(ids, shape[0], shape[1], shape[2]).oneHot(numClasses).to(DType.F32).permute(0, 3, 1, 2);
    long[] back = oneHot.interpolate(new int[] {target[1], target[2]}, InterpolationMode.BILINEAR, false).argmax(1, false).toLongArray();
    byte[] out = new byte[back.length];
    for (int i = 0; i < back.length; i++) out[i] = (byte) back[i];
    return out;
  }

  /** Preprocesses every training case of a dataset into {@code dir}, with a progress bar. */
  public static void run(NnunetDataset ds, Plan plan, Path dir, PrintStream out) throws IOException {
    Files.createDirectories(dir);
    try (var bar = Progress.bar("preprocess", ds.training().size(), " cases", out)) {
      for (NnunetDataset.Case c : ds.training()) {
        Volume v = Volume.read(c.images());
        byte[] seg = Volume.readLabels(c.label(), v.shape(), ds.numClasses());
        save(prepare(c.name(), v, seg, plan, ds.numClasses()), dir.resolve(c.name() + ".safetensors"));
        bar.step();
      }
    }
  }

  static void save(Prepared p, Path file) throws IOException {
    int[] s = p.shape();
    float[] all = new float[p.data().length * s[0] * s[1] * s[2]];
    for (int c = 0; c < p.data().length; c++) System.arraycopy(p.data()[c], 0, all, c * p.data()[c].length, p.data()[c].length);
    int[] seg = new int[p.seg().length];
    for (int i = 0; i < seg.length; i++) seg[i] = p.seg()[i];
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    tensors.put("data", Tensor.of(all, p.data().length, s[0], s[1], s[2]));
    tensors.put("seg", Tensor.of(seg, s[0], s[1], s[2]).to(DType.U8));
    ObjectMapper json = new ObjectMapper();
    Properties props = p.properties();
    String properties = json.writeValueAsString(Map.of("spacing", props.spacing(), "shape_before_cropping", props.shapeBeforeCropping(), "bbox", props.box()));
    Safetensors.write(file, tensors, Map.of("properties", properties));
  }

  public static Prepared load(Path file) throws IOException {
    Safetensors.Contents contents = Safetensors.read(file);
    Tensor data = contents.tensors().get("data"), seg = contents.tensors().get("seg");
    String properties = contents.metadata().get("properties");
    if (data == null || seg == null || properties == null || data.dim() != 4)
      throw new IllegalArgumentException(file + ": not a preprocessed case (needs 'data' (C, Z, Y, X), 'seg' and properties): run plan-and-preprocess again");
    ObjectMapper json = new ObjectMapper();
    var node = json.readTree(properties);
    Properties props = new Properties(json.convertValue(node.get("spacing"), double[].class), json.convertValue(node.get("shape_before_cropping"), int[].class),
        json.convertValue(node.get("bbox"), int[].class));
    int[] shape = {data.size(1), data.size(2), data.size(3)};
    float[][] channels = new float[data.size(0)][];
    for (int c = 0; c < channels.length; c++) channels[c] = data.select(0, c).toFloatArray();
    long[] labels = seg.toLongArray();
    byte[] bytes = new byte[labels.length];
    for (int i = 0; i < labels.length; i++) bytes[i] = (byte) labels[i];
    String name = file.getFileName().toString().replace(".safetensors", "");
    return new Prepared(name, channels, bytes, shape, props);
  }
}
