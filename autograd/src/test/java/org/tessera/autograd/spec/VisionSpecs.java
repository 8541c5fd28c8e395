package org.tessera.autograd.spec;

import static org.tessera.autograd.spec.Inputs.Domain.ANY;
import static org.tessera.autograd.spec.Inputs.Domain.POSITIVE;
import static org.tessera.autograd.spec.Inputs.Domain.UNIT;

import java.util.ArrayList;
import java.util.List;
import java.util.function.BiFunction;
import org.tessera.tensor.GridPadding;
import org.tessera.tensor.InterpolationMode;
import org.tessera.tensor.Tensor;

/** Interpolation, grid sampling, pooling, normalisation and position-embedding resampling on image-shaped inputs. */
final class VisionSpecs {
  private VisionSpecs() {}

  static List<OpSpec> all() {
    List<OpSpec> s = new ArrayList<>();
    s.add(image("interpolate", (x, in) -> x.interpolate(new int[] {x.size(2) + 3, x.size(3) * 2}, InterpolationMode.NEAREST, false)));
    s.add(image("interpolate", (x, in) -> x.interpolate(new double[] {1.7}, InterpolationMode.NEAREST, false)));
    for (boolean ac : new boolean[] {false, true}) {
      s.add(image("interpolate", (x, in) -> x.interpolate(new int[] {7, 3}, InterpolationMode.BILINEAR, ac)));
      s.add(image("interpolate", (x, in) -> x.interpolate(new int[] {6, 9}, InterpolationMode.BICUBIC, ac)));
      s.add(image("interpolate", (x, in) -> x.interpolate(new double[] {2.5, 0.6}, InterpolationMode.BILINEAR, ac)));
    }
    s.add(image("interpolate", (x, in) -> x.interpolate(new int[] {2, 3}, null, InterpolationMode.BILINEAR, false, true)));
    s.add(image("interpolate", (x, in) -> x.interpolate(new int[] {3, 2}, null, InterpolationMode.BICUBIC, false, true)));
    s.add(new OpSpec("interpolate", true, g -> {
      Inputs in = new Inputs(g);
      in.leaf(new int[] {1, 2, 2 + in.nextInt(3), 3, 2 + in.nextInt(3)}, ANY);
      boolean alignCorners = in.coin();
      return in.build(t -> t[0].interpolate(new int[] {4, 5, 3}, InterpolationMode.TRILINEAR, alignCorners));
    }));
    for (GridPadding padding : GridPadding.values())
      for (boolean ac : new boolean[] {false, true})
        for (boolean bilinear : new boolean[] {true, false})
          s.add(new OpSpec("gridSample", true, g -> {
            Inputs in = new Inputs(g);
            int n = 1 + in.nextInt(2);
            in.leaf(new int[] {n, 2, 3 + in.nextInt(3), 3 + in.nextInt(3)}, ANY);
            in.leaf(new int[] {n, 2, 3, 2}, UNIT);
            return in.build(t -> t[0].gridSample(t[1].mul(1.3), bilinear, padding, ac));
          }));
    for (int d : new int[] {3, 17}) // 17: a full vector of channels and a tail
      s.add(new OpSpec("msDeformAttn", true, g -> {
        Inputs in = new Inputs(g);
        int n = 1 + in.nextInt(2), m = 2, lq = 3, levels = 2, points = 2;
        in.leaf(new int[] {n, 3 * 4 + 2 * 3, m, d}, ANY);
        in.leaf(new int[] {n, lq, m, levels, points, 2}, UNIT);
        in.leaf(new int[] {n, lq, m, levels, points}, ANY);
        in.constant(Tensor.of(new long[] {3, 4, 2, 3}, 2, 2));
        in.constant(Tensor.of(new long[] {0, 12}, 2));
        // locations spread over [-0.05, 1.05], so that some corners fall outside
        return in.build(t -> t[0].msDeformAttn(t[3], t[4], t[1].mul(0.55).add(0.5), t[2]));
      }));
    s.add(image("maxPool2d", (x, in) -> x.maxPool2d(new int[] {3}, new int[] {2}, new int[] {1}).values()));
    // the CPU kernel's other paths: 18 samples per query (two vectors of lanes), 32 channels (two vectors), and
    // 37 queries (batches of 16 and a remainder)
    s.add(new OpSpec("msDeformAttn", true, g -> {
      Inputs in = new Inputs(g);
      int n = 1, m = 2, lq = 37, levels = 3, points = 6;
      in.leaf(new int[] {n, 3 * 4 + 2 * 3 + 5, m, 32}, ANY);
      in.leaf(new int[] {n, lq, m, levels, points, 2}, UNIT);
      in.leaf(new int[] {n, lq, m, levels, points}, ANY);
      in.constant(Tensor.of(new long[] {3, 4, 2, 3, 1, 5}, 3, 2));
      in.constant(Tensor.of(new long[] {0, 12, 18}, 3));
      return in.build(t -> t[0].msDeformAttn(t[3], t[4], t[1].mul(0.55).add(0.5), t[2]));
    }));
    s.add(image("maxPool2d", (x, in) -> x.maxPool2d(new int[] {2, 3}, new int[] {1, 2}, new int[] {0, 1}).indices()).constant());
    s.add(image("avgPool2d", (x, in) -> x.avgPool2d(new int[] {3}, new int[] {2}, new int[] {1}, true)));
    s.add(image("avgPool2d", (x, in) -> x.avgPool2d(new int[] {3, 2}, new int[] {1}, new int[] {1, 1}, false)));
    s.add(image("adaptiveAvgPool2d", (x, in) -> x.adaptiveAvgPool2d(3, 2)));
    s.add(normalisation("groupNorm", (t, c) -> t[0].groupNorm(2, t[1], t[2], 1e-5)));
    s.add(normalisation("instanceNorm", (t, c) -> t[0].instanceNorm(t[1], t[2], 1e-5)));
    s.add(normalisation("layerNorm2d", (t, c) -> t[0].layerNorm2d(t[1], t[2], 1e-6)));
    s.add(normalisation("batchNorm", (t, c) -> t[0].batchNorm(null, null, t[1], t[2], true, 0.1, 1e-5)));
    s.add(new OpSpec("batchNorm", true, g -> {
      Inputs in = new Inputs(g);
      in.leaf(new int[] {3, 4, 2, 3}, ANY);
      in.constant(in.values(new int[] {4}, ANY));
      in.constant(in.values(new int[] {4}, POSITIVE));
      return in.build(t -> t[0].batchNorm(t[1], t[2], null, null, false, 0.1, 1e-5));
    }));
    s.add(new OpSpec("resampleAbsPosEmbed", true, g -> {
      Inputs in = new Inputs(g);
      int prefix = in.nextInt(3);
      in.leaf(new int[] {1, prefix + 9, 3}, ANY);
      boolean antialias = in.coin();
      return in.build(t -> t[0].resampleAbsPosEmbed(new int[] {4, 2}, new int[] {3, 3}, prefix, InterpolationMode.BICUBIC, antialias));
    }).gradient(1e-2, 1e-3)); // resampled in F32, as timm does: finer differences would measure rounding
    return s;
  }

  /** One (N, C, H, W) input with H, W in 3..6. */
  private static OpSpec image(String name, BiFunction<Tensor, Inputs, Tensor> op) {
    return new OpSpec(name, true, g -> {
      Inputs in = new Inputs(g);
      in.leaf(new int[] {1 + in.nextInt(2), 1 + in.nextInt(3), 3 + in.nextInt(4), 3 + in.nextInt(4)}, ANY);
      return in.build(t -> op.apply(t[0], in));
    });
  }

  /** Input (N, 4, H, W) with per-channel weight and bias leaves. */
  private static OpSpec normalisation(String name, BiFunction<Tensor[], Integer, Tensor> op) {
    return new OpSpec(name, true, g -> {
      Inputs in = new Inputs(g);
      in.leaf(new int[] {2 + in.nextInt(2), 4, 2 + in.nextInt(3), 2 + in.nextInt(3)}, ANY);
      in.leaf(new int[] {4}, ANY);
      in.leaf(new int[] {4}, ANY);
      return in.build(t -> op.apply(t, 4));
    }).gradient(1e-6, 1e-4);
  }
}
