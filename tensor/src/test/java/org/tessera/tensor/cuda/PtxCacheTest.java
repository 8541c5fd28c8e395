package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The PTX disk cache: keyed by source, compiler and options; a hit compiles nothing; an unwritable place only costs compiles. */
class PtxCacheTest {
  @TempDir Path dir;

  private static Supplier<String> counting(AtomicInteger compiles, String ptx) {
    return () -> {
      compiles.incrementAndGet();
      return ptx;
    };
  }

  @Test
  void aSecondRunReadsWhatTheFirstCompiled() throws IOException {
    AtomicInteger compiles = new AtomicInteger();
    String key = PtxCache.key("index.cu", "source text", "nvrtc 12.6", "--gpu-architecture=sm_90", "--std=c++17");
    assertEquals("// ptx", new PtxCache(dir).get(key, counting(compiles, "// ptx")));
    assertEquals("// ptx", new PtxCache(dir).get(key, counting(compiles, "// other")), "a new cache object: the file is read");
    assertEquals(1, compiles.get());
    try (var files = Files.list(dir)) {
      assertEquals(java.util.List.of(key), files.map(p -> p.getFileName().toString()).toList(), "no temporary file is left");
    }
    assertTrue(key.matches("index\\.cu-[0-9a-f]{32}\\.ptx"), key);
  }

  @Test
  void anEditedSourceAnotherArchitectureOrCompilerIsAnotherFile() {
    String base = PtxCache.key("a.cu", "text", "nvrtc 12.6", "--gpu-architecture=sm_90");
    assertNotEquals(base, PtxCache.key("a.cu", "text ", "nvrtc 12.6", "--gpu-architecture=sm_90"));
    assertNotEquals(base, PtxCache.key("a.cu", "text", "nvrtc 12.6", "--gpu-architecture=sm_80"));
    assertNotEquals(base, PtxCache.key("a.cu", "text", "nvrtc 12.8", "--gpu-architecture=sm_90"));
    assertEquals(base, PtxCache.key("a.cu", "text", "nvrtc 12.6", "--gpu-architecture=sm_90"));
  }

  @Test
  void anEvictedFileIsCompiledAgain() {
    AtomicInteger compiles = new AtomicInteger();
    PtxCache cache = new PtxCache(dir);
    cache.get("k.ptx", counting(compiles, "old"));
    cache.evict("k.ptx");
    assertEquals("new", cache.get("k.ptx", counting(compiles, "new")));
    assertEquals(2, compiles.get());
  }

  @Test
  void aPlaceThatCannotBeWrittenOnlyMeansCompiling() throws IOException {
    Path file = Files.writeString(dir.resolve("not-a-directory"), "x");
    AtomicInteger compiles = new AtomicInteger();
    PtxCache cache = new PtxCache(file.resolve("ptx"));
    assertEquals("p", cache.get("k.ptx", counting(compiles, "p")));
    assertEquals("p", cache.get("k.ptx", counting(compiles, "p")));
    assertEquals(2, compiles.get());
  }
}
