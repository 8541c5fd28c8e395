package org.tessera.train.nifti;

import org.tessera.tensor.DType;
import org.tessera.tensor.Tensor;

/**
 * A NIfTI image: its header and the stored voxel values as a tensor whose shape is the NIfTI dims reversed — (z, y, x)
 * for a volume, the layout of the file (x fastest) and of SimpleITK's arrays, which nnU-Net uses.
 *
 * @param raw the values as stored, before scl_slope/scl_inter, in the dtype of {@link NiftiType#dtype}
 */
public record NiftiImage(NiftiHeader header, Tensor raw) {
  /** The values in F32 with scl_slope and scl_inter applied, as nnU-Net's readers give them. */
  public Tensor floats() {
    return scaled(DType.F32);
  }

  /** The values with scaling applied, in the given float dtype (F64 matches nibabel's {@code get_fdata()}). */
  public Tensor scaled(DType dtype) {
    Tensor x = raw.to(dtype);
    if (!header.scaled()) return x;
    double inter = Double.isNaN(header.sclInter) ? 0 : header.sclInter;
    return x.mul(header.sclSlope).add(inter);
  }
}
