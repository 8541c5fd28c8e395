package org.tessera.tensor.cuda;

/** The grid and block of a one-dimensional kernel launch; kernels loop with a grid stride over their elements. */
record Launch(int blocks, int threads) {
  static final int THREADS = 256;
  // resident blocks per multiprocessor worth filling: 2048 threads per SM on sm_80/sm_90 = 8 blocks of 256
  static final int BLOCKS_PER_SM = 8;

  /**
   * A grid-stride launch over n elements: one thread per element while that fits in the resident blocks of the whole
   * device, else those blocks, each thread looping over several elements.
   */
  static Launch elementwise(long n, int multiprocessors) {
    if (n <= 0) throw new IllegalArgumentException("a launch needs at least one element, got " + n);
    long wanted = (n + THREADS - 1) / THREADS;
    return new Launch((int) Math.min(wanted, (long) multiprocessors * BLOCKS_PER_SM), THREADS);
  }
}
