package org.tessera.train.nifti;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import java.util.zip.ZipException;
import org.tessera.tensor.Device;
import org.tessera.tensor.HostStorage;
import org.tessera.tensor.Shapes;
import org.tessera.tensor.Tensor;

/**
 * Reads and writes single-file NIfTI-1 and NIfTI-2 images ({@code .nii}, and gzipped {@code .nii.gz}: any file that
 * starts with the gzip magic is decompressed), either byte order. Errors name the file and the fault.
 */
public final class Nifti {
  private Nifti() {}

  public static NiftiImage read(Path file) throws IOException {
    byte[] bytes = contents(file);
    ByteBuffer buffer = ByteBuffer.wrap(bytes);
    NiftiHeader h = NiftiHeader.parse(buffer, file.toString());
    long needed = h.voxOffset + h.voxels() * h.type.bytes();
    if (bytes.length < needed)
      throw new IllegalArgumentException(file + ": truncated: " + Shapes.str(h.shape()) + " " + h.type.nibabelName + " voxels need " + (needed - h.voxOffset)
          + " bytes from offset " + h.voxOffset + ", the file has " + Math.max(0, bytes.length - h.voxOffset));
    return new NiftiImage(h, voxels(buffer.order(h.order), h));
  }

  /** Just the header (the whole file is still decompressed when gzipped). */
  public static NiftiHeader readHeader(Path file) throws IOException {
    return NiftiHeader.parse(ByteBuffer.wrap(contents(file)), file.toString());
  }

  private static byte[] contents(Path file) throws IOException {
    byte[] bytes = Files.readAllBytes(file);
    if (bytes.length < 2 || (bytes[0] & 0xff) != 0x1f || (bytes[1] & 0xff) != 0x8b) return bytes;
    try (InputStream in = new GZIPInputStream(new java.io.ByteArrayInputStream(bytes), 1 << 16)) {
      ByteArrayOutputStream out = new ByteArrayOutputStream(bytes.length * 4);
      in.transferTo(out);
      return out.toByteArray();
    } catch (java.io.EOFException e) {
      throw new IllegalArgumentException(file + ": corrupt gzip data (the compressed stream ends early: the file is truncated)");
    } catch (ZipException e) {
      throw new IllegalArgumentException(file + ": corrupt gzip data (" + e.getMessage() + ")");
    }
  }

  private static Tensor voxels(ByteBuffer b, NiftiHeader h) {
    int n = (int) h.voxels(), at = (int) h.voxOffset, size = h.type.bytes();
    int[] shape = new int[h.ndim()];
    for (int i = 0; i < shape.length; i++) shape[i] = (int) h.dim[h.ndim() - i];
    Object array = switch (h.type.dtype) {
      case U8 -> {
        byte[] a = new byte[n];
        b.get(at, a);
        yield a;
      }
      case I32 -> {
        int[] a = new int[n];
        for (int i = 0; i < n; i++) a[i] = (int) h.type.readLong(b, at + i * size);
        yield a;
      }
      case I64 -> {
        long[] a = new long[n];
        for (int i = 0; i < n; i++) a[i] = h.type.readLong(b, at + i * size);
        yield a;
      }
      case F32 -> {
        float[] a = new float[n];
        b.slice(at, n * size).order(h.order).asFloatBuffer().get(a);
        yield a;
      }
      case F64 -> {
        double[] a = new double[n];
        b.slice(at, n * size).order(h.order).asDoubleBuffer().get(a);
        yield a;
      }
      default -> throw new IllegalStateException(h.type.dtype.toString());
    };
    return Tensor.fromHost(new HostStorage(h.type.dtype, Device.CPU, array), Device.CPU, shape);
  }

  /**
   * Writes {@code data} with the geometry and datatype of {@code header} (whose dims are set from the data's shape,
   * reversed), unscaled, gzipped when the name ends in {@code .gz}. The file appears whole or not at all (written
   * beside it, then moved). Integer types take integer values in range only; anything else is an error.
   */
  public static void write(Path file, NiftiHeader header, Tensor data) throws IOException {
    NiftiHeader h = header.copy();
    int[] shape = data.shape();
    if (shape.length < 1 || shape.length > 7) throw new IllegalArgumentException(file + ": NIfTI holds 1 to 7 dimensions, got shape " + Shapes.str(shape));
    java.util.Arrays.fill(h.dim, 1);
    h.dim[0] = shape.length;
    for (int i = 0; i < shape.length; i++) {
      h.dim[i + 1] = shape[shape.length - 1 - i];
      if (h.version == 1 && shape[shape.length - 1 - i] > Short.MAX_VALUE) h.version = 2; // NIfTI-1 sizes are shorts
      if (h.pixdim[i + 1] == 0) h.pixdim[i + 1] = 1;
    }
    h.sclSlope = 1;
    h.sclInter = 0;
    h.voxOffset = h.version == 1 ? 352 : 544;
    ByteBuffer head = h.encode();
    int n = data.numel(), size = h.type.bytes();
    ByteBuffer body = ByteBuffer.allocate(n * size).order(h.order);
    if (h.type.integer()) {
      long[] values = integers(data, h.type, file);
      for (int i = 0; i < n; i++) h.type.writeLong(body, i * size, values[i]);
    } else {
      double[] values = data.toDoubleArray();
      for (int i = 0; i < n; i++) h.type.writeFloat(body, i * size, values[i]);
    }
    Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
    try (OutputStream raw = Files.newOutputStream(tmp);
         OutputStream out = file.getFileName().toString().endsWith(".gz") ? new GZIPOutputStream(raw, 1 << 16) : raw) {
      out.write(head.array());
      out.write(body.array());
    }
    Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
  }

  /** A header for a new image: the given datatype, affine (sform and qform, code 1), spacing in mm, NIfTI-1. */
  public static NiftiHeader header(NiftiType type, double[][] affine) {
    NiftiHeader h = new NiftiHeader();
    h.type = type;
    h.setAffine(affine);
    h.xyztUnits = 2; // millimetres
    return h;
  }

  private static long[] integers(Tensor data, NiftiType type, Path file) {
    long[] values;
    if (data.dtype().floating) {
      double[] d = data.toDoubleArray();
      values = new long[d.length];
      for (int i = 0; i < d.length; i++) {
        if (d[i] != Math.rint(d[i]) || Double.isInfinite(d[i]))
          throw new IllegalArgumentException(file + ": value " + d[i] + " at element " + i + " is not an integer, the datatype is " + type.nibabelName);
        values[i] = (long) d[i];
      }
    } else values = data.toLongArray();
    for (int i = 0; i < values.length; i++)
      if (values[i] < type.min() || values[i] > type.max())
        throw new IllegalArgumentException(file + ": value " + values[i] + " at element " + i + " is outside the range of " + type.nibabelName);
    return values;
  }

  /** Whether a path names a NIfTI file by its ending. */
  public static boolean isNifti(Path file) {
    String name = file.getFileName().toString();
    return name.endsWith(".nii") || name.endsWith(".nii.gz");
  }
}
