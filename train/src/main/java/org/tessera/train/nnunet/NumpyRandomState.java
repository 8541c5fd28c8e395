package org.tessera.train.nnunet;

/**
 * The Mersenne Twister of NumPy's legacy {@code np.random.RandomState(seed)} with an integer seed, as far as nnU-Net
 * needs it: {@code shuffle} of a 1-D array (scikit-learn's shuffled {@code KFold} behind {@code splits_final.json}).
 */
final class NumpyRandomState {
  private static final int N = 624, M = 397;
  private final int[] mt = new int[N];
  private int index;

  NumpyRandomState(long seed) {
    if (seed < 0 || seed > 0xffffffffL) throw new IllegalArgumentException("RandomState: the seed must be between 0 and 2**32 - 1, got " + seed);
    mt[0] = (int) seed;
    for (int i = 1; i < N; i++) mt[i] = 1812433253 * (mt[i - 1] ^ (mt[i - 1] >>> 30)) + i;
    index = N;
  }

  /** The next 32 random bits (genrand_int32). */
  int nextInt32() {
    if (index >= N) {
      for (int i = 0; i < N; i++) {
        int y = (mt[i] & 0x80000000) | (mt[(i + 1) % N] & 0x7fffffff);
        mt[i] = mt[(i + M) % N] ^ (y >>> 1) ^ ((y & 1) != 0 ? 0x9908b0df : 0);
      }
      index = 0;
    }
    int y = mt[index++];
    y ^= y >>> 11;
    y ^= (y << 7) & 0x9d2c5680;
    y ^= (y << 15) & 0xefc60000;
    return y ^ (y >>> 18);
  }

  /** A uniform integer in [0, max] by masked rejection, as NumPy's legacy {@code random_interval} (max < 2^32). */
  long interval(long max) {
    if (max == 0) return 0;
    long mask = max;
    for (int s = 1; s <= 16; s <<= 1) mask |= mask >>> s;
    long value;
    do value = (nextInt32() & 0xffffffffL) & mask;
    while (value > max);
    return value;
  }

  /** {@code RandomState.shuffle} of a 1-D array: Fisher–Yates from the end. */
  void shuffle(int[] a) {
    for (int i = a.length - 1; i > 0; i--) {
      int j = (int) interval(i), t = a[i];
      a[i] = a[j];
      a[j] = t;
    }
  }
}
