package org.tessera.models;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;
import org.tessera.models.vit.VisionTransformer;
import org.tessera.models.vit.VitConfig;

/** The state dict of each variant against a committed golden list of "name shape" (so name drift fails in CI). */
class GoldenKeysTest {
  @Test
  void dinov3VitBaseHasTheOriginalCheckpointsKeys() throws IOException {
    Set<String> golden = Files.readAllLines(Path.of("src", "test", "resources", "golden", "dinov3_vitb16.txt")).stream()
        .filter(l -> !l.startsWith("#") && !l.isBlank()).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(188, golden.size());
    Set<String> ours = new VisionTransformer(VitConfig.dinov3("base"), 0).stateDict().entrySet().stream()
        .map(e -> e.getKey() + " " + Arrays.toString(e.getValue().shape())).collect(Collectors.toCollection(TreeSet::new));
    assertEquals(golden, ours);
  }
}
