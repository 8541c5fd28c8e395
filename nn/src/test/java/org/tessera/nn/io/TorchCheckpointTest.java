package org.tessera.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.nn.Linear;
import org.tessera.nn.Module;
import org.tessera.tensor.DType;
import org.tessera.tensor.Tensor;

/** .pth files written by Debian's python3-torch (scripts/make_fixtures.py) read back exactly, and safely. */
class TorchCheckpointTest {
  static final Path DIR = Path.of("..", "fixtures", "checkpoints");

  @Test
  void readsEveryTensorAsPyTorchWroteIt() throws IOException {
    Map<String, Tensor> got = TorchCheckpoint.stateDict(DIR.resolve("state_dict.pth"));
    Map<String, Tensor> want = Safetensors.read(DIR.resolve("state_dict_expected.safetensors")).tensors();
    for (String k : got.keySet()) {
      assertEquals(want.get(k).dtype(), got.get(k).dtype(), k);
      assertArrayEquals(want.get(k).shape(), got.get(k).shape(), k);
      assertArrayEquals(want.get(k).to(DType.F64).toDoubleArray(), got.get(k).to(DType.F64).toDoubleArray(), k);
    }
    assertEquals(List.of("0.weight", "0.bias", "1.weight", "1.bias", "1.running_mean", "1.running_var", "1.num_batches_tracked", "2.weight", "2.bias",
        "transposed", "shared_a", "shared_b", "half", "bf16", "mask"), List.copyOf(got.keySet()));
    assertArrayEquals(new float[] {0, 4, 8, 1, 5, 9, 2, 6, 10, 3, 7, 11}, got.get("transposed").toFloatArray()); // strides honoured
    assertArrayEquals(new float[] {5, 6, 7, 8, 9}, got.get("shared_b").toFloatArray()); // storage offset honoured
  }

  /** A torch Linear's weights load by name into ours and give PyTorch's output. */
  @Test
  void aLoadedLinearGivesPyTorchsOutput() throws IOException {
    Map<String, Tensor> sd = TorchCheckpoint.stateDict(DIR.resolve("state_dict.pth"));
    Linear linear = new Linear(4, 3, true);
    Module.LoadResult r = linear.loadStateDict(Map.of("weight", sd.get("0.weight"), "bias", sd.get("0.bias")), true);
    assertTrue(r.clean());
    Map<String, Tensor> want = Safetensors.read(DIR.resolve("state_dict_expected.safetensors")).tensors();
    assertArrayEquals(want.get("linear_output").toFloatArray(), linear.forward(want.get("input")).toFloatArray(), 1e-6f);
  }

  @Test
  void nestedCheckpointsYieldTheNamedStateDict() throws IOException {
    Map<String, Tensor> teacher = TorchCheckpoint.stateDict(DIR.resolve("teacher.pth"), "teacher", "model", "state_dict");
    assertEquals(List.of("backbone.weight", "backbone.bias"), List.copyOf(teacher.keySet()));
    Map<?, ?> all = (Map<?, ?>) TorchCheckpoint.load(DIR.resolve("teacher.pth"));
    assertEquals(1200L, all.get("iteration"));
    assertEquals(java.util.Arrays.asList("a", 1.5, null, true), all.get("args"));
  }

  @Test
  void aCheckpointThatWouldRunCodeIsRefused() {
    IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.load(DIR.resolve("malicious.pth")));
    assertTrue(e.getMessage().contains("refused to load global 'posix.system'"), e.getMessage());
    assertTrue(e.getMessage().startsWith(DIR.resolve("malicious.pth").toString()), e.getMessage());
  }

  @Test
  void brokenFilesNameTheFileAndTheFault(@TempDir Path dir) throws IOException {
    Path text = dir.resolve("notes.pth");
    Files.writeString(text, "not a checkpoint");
    IOException e = assertThrows(IOException.class, () -> TorchCheckpoint.load(text));
    assertTrue(e.getMessage().startsWith(text + ": not a PyTorch zip checkpoint"), e.getMessage());

    byte[] whole = Files.readAllBytes(DIR.resolve("state_dict.pth"));
    Path truncated = dir.resolve("truncated.pth");
    Files.write(truncated, java.util.Arrays.copyOf(whole, whole.length / 2));
    e = assertThrows(IOException.class, () -> TorchCheckpoint.load(truncated));
    assertTrue(e.getMessage().startsWith(truncated.toString()), e.getMessage());
  }

  /** MedDINOv3's recipe: the teacher dict, without ibot and dino_head keys, "backbone." stripped. */
  @Test
  void keyMappingHelpersComposeIntoACheckpointFilter() throws IOException {
    Map<String, Tensor> sd = TorchCheckpoint.stateDict(DIR.resolve("teacher.pth"), "teacher");
    Map<String, Tensor> mapped = StateDicts.stripPrefix(StateDicts.filter(sd, "ibot|dino_head", false), "backbone.");
    assertEquals(List.of("weight", "bias"), List.copyOf(mapped.keySet()));
    assertEquals(List.of("blocks.0.attn.qkv.weight"), List.copyOf(StateDicts.rename(Map.of("layer.0.attention.qkv.weight", Tensor.zeros(1)),
        "^layer\\.(\\d+)\\.attention\\.", "blocks.$1.attn.").keySet()));
    assertThrows(IllegalArgumentException.class, () -> StateDicts.rename(mapped, ".*", "same"));
  }
}
