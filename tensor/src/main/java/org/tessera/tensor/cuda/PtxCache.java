package org.tessera.tensor.cuda;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AtomicMoveNotSupportedException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.function.Supplier;

/**
 * NVRTC's output kept on disk between runs, so that a run does not recompile every kernel source at its start: one
 * PTX file per source text, compiler version and options (the architecture among them), named by a SHA-256 of all
 * of them, so an edited source, another GPU or another NVRTC never reads a stale file. Files are written to a
 * temporary name and renamed; a directory that cannot be written only means compiling each time.
 */
final class PtxCache {
  private final Path dir; // null: no cache

  PtxCache(Path dir) {
    this.dir = dir;
  }

  /** $TESSERA_CACHE_DIR/ptx, else $XDG_CACHE_HOME/tessera/ptx, else ~/.cache/tessera/ptx. */
  static PtxCache standard() {
    String own = System.getenv("TESSERA_CACHE_DIR"), xdg = System.getenv("XDG_CACHE_HOME");
    Path base = own != null && !own.isEmpty() ? Path.of(own)
        : xdg != null && !xdg.isEmpty() ? Path.of(xdg, "tessera") : Path.of(System.getProperty("user.home"), ".cache", "tessera");
    return new PtxCache(base.resolve("ptx"));
  }

  /** The file name of a compile: the source's name and a digest of its text, the compiler and the options. */
  static String key(String name, String text, String compiler, String... options) {
    try {
      MessageDigest sha = MessageDigest.getInstance("SHA-256");
      for (String part : new String[] {text, compiler, String.join(" ", options)}) {
        sha.update(part.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) 0);
      }
      return name + "-" + HexFormat.of().formatHex(sha.digest(), 0, 16) + ".ptx";
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JDK", e);
    }
  }

  /** The cached PTX under {@code key}, else {@code compile}'s, which is then stored. */
  String get(String key, Supplier<String> compile) {
    Path file = dir == null ? null : dir.resolve(key);
    if (file != null && Files.isRegularFile(file)) {
      try {
        return Files.readString(file, StandardCharsets.UTF_8);
      } catch (IOException e) {
        // unreadable: compile instead
      }
    }
    String ptx = compile.get();
    if (file != null) store(file, ptx);
    return ptx;
  }

  /** Forgets {@code key}'s file (one the driver refused to load). */
  void evict(String key) {
    if (dir == null) return;
    try {
      Files.deleteIfExists(dir.resolve(key));
    } catch (IOException e) {
      // a file we cannot delete is overwritten by the next store
    }
  }

  private static void store(Path file, String ptx) {
    Path tmp = null;
    try {
      Files.createDirectories(file.getParent());
      tmp = Files.createTempFile(file.getParent(), file.getFileName().toString(), ".tmp");
      Files.writeString(tmp, ptx, StandardCharsets.UTF_8);
      try {
        Files.move(tmp, file, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
      } catch (AtomicMoveNotSupportedException e) {
        Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING);
      }
    } catch (IOException | UnsupportedOperationException e) {
      // not writable: the next run compiles again
      if (tmp != null)
        try {
          Files.deleteIfExists(tmp);
        } catch (IOException ignored) {
          // nothing more to do
        }
    }
  }
}
