package org.tessera.train.parity;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.nn.io.Safetensors;
import org.tessera.tensor.Backends;
import org.tessera.tensor.Device;
import org.tessera.tensor.Tensor;

/** Every committed PyTorch fixture passes on every backend; broken fixtures fail with a reason instead of crashing. */
class ParityFixturesTest {
  /** Surefire runs in the module directory; the fixtures live at the project root. */
  static final Path FIXTURES = Path.of("..", "fixtures", "ops");

  static Stream<Arguments> fixtures() throws IOException {
    List<Path> files;
    try (Stream<Path> s = Files.list(FIXTURES)) {
      files = s.filter(p -> p.toString().endsWith(".safetensors")).sorted().toList();
    }
    return Backends.available().stream().flatMap(d -> files.stream().map(f -> Arguments.of(f.getFileName().toString(), d, f)));
  }

  @ParameterizedTest(name = "{0} on {1}")
  @MethodSource("fixtures")
  void fixturePasses(String name, Device device, Path file) {
    ParityRunner.Result r = ParityRunner.run(file, device);
    assertEquals(ParityRunner.Status.PASS, r.status(), r.line());
  }

  @Test
  void fixturesCoverEveryOpOfTheVocabulary() throws IOException {
    java.util.Set<String> covered = new java.util.TreeSet<>();
    for (Arguments a : fixtures().toList()) covered.add(Safetensors.read((Path) a.get()[2]).metadata().get("op"));
    java.util.Set<String> missing = new java.util.TreeSet<>(ParityOps.OPS.keySet());
    missing.removeAll(covered);
    assertEquals(java.util.Set.of(), missing, "vocabulary ops without a committed fixture");
  }

  @Test
  void aWrongReferenceFailsWithTheTensorAndIndex(@TempDir Path dir) throws IOException {
    Safetensors.Contents c = Safetensors.read(FIXTURES.resolve("exp.safetensors"));
    Map<String, Tensor> tensors = new LinkedHashMap<>(c.tensors());
    tensors.put("out.y", tensors.get("out.y").mul(1.001));
    Safetensors.write(dir.resolve("exp.safetensors"), tensors, c.metadata());
    ParityRunner.Result r = ParityRunner.run(dir.resolve("exp.safetensors"), Device.CPU);
    assertEquals(ParityRunner.Status.FAIL, r.status());
    assertTrue(r.line().startsWith("FAIL exp  out.y  max|err|"), r.line());
  }

  @Test
  void aCorruptFileIsAFailNotACrash(@TempDir Path dir) throws IOException {
    Files.write(dir.resolve("broken.safetensors"), new byte[] {1, 2, 3});
    Files.copy(FIXTURES.resolve("neg.safetensors"), dir.resolve("neg.safetensors"));
    List<ParityRunner.Result> results = ParityRunner.runAll(dir, Device.CPU);
    ByteArrayOutputStream buf = new ByteArrayOutputStream();
    int failed = ParityRunner.report(results, new PrintStream(buf, true, StandardCharsets.UTF_8));
    String printed = buf.toString(StandardCharsets.UTF_8);
    assertEquals(1, failed);
    assertTrue(printed.contains("FAIL broken  IOException: " + dir.resolve("broken.safetensors") + ": not a valid safetensors file"), printed);
    assertTrue(printed.endsWith("1 passed, 1 failed, 0 skipped" + System.lineSeparator()), printed);
  }
}
