package org.tessera.train.nifti;

import java.nio.ByteBuffer;
import org.tessera.tensor.DType;

/**
 * The NIfTI datatypes a voxel array can have on disk (NIfTI-1 codes, shared by NIfTI-2), named as nibabel names them,
 * with the tensor dtype that holds every value exactly: unsigned and narrow integers widen (uint16 → I32, uint32 → I64).
 */
public enum NiftiType {
  UINT8(2, 8, "uint8", DType.U8),
  INT16(4, 16, "int16", DType.I32),
  INT32(8, 32, "int32", DType.I32),
  FLOAT32(16, 32, "float32", DType.F32),
  FLOAT64(64, 64, "float64", DType.F64),
  INT8(256, 8, "int8", DType.I32),
  UINT16(512, 16, "uint16", DType.I32),
  UINT32(768, 32, "uint32", DType.I64),
  INT64(1024, 64, "int64", DType.I64),
  UINT64(1280, 64, "uint64", DType.I64);

  public final int code, bitpix;
  public final String nibabelName;
  /** The tensor dtype of the raw values. */
  public final DType dtype;

  NiftiType(int code, int bitpix, String nibabelName, DType dtype) {
    this.code = code;
    this.bitpix = bitpix;
    this.nibabelName = nibabelName;
    this.dtype = dtype;
  }

  public int bytes() {
    return bitpix / 8;
  }

  /** The type of a datatype code, or an error naming the code (RGB, complex and the like are not voxel data we use). */
  public static NiftiType of(int code) {
    for (NiftiType t : values()) if (t.code == code) return t;
    String name = switch (code) {
      case 0 -> "unknown (0)";
      case 1 -> "binary (1)";
      case 32 -> "complex64 (32)";
      case 128 -> "RGB24 (128)";
      case 1536 -> "float128 (1536)";
      case 1792 -> "complex128 (1792)";
      case 2048 -> "complex256 (2048)";
      case 2304 -> "RGBA32 (2304)";
      default -> String.valueOf(code);
    };
    throw new IllegalArgumentException("unsupported NIfTI datatype " + name);
  }

  /** Reads value i as a long (integer types only). */
  long readLong(ByteBuffer b, int i) {
    return switch (this) {
      case UINT8 -> b.get(i) & 0xff;
      case INT8 -> b.get(i);
      case INT16 -> b.getShort(i);
      case UINT16 -> b.getShort(i) & 0xffff;
      case INT32 -> b.getInt(i);
      case UINT32 -> b.getInt(i) & 0xffffffffL;
      case INT64 -> b.getLong(i);
      case UINT64 -> {
        long v = b.getLong(i);
        if (v < 0) throw new IllegalArgumentException("a uint64 voxel above 2^63 (" + Long.toUnsignedString(v) + ") does not fit a 64-bit tensor");
        yield v;
      }
      case FLOAT32, FLOAT64 -> throw new IllegalStateException(this + " is not an integer type");
    };
  }

  boolean integer() {
    return this != FLOAT32 && this != FLOAT64;
  }

  /** The smallest and largest value of an integer type, for the range check before writing. */
  long min() {
    return switch (this) {
      case INT8 -> Byte.MIN_VALUE;
      case INT16 -> Short.MIN_VALUE;
      case INT32 -> Integer.MIN_VALUE;
      case INT64 -> Long.MIN_VALUE;
      default -> 0;
    };
  }

  long max() {
    return switch (this) {
      case UINT8 -> 255;
      case INT8 -> Byte.MAX_VALUE;
      case INT16 -> Short.MAX_VALUE;
      case UINT16 -> 65535;
      case INT32 -> Integer.MAX_VALUE;
      case UINT32 -> 4294967295L;
      default -> Long.MAX_VALUE;
    };
  }

  /** Writes an integer value (already range-checked) at absolute byte index i. */
  void writeLong(ByteBuffer b, int i, long v) {
    switch (this) {
      case UINT8, INT8 -> b.put(i, (byte) v);
      case INT16, UINT16 -> b.putShort(i, (short) v);
      case INT32, UINT32 -> b.putInt(i, (int) v);
      case INT64, UINT64 -> b.putLong(i, v);
      case FLOAT32, FLOAT64 -> throw new IllegalStateException(this + " is not an integer type");
    }
  }

  /** Writes a value of a float type at absolute byte index i. */
  void writeFloat(ByteBuffer b, int i, double v) {
    if (this == FLOAT32) b.putFloat(i, (float) v);
    else b.putDouble(i, v);
  }
}
