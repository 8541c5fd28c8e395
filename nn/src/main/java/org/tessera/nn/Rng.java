package org.tessera.nn;

import org.tessera.tensor.Generator;

/**
 * The default random stream of layers (initialisation, dropout, drop path), like torch's global generator:
 * {@link #manualSeed} makes a run reproducible; {@link #generator()} gives the stream, whose state a checkpoint keeps.
 */
public final class Rng {
  private static final Generator GLOBAL = new Generator(0);

  private Rng() {}

  public static Generator generator() {
    return GLOBAL;
  }

  public static void manualSeed(long seed) {
    GLOBAL.setState(seed);
  }
}
