package org.tessera.benchmarks;

import org.tessera.tensor.Tensor;

/** The JDK's checkFunctionsAgree for our kernels: a benchmark first proves its kernel right, then times it. */
final class Checks {
  private Checks() {}

  static void agreeWithReference(String what, Tensor fast, Tensor reference, double tolerance) {
    double[] got = fast.toDoubleArray(), want = reference.toDoubleArray();
    if (got.length != want.length) throw new IllegalStateException(what + ": " + got.length + " elements, reference has " + want.length);
    double scale = 0;
    for (double w : want) scale = Math.max(scale, Math.abs(w));
    for (int i = 0; i < got.length; i++)
      if (Math.abs(got[i] - want[i]) > tolerance * Math.max(scale, 1))
        throw new IllegalStateException(what + " disagrees with the reference backend at element " + i + ": " + got[i] + " vs " + want[i]);
  }
}
