package org.tessera.tensor;

/** A storage in a Java array: float[] (F32), double[] (F64), short[] (F16, BF16), long[], int[], byte[] (U8, BOOL). */
public final class HostStorage implements Storage {
  private final DType dtype;
  private final Device device;
  private final Object array;
  private final int length;
  private int version;

  public HostStorage(DType dtype, Device device, Object array) {
    this.dtype = dtype;
    this.device = device;
    this.array = array;
    this.length = java.lang.reflect.Array.getLength(array);
    Class<?> want = arrayClass(dtype);
    if (array.getClass() != want)
      throw new IllegalArgumentException("a " + dtype + " storage needs a " + want.getSimpleName() + ", got " + array.getClass().getSimpleName());
  }

  public static HostStorage allocate(DType dtype, Device device, int length) {
    return new HostStorage(dtype, device, switch (dtype) {
      case F32 -> new float[length];
      case F64 -> new double[length];
      case BF16, F16 -> new short[length];
      case I64 -> new long[length];
      case I32 -> new int[length];
      case U8, BOOL -> new byte[length];
    });
  }

  static Class<?> arrayClass(DType dtype) {
    return switch (dtype) {
      case F32 -> float[].class;
      case F64 -> double[].class;
      case BF16, F16 -> short[].class;
      case I64 -> long[].class;
      case I32 -> int[].class;
      case U8, BOOL -> byte[].class;
    };
  }

  @Override public DType dtype() { return dtype; }
  @Override public int length() { return length; }
  @Override public Device device() { return device; }
  @Override public int version() { return version; }
  @Override public void bumpVersion() { version++; }

  /** The backing array; its class follows the dtype (see the class comment). */
  public Object array() { return array; }

  public float[] floats() { return (float[]) array; }

  public double[] doubles() { return (double[]) array; }

  public double getDouble(int i) {
    return switch (dtype) {
      case F32 -> ((float[]) array)[i];
      case F64 -> ((double[]) array)[i];
      case BF16 -> Half.bf16ToFloat(((short[]) array)[i]);
      case F16 -> Float.float16ToFloat(((short[]) array)[i]);
      case I64 -> ((long[]) array)[i];
      case I32 -> ((int[]) array)[i];
      case U8 -> ((byte[]) array)[i] & 0xff;
      case BOOL -> ((byte[]) array)[i];
    };
  }

  public void setDouble(int i, double v) {
    switch (dtype) {
      case F32 -> ((float[]) array)[i] = (float) v;
      case F64 -> ((double[]) array)[i] = v;
      case BF16 -> ((short[]) array)[i] = Half.floatToBf16((float) v);
      case F16 -> ((short[]) array)[i] = Float.floatToFloat16((float) v);
      case I64 -> ((long[]) array)[i] = (long) v;
      case I32 -> ((int[]) array)[i] = (int) v;
      case U8 -> ((byte[]) array)[i] = (byte) (long) v;
      case BOOL -> ((byte[]) array)[i] = (byte) (v != 0 ? 1 : 0);
    }
  }

  /** Exact for integer dtypes (a double holds only 53 bits); floats are truncated toward zero as in a cast. */
  public long getLong(int i) {
    return switch (dtype) {
      case I64 -> ((long[]) array)[i];
      case I32 -> ((int[]) array)[i];
      case U8 -> ((byte[]) array)[i] & 0xff;
      case BOOL -> ((byte[]) array)[i];
      default -> (long) getDouble(i);
    };
  }

  public void setLong(int i, long v) {
    switch (dtype) {
      case I64 -> ((long[]) array)[i] = v;
      case I32 -> ((int[]) array)[i] = (int) v;
      case U8 -> ((byte[]) array)[i] = (byte) v;
      case BOOL -> ((byte[]) array)[i] = (byte) (v != 0 ? 1 : 0);
      default -> setDouble(i, v);
    }
  }
}
