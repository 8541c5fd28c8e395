package org.tessera.nn.io;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.Enumeration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;
import org.tessera.tensor.DType;
import org.tessera.tensor.Device;
import org.tessera.tensor.HostStorage;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * Reads PyTorch checkpoints ({@code torch.save}'s zip format: {@code archive/data.pkl} plus one file per storage in
 * {@code archive/data/}) through {@link RestrictedUnpickler}, which can run no code. Tensors keep their stored
 * strides and offsets (several may view one storage). Nested dicts come back as maps: {@code {'teacher': {...}}}.
 */
public final class TorchCheckpoint {
  private TorchCheckpoint() {}

  /** The whole pickled object: maps, lists, numbers, strings and tensors. */
  public static Object load(Path file) throws IOException {
    ZipFile zip;
    try {
      zip = new ZipFile(file.toFile());
    } catch (ZipException e) {
      throw new IOException(file + ": not a PyTorch zip checkpoint (the legacy pre-1.6 format and plain pickles are not supported): " + e.getMessage());
    }
    try (zip) {
      String prefix = null;
      for (Enumeration<? extends ZipEntry> en = zip.entries(); en.hasMoreElements(); ) {
        String name = en.nextElement().getName();
        if (name.endsWith("/data.pkl") && name.indexOf('/') == name.length() - "/data.pkl".length()) prefix = name.substring(0, name.length() - "data.pkl".length());
      }
      if (prefix == null) throw new IOException(file + ": no data.pkl in the archive: not a torch.save checkpoint");
      ZipEntry order = zip.getEntry(prefix + "byteorder");
      if (order != null && !new String(read(zip, order), StandardCharsets.US_ASCII).trim().equals("little"))
        throw new IOException(file + ": big-endian checkpoints are not supported");
      String base = prefix;
      Map<String, HostStorage> storages = new HashMap<>();
      RestrictedUnpickler unpickler = new RestrictedUnpickler(read(zip, zip.getEntry(prefix + "data.pkl")), file.toString(), ref -> storages.computeIfAbsent(ref.key(), key -> {
        try {
          return storage(zip, base + "data/" + key, ref, file);
        } catch (IOException e) {
          throw new java.io.UncheckedIOException(e);
        }
      }));
      try {
        return rebuild(unpickler.load(), file);
      } catch (java.io.UncheckedIOException e) {
        throw e.getCause();
      }
    }
  }

  /**
   * The state dict in a checkpoint: the top-level dict, or the one under the first of {@code keys} present
   * ({@code "teacher"}, {@code "model"}, {@code "state_dict"}…), with only its tensor entries.
   */
  public static Map<String, Tensor> stateDict(Path file, String... keys) throws IOException {
    Object root = load(file);
    if (!(root instanceof Map<?, ?> map)) throw new IOException(file + ": the checkpoint holds a " + describe(root) + ", not a dict");
    Map<?, ?> dict = map;
    for (String k : keys)
      if (map.get(k) instanceof Map<?, ?> nested) {
        dict = nested;
        break;
      }
    Map<String, Tensor> out = new LinkedHashMap<>();
    for (Map.Entry<?, ?> e : dict.entrySet()) if (e.getValue() instanceof Tensor t) out.put(String.valueOf(e.getKey()), t);
    if (out.isEmpty()) throw new IOException(file + ": no tensors at the top level or under " + List.of(keys) + " (keys: " + map.keySet() + ")");
    return out;
  }

  private static byte[] read(ZipFile zip, ZipEntry e) throws IOException {
    try (InputStream s = zip.getInputStream(e)) {
      return s.readAllBytes();
    }
  }

  private static HostStorage storage(ZipFile zip, String name, RestrictedUnpickler.StorageRef ref, Path file) throws IOException {
    DType dtype = switch (ref.type()) {
      case "FloatStorage" -> DType.F32;
      case "HalfStorage" -> DType.F16;
      case "BFloat16Storage" -> DType.BF16;
      case "DoubleStorage" -> DType.F64;
      case "LongStorage" -> DType.I64;
      case "IntStorage" -> DType.I32;
      case "BoolStorage" -> DType.BOOL;
      case "ByteStorage" -> DType.U8;
      default -> throw new IOException(file + ": storage type " + ref.type() + " is not supported");
    };
    ZipEntry e = zip.getEntry(name);
    if (e == null) throw new IOException(file + ": storage " + name + " is missing from the archive");
    byte[] raw = read(zip, e);
    if (raw.length != ref.numel() * dtype.byteSize)
      throw new IOException(file + ": storage " + name + " has " + raw.length + " bytes, expected " + ref.numel() + " " + dtype + " elements");
    HostStorage host = HostStorage.allocate(dtype, Device.CPU, (int) ref.numel());
    ByteBuffer b = ByteBuffer.wrap(raw).order(ByteOrder.LITTLE_ENDIAN);
    switch (host.array()) {
      case float[] a -> b.asFloatBuffer().get(a);
      case double[] a -> b.asDoubleBuffer().get(a);
      case short[] a -> b.asShortBuffer().get(a);
      case long[] a -> b.asLongBuffer().get(a);
      case int[] a -> b.asIntBuffer().get(a);
      case byte[] a -> b.get(a);
      default -> throw new AssertionError();
    }
    return host;
  }

  /** Turns recorded rebuild calls into tensors, recursively through dicts and lists. */
  private static Object rebuild(Object o, Path file) throws IOException {
    if (o instanceof RestrictedUnpickler.Rebuild r) {
      List<Object> a = r.args();
      if (r.function().equals("_rebuild_parameter")) return rebuild(a.get(0), file);
      if (!(a.get(0) instanceof HostStorage storage)) throw new IOException(file + ": _rebuild_tensor_v2 without a storage");
      int offset = ((Number) a.get(1)).intValue();
      int[] size = ints(a.get(2)), stride = ints(a.get(3));
      try {
        Tensor view = Tensor.view(storage, size, stride, offset);
        return Tensor.fromHost(view.toHost(), Tensor.defaultDevice(), size);
      } catch (IndexOutOfBoundsException e) {
        throw new IOException(file + ": a tensor of shape " + Shapes.str(size) + " reaches outside its storage: " + e.getMessage());
      }
    }
    if (o instanceof Map<?, ?> m) {
      Map<Object, Object> out = new LinkedHashMap<>();
      for (Map.Entry<?, ?> e : m.entrySet()) out.put(e.getKey(), rebuild(e.getValue(), file));
      return out;
    }
    if (o instanceof List<?> l) {
      List<Object> out = new java.util.ArrayList<>();
      for (Object x : l) out.add(rebuild(x, file));
      return out;
    }
    return o;
  }

  private static int[] ints(Object tuple) {
    List<?> l = (List<?>) tuple;
    int[] out = new int[l.size()];
    for (int i = 0; i < out.length; i++) out[i] = ((Number) l.get(i)).intValue();
    return out;
  }

  private static String describe(Object o) {
    return o == null ? "None" : o.getClass().getSimpleName();
  }
}
