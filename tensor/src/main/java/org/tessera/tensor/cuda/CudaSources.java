package org.tessera.tensor.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.List;

/** The kernel sources, resources beside this class, compiled by NVRTC at first use. */
final class CudaSources {
  /** Every .cu file of the backend (the nvcc compile test walks this list). */
  static final List<String> ALL = List.of("elementwise.cu", "optimizer.cu");

  private CudaSources() {}

  static String read(String name) {
    try (InputStream in = CudaSources.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing CUDA source resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading CUDA source " + name, e);
    }
  }
}
