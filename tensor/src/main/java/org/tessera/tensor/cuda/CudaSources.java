package org.tessera.tensor.cuda;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The kernel sources, resources beside this class, compiled by NVRTC at first use. A line {@code #include "x.cuh"}
 * is replaced by that resource (once per source), so what NVRTC and the nvcc test compile is one self-contained text.
 */
final class CudaSources {
  /** Every .cu file of the backend (the nvcc compile test walks this list). */
  static final List<String> ALL = List.of("elementwise.cu", "reduce.cu", "optimizer.cu", "conv.cu", "index.cu", "attention.cu", "deformable.cu", "sort.cu");
  private static final Pattern INCLUDE = Pattern.compile("(?m)^#include \"([\\w.]+)\"$");

  private CudaSources() {}

  static String read(String name) {
    return withIncludes(name, new HashSet<>());
  }

  private static String withIncludes(String name, Set<String> included) {
    included.add(name);
    Matcher m = INCLUDE.matcher(resource(name));
    StringBuilder out = new StringBuilder();
    while (m.find()) m.appendReplacement(out, Matcher.quoteReplacement(included.contains(m.group(1)) ? "" : withIncludes(m.group(1), included)));
    m.appendTail(out);
    return out.toString();
  }

  private static String resource(String name) {
    try (InputStream in = CudaSources.class.getResourceAsStream(name)) {
      if (in == null) throw new IllegalStateException("missing CUDA source resource " + name);
      return new String(in.readAllBytes(), StandardCharsets.UTF_8);
    } catch (IOException e) {
      throw new UncheckedIOException("reading CUDA source " + name, e);
    }
  }
}
