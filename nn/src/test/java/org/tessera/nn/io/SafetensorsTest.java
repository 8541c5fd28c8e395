package org.tessera.nn.io;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

class SafetensorsTest {
  static final Path FIXTURES = Path.of("..", "fixtures", "ops");

  @Test
  void readsFilesWrittenByPyTorch() throws IOException {
    Safetensors.Contents c = Safetensors.read(FIXTURES.resolve("to_bfloat16.safetensors"));
    assertEquals("to", c.metadata().get("op"));
    Tensor x = c.tensors().get("in.x"), y = c.tensors().get("out.y");
    assertEquals(DType.F32, x.dtype());
    assertEquals(DType.BF16, y.dtype());
    assertArrayEquals(new int[] {5, 7}, y.shape());
    // torch's bf16 rounding and ours agree bit for bit
    assertArrayEquals(y.to(DType.F32).toFloatArray(), x.to(DType.BF16).to(DType.F32).toFloatArray());
    assertEquals(DType.BOOL, Safetensors.read(FIXTURES.resolve("logical_and.safetensors")).tensors().get("in.x").dtype());
    assertEquals(DType.I64, Safetensors.read(FIXTURES.resolve("gather.safetensors")).tensors().get("in.index").dtype());
  }

  @Test
  void roundTripsEveryDtype(@TempDir Path dir) throws IOException {
    Map<String, Tensor> tensors = new LinkedHashMap<>();
    Tensor base = Tensor.randn(new Generator(3), 3, 4).mul(50);
    for (DType d : DType.values()) tensors.put("t." + d, base.to(d));
    tensors.put("scalar", Tensor.scalar(2.5));
    tensors.put("empty", Tensor.zeros(0, 3));
    tensors.put("strided", base.mT());
    Path file = dir.resolve("all.safetensors");
    Safetensors.write(file, tensors, Map.of("format", "pt"));
    Safetensors.Contents back = Safetensors.read(file);
    assertEquals(List.copyOf(tensors.keySet()), List.copyOf(back.tensors().keySet()));
    assertEquals("pt", back.metadata().get("format"));
    for (var e : tensors.entrySet()) {
      Tensor want = e.getValue(), got = back.tensors().get(e.getKey());
      assertEquals(want.dtype(), got.dtype(), e.getKey());
      assertArrayEquals(want.shape(), got.shape(), e.getKey());
      assertArrayEquals(want.to(DType.F64).toDoubleArray(), got.to(DType.F64).toDoubleArray(), e.getKey());
    }
    assertFalse(Files.exists(dir.resolve("all.safetensors.tmp")));
  }

  @Test
  void corruptFilesNameTheFileAndTheFault(@TempDir Path dir) throws IOException {
    Path tiny = dir.resolve("tiny.safetensors");
    Files.write(tiny, new byte[] {1, 2});
    assertFault(tiny, "too short");

    Path hugeHeader = dir.resolve("huge.safetensors");
    Files.write(hugeHeader, ByteBuffer.allocate(16).order(ByteOrder.LITTLE_ENDIAN).putLong(1L << 40).array());
    assertFault(hugeHeader, "header length 1099511627776 does not fit");

    assertFault(withHeader(dir, "bad.safetensors", "{not json", 0), "not valid JSON");
    assertFault(withHeader(dir, "dtype.safetensors", "{\"a\":{\"dtype\":\"F8\",\"shape\":[1],\"data_offsets\":[0,1]}}", 1), "unsupported safetensors dtype 'F8'");
    assertFault(withHeader(dir, "range.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[0,8]}}", 4), "outside the 4 data bytes");
    assertFault(withHeader(dir, "size.safetensors", "{\"a\":{\"dtype\":\"F32\",\"shape\":[3],\"data_offsets\":[0,8]}}", 8), "needs 12 bytes");
  }

  @Test
  void tensorsLoadOnTheDefaultDevice() throws IOException {
    Tensor.setDefaultDevice(Device.REFERENCE);
    try {
      assertEquals(Device.REFERENCE, Safetensors.read(FIXTURES.resolve("neg.safetensors")).tensors().get("in.x").device());
    } finally {
      Tensor.setDefaultDevice(Device.CPU);
    }
  }

  private static Path withHeader(Path dir, String name, String json, int dataBytes) throws IOException {
    byte[] h = json.getBytes(StandardCharsets.UTF_8);
    ByteBuffer b = ByteBuffer.allocate(8 + h.length + dataBytes).order(ByteOrder.LITTLE_ENDIAN);
    b.putLong(h.length).put(h);
    Path p = dir.resolve(name);
    Files.write(p, b.array());
    return p;
  }

  private static void assertFault(Path file, String fragment) {
    IOException e = assertThrows(IOException.class, () -> Safetensors.read(file));
    assertTrue(e.getMessage().startsWith(file + ": not a valid safetensors file: "), e.getMessage());
    assertTrue(e.getMessage().contains(fragment), e.getMessage());
  }
}
