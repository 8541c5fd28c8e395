package org.tessera.train;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class ConfigTest {
  @Test
  void defaultsFileAndOverridesLayerInThatOrder(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("run.yaml");
    Files.writeString(file, "train:\n  epochs: 3\n  lr: 0.001\nmodel:\n  taps: [1, 3]\n");
    Config c = Config.load(file, List.of("train.epochs=7", "model.checkpoint_path=weights.pth", "lora.enabled=true"));
    assertEquals(7, c.integer("train.epochs"));
    assertEquals(0.001, c.number("train.lr"));
    assertEquals(16, c.integer("train.batch_size"));
    assertArrayEquals(new int[] {1, 3}, c.ints("model.taps"));
    assertEquals("weights.pth", c.text("model.checkpoint_path"));
    assertTrue(c.flag("lora.enabled"));
    assertNull(Config.load(null, List.of()).text("model.checkpoint_path"));
  }

  @Test
  void badInputIsOneLineNamingTheFileAndKey(@TempDir Path dir) throws IOException {
    Path file = dir.resolve("bad.yaml");
    Files.writeString(file, "train:\n  epoch: 3\n");
    var e = assertThrows(IllegalArgumentException.class, () -> Config.load(file, List.of()));
    assertEquals("config " + file + ": unknown key 'train.epoch'", e.getMessage());
    Files.writeString(file, "train: [unclosed\n");
    e = assertThrows(IllegalArgumentException.class, () -> Config.load(file, List.of()));
    assertTrue(e.getMessage().startsWith("config " + file + ": not valid YAML"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Config.load(null, List.of("train.epochs")));
    assertTrue(e.getMessage().contains("expected key=value"), e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Config.load(null, List.of("train.speed=3")));
    assertEquals("override 'train.speed=3': unknown key 'train.speed'", e.getMessage());
    Config c = Config.load(null, List.of("train.epochs=many", "model.name=unet"));
    e = assertThrows(IllegalArgumentException.class, () -> c.integer("train.epochs"));
    assertEquals("config built-in defaults: train.epochs must be an integer, got \"many\"", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> c.choice("model.name", "primus", "primus_multiscale"));
    assertTrue(e.getMessage().contains("model.name is 'unet'"), e.getMessage());
  }
}
