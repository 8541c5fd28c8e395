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

  /**
   * A reduction (reduce.cu): one block per output while that fits in the resident blocks, each block a power of two
   * of threads from 32 (a warp) to 256, no more than the reduced elements need.
   */
  static Launch reduction(long outputs, long reducedPerOutput, int multiprocessors) {
    if (outputs <= 0) throw new IllegalArgumentException("a reduction needs at least one output, got " + outputs);
    int threads = 32;
    while (threads < THREADS && threads < reducedPerOutput) threads *= 2;
    return new Launch((int) Math.min(outputs, (long) multiprocessors * BLOCKS_PER_SM), threads);
  }
}
