package org.tessera.tensor.cpu;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;

/**
 * The CPU's vendor, for the few blocking choices that were measured to differ between the cores we run on (as
 * BLAS libraries keep per-core parameters): read once from Linux's /proc/cpuinfo, empty elsewhere.
 */
final class CpuVendor {
  static final boolean INTEL = "GenuineIntel".equals(read(Path.of("/proc/cpuinfo")));

  private CpuVendor() {}

  /** The first {@code vendor_id} of a cpuinfo file, or "" when there is none or it cannot be read. */
  static String read(Path cpuinfo) {
    try (Stream<String> lines = Files.lines(cpuinfo)) {
      return lines.filter(l -> l.startsWith("vendor_id")).map(l -> l.substring(l.indexOf(':') + 1).trim()).findFirst().orElse("");
    } catch (IOException | UncheckedIOException e) {
      return "";
    }
  }
}
