package org.tessera.autograd;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/** The core stays readable: no source file of tensor/ or autograd/ grows past 600 lines (shared/style.md §9). */
class LineBudgetTest {
  static final int BUDGET = 600;

  @Test
  void coreFilesStayWithinTheBudget() throws IOException {
    List<String> over;
    try (Stream<Path> files = Stream.concat(Files.walk(Path.of("..", "tensor", "src", "main")), Files.walk(Path.of("src", "main")))) {
      over = files.filter(p -> p.toString().endsWith(".java")).filter(p -> lines(p) > BUDGET).map(p -> p + " (" + lines(p) + " lines)").toList();
    }
    assertEquals(List.of(), over);
  }

  private static long lines(Path p) {
    try (Stream<String> s = Files.lines(p)) {
      return s.count();
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }
}
