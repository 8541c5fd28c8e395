package org.tessera.tensor;

import java.util.Arrays;

/** Resampling, pooling and normalisation of image tensors (N, C, *spatial), with PyTorch's conventions. */
public interface VisionOps {
  Tensor self();

  /** torch's interpolate to a size (one value for all spatial dims, or one per dim). */
  default Tensor interpolate(int[] size, InterpolationMode mode, boolean alignCorners) {
    return Interpolation.interpolate(self(), size, null, mode, alignCorners, false);
  }

  /** torch's interpolate by a scale factor: output size floor(in · factor), and the factor itself sets the sampling step. */
  default Tensor interpolate(double[] scaleFactor, InterpolationMode mode, boolean alignCorners) {
    return Interpolation.interpolate(self(), null, scaleFactor, mode, alignCorners, false);
  }

  /** The full form: exactly one of size and scaleFactor; antialias for bilinear and bicubic (PIL's filters). */
  default Tensor interpolate(int[] size, double[] scaleFactor, InterpolationMode mode, boolean alignCorners, boolean antialias) {
    return Interpolation.interpolate(self(), size, scaleFactor, mode, alignCorners, antialias);
  }

  /** torch's grid_sample for (N, C, H, W) input and an (N, Ho, Wo, 2) grid of (x, y) in [-1, 1]; differentiable in both. */
  default Tensor gridSample(Tensor grid, boolean bilinear, GridPadding padding, boolean alignCorners) {
    return GridSampling.sample(self(), grid, bilinear, padding, alignCorners);
  }

  /**
   * Multi-scale deformable attention (Deformable DETR, ViT-Adapter, Mask2Former) with this tensor as the value
   * (N, S, M, D): every query samples each level at its points bilinearly and sums by the attention weights.
   */
  default Tensor msDeformAttn(Tensor spatialShapes, Tensor levelStartIndex, Tensor samplingLocations, Tensor attentionWeights) {
    return TensorOps.get().msDeformAttn(self(), spatialShapes, levelStartIndex, samplingLocations, attentionWeights);
  }

  /** Max pooling over (H, W) with the flat H·W index of each maximum. */
  default Indexed maxPool2d(int[] kernel, int[] stride, int[] padding) {
    return Pooling.maxPool2d(self(), pair(kernel), pair(stride), pair(padding));
  }

  default Tensor avgPool2d(int[] kernel, int[] stride, int[] padding, boolean countIncludePad) {
    return Pooling.avgPool2d(self(), pair(kernel), pair(stride), pair(padding), countIncludePad);
  }

  default Tensor adaptiveAvgPool2d(int outH, int outW) {
    return Pooling.adaptiveAvgPool2d(self(), outH, outW);
  }

  /** Group normalisation: channels in numGroups groups, each normalised over its channels and all positions. */
  default Tensor groupNorm(int numGroups, Tensor weight, Tensor bias, double eps) {
    Tensor x = self();
    if (x.dim() < 2 || x.size(1) % numGroups != 0)
      throw new IllegalArgumentException("group_norm: " + numGroups + " groups must divide the channels of input " + Shapes.str(x.shape()));
    Tensor g = x.reshape(x.size(0), numGroups, -1);
    return affine(Normalization.normalize(g, new int[] {2}, eps).reshape(x.shape()), weight, bias);
  }

  /**
   * Batch normalisation over (N, *spatial) per channel. Training normalises by the batch statistics and, when running
   * statistics are given, updates them in place: running = (1 − momentum)·running + momentum·batch, the variance
   * unbiased. Evaluation normalises by the running statistics.
   */
  default Tensor batchNorm(Tensor runningMean, Tensor runningVar, Tensor weight, Tensor bias, boolean training, double momentum, double eps) {
    Tensor x = self();
    int[] dims = new int[x.dim() - 1];
    dims[0] = 0;
    for (int i = 2; i < x.dim(); i++) dims[i - 1] = i;
    int[] channelShape = channelShape(x);
    if (!training) {
      if (runningMean == null || runningVar == null) throw new IllegalArgumentException("batch_norm: evaluation needs running statistics");
      Tensor y = x.sub(runningMean.reshape(channelShape)).mul(runningVar.reshape(channelShape).add(eps).rsqrt());
      return affine(y, weight, bias);
    }
    int count = x.numel() / x.size(1);
    if (count <= 1) throw new IllegalArgumentException("batch_norm: expected more than 1 value per channel when training, got input " + Shapes.str(x.shape()));
    Tensor y = Normalization.normalize(x, dims, eps);
    if (runningMean != null) {
      Tensor mean = x.detach().mean(dims, false), var = x.detach().var(dims, 1, false);
      runningMean.copy_(runningMean.mul(1 - momentum).add(mean.mul(momentum)));
      runningVar.copy_(runningVar.mul(1 - momentum).add(var.mul(momentum)));
    }
    return affine(y, weight, bias);
  }

  /** Instance normalisation: each (sample, channel) over its positions. */
  default Tensor instanceNorm(Tensor weight, Tensor bias, double eps) {
    Tensor x = self();
    int[] dims = new int[x.dim() - 2];
    for (int i = 2; i < x.dim(); i++) dims[i - 2] = i;
    return affine(Normalization.normalize(x, dims, eps), weight, bias);
  }

  /** LayerNorm over the channel dim of (N, C, *spatial) at each position, as ConvNeXt, SAM and Primus use it. */
  default Tensor layerNorm2d(Tensor weight, Tensor bias, double eps) {
    return affine(Normalization.normalize(self(), new int[] {1}, eps), weight, bias);
  }

  /**
   * timm's resample_abs_pos_embed: a (1, prefix + h·w, C) position embedding whose grid part is resized from oldGrid
   * to newGrid (as an image, in F32), prefix tokens kept.
   */
  default Tensor resampleAbsPosEmbed(int[] newGrid, int[] oldGrid, int numPrefixTokens, InterpolationMode mode, boolean antialias) {
    Tensor p = self();
    int c = p.size(2);
    if (p.size(1) != numPrefixTokens + oldGrid[0] * oldGrid[1])
      throw new IllegalArgumentException("resample_abs_pos_embed: " + p.size(1) + " tokens, expected " + numPrefixTokens + " + " + oldGrid[0] + "×" + oldGrid[1]);
    if (Arrays.equals(newGrid, oldGrid)) return p;
    Tensor prefix = p.narrow(1, 0, numPrefixTokens), grid = p.narrow(1, numPrefixTokens, oldGrid[0] * oldGrid[1]);
    Tensor image = grid.to(DType.F32).reshape(1, oldGrid[0], oldGrid[1], c).permute(0, 3, 1, 2);
    Tensor resized = image.interpolate(newGrid, null, mode, false, antialias).permute(0, 2, 3, 1).reshape(1, -1, c).to(p.dtype());
    return numPrefixTokens == 0 ? resized : Tensor.cat(1, prefix, resized);
  }

  private static int[] channelShape(Tensor x) {
    int[] s = new int[x.dim()];
    Arrays.fill(s, 1);
    s[1] = x.size(1);
    return s;
  }

  /** y · weight + bias with per-channel (dim 1) parameters; either may be null. */
  private static Tensor affine(Tensor y, Tensor weight, Tensor bias) {
    int[] shape = channelShape(y);
    if (weight != null) y = y.mul(weight.reshape(shape));
    return bias != null ? y.add(bias.reshape(shape)) : y;
  }

  private static int[] pair(int[] v) {
    if (v.length == 2) return v.clone();
    if (v.length == 1) return new int[] {v[0], v[0]};
    throw new IllegalArgumentException("expected 1 or 2 values, got " + Shapes.str(v));
  }
}
