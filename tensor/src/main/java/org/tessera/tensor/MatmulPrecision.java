package org.tessera.tensor;

import java.util.Locale;

/**
 * torch.set_float32_matmul_precision: how F32 matrix products may run on CUDA — "highest" (F32 throughout, the
 * default), "high" (TF32 tensor cores: operands rounded to 10 mantissa bits, F32 accumulation) or "medium" (BF16
 * tensor cores). The CPU backends always compute in full F32.
 */
public enum MatmulPrecision {
  HIGHEST, HIGH, MEDIUM;

  private static volatile MatmulPrecision float32 = HIGHEST;

  public static MatmulPrecision float32() {
    return float32;
  }

  /** Sets it from torch's names: highest, high or medium. */
  public static void setFloat32(String name) {
    try {
      float32 = valueOf(name.toUpperCase(Locale.ROOT));
    } catch (IllegalArgumentException e) {
      throw new IllegalArgumentException("float32 matmul precision must be highest, high or medium, got '" + name + "'");
    }
  }
}
