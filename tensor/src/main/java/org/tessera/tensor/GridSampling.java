package org.tessera.tensor;

/**
 * torch.nn.functional.grid_sample for 4-D input, composed of differentiable ops so that both the input and the
 * grid get gradients: grid (N, Ho, Wo, 2) holds (x, y) in [-1, 1]; corners outside the input contribute zero.
 */
final class GridSampling {
  private GridSampling() {}

  static Tensor sample(Tensor input, Tensor grid, boolean bilinear, GridPadding padding, boolean alignCorners) {
    if (input.dim() != 4 || grid.dim() != 4 || grid.size(3) != 2 || grid.size(0) != input.size(0))
      throw new IllegalArgumentException("grid_sample: expected input (N, C, H, W) and grid (N, Ho, Wo, 2), got " + Shapes.str(input.shape()) + " and "
          + Shapes.str(grid.shape()));
    int n = input.size(0), c = input.size(1), h = input.size(2), w = input.size(3), ho = grid.size(1), wo = grid.size(2);
    Tensor x = coordinate(grid.select(3, 0), w, padding, alignCorners), y = coordinate(grid.select(3, 1), h, padding, alignCorners);
    Tensor flat = input.reshape(n, c, h * w);
    Tensor out;
    if (bilinear) {
      Tensor x0 = x.floor().detach(), y0 = y.floor().detach();
      Tensor wx1 = x.sub(x0), wy1 = y.sub(y0), wx0 = wx1.neg().add(1), wy0 = wy1.neg().add(1);
      out = corner(flat, x0, y0, h, w, wx0.mul(wy0))
          .add(corner(flat, x0.add(1), y0, h, w, wx1.mul(wy0)))
          .add(corner(flat, x0, y0.add(1), h, w, wx0.mul(wy1)))
          .add(corner(flat, x0.add(1), y0.add(1), h, w, wx1.mul(wy1)));
    } else {
      out = corner(flat, x.round().detach(), y.round().detach(), h, w, null);
    }
    return out.reshape(n, c, ho, wo);
  }

  /** Input values at integer positions (xi, yi) (N, Ho, Wo) times weight, zero outside the input. */
  private static Tensor corner(Tensor flat, Tensor xi, Tensor yi, int h, int w, Tensor weight) {
    int n = flat.size(0), c = flat.size(1);
    Tensor inside = xi.ge(0).logicalAnd(xi.le(w - 1)).logicalAnd(yi.ge(0)).logicalAnd(yi.le(h - 1));
    Tensor index = yi.clamp(0, h - 1).mul(w).add(xi.clamp(0, w - 1)).to(DType.I64).reshape(n, 1, -1);
    Tensor values = flat.gather(2, index.expand(n, c, index.size(2)));
    Tensor scale = inside.to(flat.dtype());
    if (weight != null) scale = scale.mul(weight);
    return values.mul(scale.reshape(n, 1, -1));
  }

  /** Pixel coordinate of a normalised one, after the padding mode's clipping or reflection. */
  private static Tensor coordinate(Tensor g, int size, GridPadding padding, boolean alignCorners) {
    Tensor p = alignCorners ? g.add(1).mul((size - 1) / 2.0) : g.add(1).mul(size).sub(1).div(2);
    return switch (padding) {
      case ZEROS -> p;
      case BORDER -> clip(p, size);
      case REFLECTION -> clip(alignCorners ? reflect(p, 0, 2 * (size - 1)) : reflect(p, -1, 2 * size - 1), size);
    };
  }

  /** Clamps to [0, size − 1] with a gradient only strictly inside, as torch's clip_coordinates_set_grad. */
  private static Tensor clip(Tensor p, int size) {
    return p.where(p.gt(0).logicalAnd(p.lt(size - 1)), p.clamp(0, size - 1).detach());
  }

  /** Reflects coordinates into [twiceLow/2, twiceHigh/2] as torch's reflect_coordinates. */
  private static Tensor reflect(Tensor p, int twiceLow, int twiceHigh) {
    if (twiceLow == twiceHigh) return p.mul(0);
    double min = twiceLow / 2.0, span = (twiceHigh - twiceLow) / 2.0;
    Tensor d = p.sub(min).abs();
    Tensor flips = d.div(span).floor().detach();
    Tensor extra = d.sub(flips.mul(span));
    Tensor even = flips.sub(flips.div(2).floor().mul(2)).eq(0);
    return extra.add(min).where(even, extra.neg().add(span + min));
  }
}
