package org.tessera.tensor;

/** Element types. F32 is the default; F16 and BF16 are storage formats computed in F32 precision or better. */
public enum DType {
  F32(4, true), F64(8, true), BF16(2, true), F16(2, true), I64(8, false), I32(4, false), U8(1, false), BOOL(1, false);

  public final int byteSize;
  public final boolean floating;

  DType(int byteSize, boolean floating) {
    this.byteSize = byteSize;
    this.floating = floating;
  }

  /** PyTorch's type promotion for two tensor operands: the wider float wins; any float beats any integer. */
  public static DType promote(DType a, DType b) {
    if (a == b) return a;
    if (a.floating != b.floating) return a.floating ? a : b;
    if (a.rank() == b.rank() && a.floating) return F32; // BF16 with F16
    return a.rank() >= b.rank() ? a : b;
  }

  /** Ordering within the float and within the integer kinds (BF16 and F16 together promote to F32, as in torch). */
  private int rank() {
    return switch (this) {
      case BOOL -> 0;
      case U8 -> 1;
      case I32 -> 2;
      case I64 -> 3;
      case BF16, F16 -> 4;
      case F32 -> 5;
      case F64 -> 6;
    };
  }

  /**
   * The dtype sums and products of this dtype are kept in: F32 for the storage formats BF16 and F16 (cuBLAS's
   * accumulator, attention's log-sum-exp), else this dtype.
   */
  public DType accumulator() {
    return this == BF16 || this == F16 ? F32 : this;
  }

  /** The dtype of a tensor combined with a Java scalar: float tensors keep theirs, integer ones go to F32 for a fractional scalar. */
  public DType withScalar(double value) {
    if (floating) return this;
    if (value != Math.rint(value) || Double.isInfinite(value)) return F32;
    return this == BOOL ? I64 : this;
  }

  /** The name used in safetensors headers. */
  public String safetensorsName() {
    return name();
  }

  public static DType fromSafetensorsName(String name) {
    for (DType d : values()) if (d.safetensorsName().equals(name)) return d;
    throw new IllegalArgumentException("unsupported safetensors dtype '" + name + "'");
  }
}
