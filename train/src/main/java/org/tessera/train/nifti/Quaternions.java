package org.tessera.train.nifti;

/** Unit quaternions of rotation matrices, for the NIfTI qform. */
final class Quaternions {
  private Quaternions() {}

  /**
   * (a, b, c, d) of a proper rotation matrix (det +1), with a ≥ 0 as NIfTI stores only b, c, d. Shepperd's method:
   * the largest of the four squared components is computed first, so no division is by a small number.
   */
  static double[] fromRotation(double[][] r) {
    double trace = r[0][0] + r[1][1] + r[2][2];
    double a, b, c, d;
    if (trace > 0) {
      double s = 2 * Math.sqrt(1 + trace);
      a = s / 4;
      b = (r[2][1] - r[1][2]) / s;
      c = (r[0][2] - r[2][0]) / s;
      d = (r[1][0] - r[0][1]) / s;
    } else if (r[0][0] > r[1][1] && r[0][0] > r[2][2]) {
      double s = 2 * Math.sqrt(1 + r[0][0] - r[1][1] - r[2][2]);
      a = (r[2][1] - r[1][2]) / s;
      b = s / 4;
      c = (r[0][1] + r[1][0]) / s;
      d = (r[0][2] + r[2][0]) / s;
    } else if (r[1][1] > r[2][2]) {
      double s = 2 * Math.sqrt(1 + r[1][1] - r[0][0] - r[2][2]);
      a = (r[0][2] - r[2][0]) / s;
      b = (r[0][1] + r[1][0]) / s;
      c = s / 4;
      d = (r[1][2] + r[2][1]) / s;
    } else {
      double s = 2 * Math.sqrt(1 + r[2][2] - r[0][0] - r[1][1]);
      a = (r[1][0] - r[0][1]) / s;
      b = (r[0][2] + r[2][0]) / s;
      c = (r[1][2] + r[2][1]) / s;
      d = s / 4;
    }
    // q and −q are the same rotation: keep a ≥ 0
    return a < 0 ? new double[] {-a, -b, -c, -d} : new double[] {a, b, c, d};
  }
}
