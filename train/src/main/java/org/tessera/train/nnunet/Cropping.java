package org.tessera.train.nnunet;

/** nnU-Net's crop to the non-zero region: the bounding box of the voxels where any channel is not 0. */
final class Cropping {
  private Cropping() {}

  /** {z0, z1, y0, y1, x0, x1}, ends exclusive; the whole volume when every voxel is 0. */
  static int[] nonzeroBox(Volume v) {
    int[] s = v.shape();
    int z0 = s[0], z1 = 0, y0 = s[1], y1 = 0, x0 = s[2], x1 = 0;
    for (int z = 0; z < s[0]; z++)
      for (int y = 0; y < s[1]; y++)
        for (int x = 0; x < s[2]; x++) {
          int i = (z * s[1] + y) * s[2] + x;
          boolean nonzero = false;
          for (float[] c : v.channels()) nonzero |= c[i] != 0;
          if (!nonzero) continue;
          z0 = Math.min(z0, z);
          z1 = Math.max(z1, z + 1);
          y0 = Math.min(y0, y);
          y1 = Math.max(y1, y + 1);
          x0 = Math.min(x0, x);
          x1 = Math.max(x1, x + 1);
        }
    return z1 == 0 ? new int[] {0, s[0], 0, s[1], 0, s[2]} : new int[] {z0, z1, y0, y1, x0, x1};
  }

  /** The box's part of a (z, y, x) array. */
  static float[] crop(float[] a, int[] shape, int[] box) {
    return copyBox(a, new float[size(box)], shape, box);
  }

  static byte[] crop(byte[] a, int[] shape, int[] box) {
    return copyBox(a, new byte[size(box)], shape, box);
  }

  static boolean[] crop(boolean[] a, int[] shape, int[] box) {
    return copyBox(a, new boolean[size(box)], shape, box);
  }

  private static int size(int[] box) {
    return (box[1] - box[0]) * (box[3] - box[2]) * (box[5] - box[4]);
  }

  /** Row by row: {@code to} is the box of {@code from}, arrays of one primitive type. */
  private static <A> A copyBox(A from, A to, int[] shape, int[] box) {
    int nz = box[1] - box[0], ny = box[3] - box[2], nx = box[5] - box[4];
    for (int z = 0; z < nz; z++)
      for (int y = 0; y < ny; y++) System.arraycopy(from, ((z + box[0]) * shape[1] + y + box[2]) * shape[2] + box[4], to, (z * ny + y) * nx, nx);
    return to;
  }
}
