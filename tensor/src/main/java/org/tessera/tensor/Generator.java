package org.tessera.tensor;

/**
 * A seeded random stream (SplitMix64), so that every random tensor, dropout mask and augmentation is reproducible.
 * Its whole state is one long: {@link #state()} / {@link #setState} put it in a checkpoint and take it back.
 */
public final class Generator {
  private long state;

  public Generator(long seed) {
    this.state = seed;
  }

  public long nextLong() {
    long z = (state += 0x9E3779B97F4A7C15L);
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** Uniform in [0, 1) with 53 random bits. */
  public double nextDouble() {
    return (nextLong() >>> 11) * 0x1.0p-53;
  }

  /** Uniform in [0, bound), without modulo bias. */
  public long nextLong(long bound) {
    if (bound <= 0) throw new IllegalArgumentException("bound must be positive, got " + bound);
    long limit = Long.MAX_VALUE - Long.MAX_VALUE % bound;
    long r;
    do r = nextLong() >>> 1; while (r >= limit);
    return r % bound;
  }

  /** Standard normal by the Box-Muller transform. The sine half is dropped so that the state stays one long. */
  public double nextGaussian() {
    double u1 = 1 - nextDouble(); // (0, 1]: the log stays finite
    double u2 = nextDouble();
    return Math.sqrt(-2 * Math.log(u1)) * Math.cos(2 * Math.PI * u2);
  }

  public long state() {
    return state;
  }

  public void setState(long state) {
    this.state = state;
  }
}
