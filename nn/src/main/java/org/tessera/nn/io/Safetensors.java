package org.tessera.nn.io;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.HostStorage;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * The safetensors format (Hugging Face): an 8-byte little-endian header length N, N bytes of JSON naming each
 * tensor's dtype, shape and byte range, then the raw little-endian data. Files are read memory-mapped; every
 * fault names the file and what is wrong with it.
 */
public final class Safetensors {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final long MAX_HEADER = 100L << 20;

  /** The tensors of a file in header order, and its {@code __metadata__} (string values). */
  public record Contents(Map<String, Tensor> tensors, Map<String, String> metadata) {}

  private Safetensors() {}

  public static Contents read(Path file) throws IOException {
    try (FileChannel ch = FileChannel.open(file, StandardOpenOption.READ); Arena arena = Arena.ofConfined()) {
      long size = ch.size();
      if (size < 8) throw fault(file, "the file has " + size + " bytes, too short for the 8-byte header length");
      MemorySegment all = ch.map(FileChannel.MapMode.READ_ONLY, 0, size, arena);
      long headerLength = all.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0);
      if (headerLength <= 0 || headerLength > MAX_HEADER || 8 + headerLength > size)
        throw fault(file, "header length " + headerLength + " does not fit a file of " + size + " bytes");
      byte[] headerBytes = all.asSlice(8, headerLength).toArray(ValueLayout.JAVA_BYTE);
      JsonNode header;
      try {
        header = JSON.readTree(new String(headerBytes, StandardCharsets.UTF_8));
      } catch (com.fasterxml.jackson.core.JsonProcessingException e) {
        throw fault(file, "the header is not valid JSON: " + e.getOriginalMessage());
      }
      if (header == null || !header.isObject()) throw fault(file, "the header is not a JSON object");
      long dataStart = 8 + headerLength, dataSize = size - dataStart;
      Map<String, Tensor> tensors = new LinkedHashMap<>();
      Map<String, String> metadata = new LinkedHashMap<>();
      for (Iterator<Map.Entry<String, JsonNode>> it = header.fields(); it.hasNext(); ) {
        Map.Entry<String, JsonNode> e = it.next();
        if (e.getKey().equals("__metadata__")) {
          e.getValue().fields().forEachRemaining(m -> metadata.put(m.getKey(), m.getValue().asText()));
          continue;
        }
        tensors.put(e.getKey(), tensor(file, e.getKey(), e.getValue(), all.asSlice(dataStart, dataSize)));
      }
      return new Contents(tensors, metadata);
    }
  }

  private static Tensor tensor(Path file, String name, JsonNode entry, MemorySegment data) throws IOException {
    JsonNode dtypeNode = entry.get("dtype"), shapeNode = entry.get("shape"), offsets = entry.get("data_offsets");
    if (dtypeNode == null || shapeNode == null || offsets == null || !shapeNode.isArray() || !offsets.isArray() || offsets.size() != 2)
      throw fault(file, "tensor '" + name + "' needs dtype, shape and two data_offsets");
    DType dtype;
    try {
      dtype = DType.fromSafetensorsName(dtypeNode.asText());
    } catch (IllegalArgumentException e) {
      throw fault(file, "tensor '" + name + "' has " + e.getMessage());
    }
    int[] shape = new int[shapeNode.size()];
    for (int i = 0; i < shape.length; i++) {
      long d = shapeNode.get(i).asLong(-1);
      if (d < 0 || d > Integer.MAX_VALUE) throw fault(file, "tensor '" + name + "' has an invalid dim " + shapeNode.get(i));
      shape[i] = (int) d;
    }
    long begin = offsets.get(0).asLong(-1), end = offsets.get(1).asLong(-1);
    long numel;
    try {
      numel = Shapes.numel(shape);
    } catch (IllegalArgumentException e) {
      throw fault(file, "tensor '" + name + "': " + e.getMessage());
    }
    if (begin < 0 || end < begin || end > data.byteSize())
      throw fault(file, "tensor '" + name + "' has data_offsets [" + begin + ", " + end + "] outside the " + data.byteSize() + " data bytes");
    if (end - begin != numel * dtype.byteSize)
      throw fault(file, "tensor '" + name + "' of shape " + Shapes.str(shape) + " and dtype " + dtype + " needs " + numel * dtype.byteSize
          + " bytes but its data_offsets span " + (end - begin));
    HostStorage host = HostStorage.allocate(dtype, Device.CPU, (int) numel);
    MemorySegment src = data.asSlice(begin, end - begin);
    Object array = host.array();
    switch (array) {
      case float[] a -> MemorySegment.copy(src, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, a, 0, a.length);
      case double[] a -> MemorySegment.copy(src, ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, a, 0, a.length);
      case short[] a -> MemorySegment.copy(src, ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, a, 0, a.length);
      case long[] a -> MemorySegment.copy(src, ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, a, 0, a.length);
      case int[] a -> MemorySegment.copy(src, ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, a, 0, a.length);
      case byte[] a -> MemorySegment.copy(src, ValueLayout.JAVA_BYTE, 0, a, 0, a.length);
      default -> throw new AssertionError("unexpected storage " + array.getClass());
    }
    return Tensor.fromHost(host, Tensor.defaultDevice(), shape);
  }

  /** Writes tensors (in map order) and string metadata; written to a temporary file and renamed, so a crash leaves no half file. */
  public static void write(Path file, Map<String, Tensor> tensors, Map<String, String> metadata) throws IOException {
    ObjectNode header = JSON.createObjectNode();
    if (!metadata.isEmpty()) {
      ObjectNode meta = header.putObject("__metadata__");
      metadata.forEach(meta::put);
    }
    long offset = 0;
    Map<String, HostStorage> data = new LinkedHashMap<>();
    for (Map.Entry<String, Tensor> e : tensors.entrySet()) {
      Tensor t = e.getValue();
      HostStorage host = t.toHost();
      long bytes = (long) host.length() * t.dtype().byteSize;
      ObjectNode entry = header.putObject(e.getKey());
      entry.put("dtype", t.dtype().safetensorsName());
      var shape = entry.putArray("shape");
      for (int d : t.shape()) shape.add(d);
      entry.putArray("data_offsets").add(offset).add(offset + bytes);
      offset += bytes;
      data.put(e.getKey(), host);
    }
    byte[] json = JSON.writeValueAsBytes(header);
    int padded = (json.length + 7) / 8 * 8;
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (FileChannel ch = FileChannel.open(tmp, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE, StandardOpenOption.READ);
        Arena arena = Arena.ofConfined()) {
      MemorySegment out = ch.map(FileChannel.MapMode.READ_WRITE, 0, 8 + padded + offset, arena);
      out.set(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), 0, padded);
      MemorySegment.copy(json, 0, out, ValueLayout.JAVA_BYTE, 8, json.length);
      for (int i = json.length; i < padded; i++) out.set(ValueLayout.JAVA_BYTE, 8 + i, (byte) ' ');
      long at = 8 + padded;
      for (HostStorage host : data.values()) {
        at += copyOut(host, out, at);
      }
      out.force();
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  private static long copyOut(HostStorage host, MemorySegment out, long at) {
    Object array = host.array();
    int n = host.length();
    switch (array) {
      case float[] a -> MemorySegment.copy(a, 0, out, ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at, n);
      case double[] a -> MemorySegment.copy(a, 0, out, ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at, n);
      case short[] a -> MemorySegment.copy(a, 0, out, ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at, n);
      case long[] a -> MemorySegment.copy(a, 0, out, ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at, n);
      case int[] a -> MemorySegment.copy(a, 0, out, ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), at, n);
      case byte[] a -> MemorySegment.copy(a, 0, out, ValueLayout.JAVA_BYTE, at, n);
      default -> throw new AssertionError("unexpected storage " + array.getClass());
    }
    return (long) n * host.dtype().byteSize;
  }

  private static IOException fault(Path file, String what) {
    return new IOException(file + ": not a valid safetensors file: " + what);
  }
}
