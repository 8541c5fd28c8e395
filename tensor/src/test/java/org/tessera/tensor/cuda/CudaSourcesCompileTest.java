package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Compiles every kernel source for the H100 (sm_90) with nvcc where it is on the PATH, failing on any error or
 * warning (register spills included), and prints each kernel's registers and spills. NVRTC compiles the same
 * sources at first use on a real device; this is the proof we have on machines without a GPU. Local memory as such
 * is allowed: sinf/cosf keep a 32–40 byte table on the stack for the Payne–Hanek reduction of huge arguments.
 */
class CudaSourcesCompileTest {
  @TempDir Path dir;

  static Stream<String> sources() {
    return CudaSources.ALL.stream();
  }

  @ParameterizedTest
  @MethodSource("sources")
  void compilesForSm90WithoutWarnings(String name) throws IOException, InterruptedException {
    Optional<Path> nvcc = onPath("nvcc");
    assumeTrue(nvcc.isPresent(), "nvcc is not on the PATH: " + name + " was not compiled");
    Path source = dir.resolve(name);
    Files.writeString(source, CudaSources.read(name));
    Process p = new ProcessBuilder(nvcc.get().toString(), "-arch=sm_90", "-c", "-x", "cu", source.toString(), "-o",
        dir.resolve(name + ".o").toString(), "--resource-usage", "-Werror", "all-warnings", "-Xptxas", "-warn-spills")
        .redirectErrorStream(true).start();
    String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), name + ": nvcc failed:\n" + output);
    assertFalse(output.toLowerCase().contains("warning"), name + ": nvcc warned:\n" + output);
    System.out.println(name + ": " + resourceSummary(output));
  }

  /** Kernels, the most registers any uses, and the total spill bytes, from ptxas's resource-usage lines. */
  static String resourceSummary(String ptxasOutput) {
    Matcher registers = Pattern.compile("Used (\\d+) registers").matcher(ptxasOutput);
    int kernels = 0, maxRegisters = 0;
    while (registers.find()) {
      kernels++;
      maxRegisters = Math.max(maxRegisters, Integer.parseInt(registers.group(1)));
    }
    Matcher spills = Pattern.compile("(\\d+) bytes spill stores").matcher(ptxasOutput);
    long spillBytes = 0;
    while (spills.find()) spillBytes += Long.parseLong(spills.group(1));
    return kernels + " kernels, at most " + maxRegisters + " registers, " + spillBytes + " bytes of spill stores";
  }

  private static Optional<Path> onPath(String program) {
    for (String dir : List.of(System.getenv().getOrDefault("PATH", "").split(File.pathSeparator))) {
      Path candidate = Path.of(dir, program);
      if (Files.isExecutable(candidate)) return Optional.of(candidate);
    }
    return Optional.empty();
  }
}
