package org.tessera.autograd;

import org.tessera.tensor.DType;
import org.tessera.tensor.Tensor;

/**
 * torch.autocast: inside {@code try (var scope = Autocast.enable("cuda", DType.BF16)) { … }} the matrix products
 * ({@code matmul}, {@code linear}), convolutions and attention of F32 tensors on devices of that type take their
 * operands rounded to the lower precision (BF16, or F16 with loss scaling), accumulate in F32 and return F32. The
 * parameters stay F32 — the master weights — and their gradients come back F32 through the recorded casts. Ops
 * outside the list, other dtypes and tensors on other devices are untouched, as with torch.
 * The result is rounded to the lower precision as torch's is, then widened: the elementwise ops after it run in F32.
 * Matrix products and convolutions run on lower-precision tensors (on CUDA cuBLAS's BF16/F16 products, which
 * accumulate in F32; a convolution's bias is added to its rounded result and the sum rounded again, as torch's
 * cuDNN path does). Attention runs on lower-precision q, k, v and bias (on CUDA from cuBLAS products on tensor cores,
 * the probabilities rounded before their product with v as flash attention's; on the CPU the F32 kernel on the widened
 * values), its output rounded once.
 */
public final class Autocast {
  private record Policy(String deviceType, DType dtype) {}

  private static final ThreadLocal<Policy> POLICY = new ThreadLocal<>();

  private Autocast() {}

  /** A scope in which products, convolutions and attention on devices of {@code deviceType} run in {@code dtype} (BF16 or F16). */
  public static GradMode.Scope enable(String deviceType, DType dtype) {
    if (dtype != DType.BF16 && dtype != DType.F16) throw new IllegalArgumentException("autocast runs in BF16 or F16, not " + dtype);
    return set(new Policy(deviceType, dtype));
  }

  /** A scope with autocast off, e.g. for a loss inside an autocast region. */
  public static GradMode.Scope disable() {
    return set(null);
  }

  private static GradMode.Scope set(Policy policy) {
    Policy previous = POLICY.get();
    POLICY.set(policy);
    return () -> POLICY.set(previous);
  }

  /** t rounded to {@code low} and widened back to F32 (null stays null): an operand of an op autocast computes in F32. */
  static Tensor rounded(Tensor t, DType low) {
    return t == null ? null : t.to(low).to(DType.F32);
  }

  /** The dtype an op on these operands runs in under the current scope, or null when autocast leaves it. */
  static DType lowPrecision(Tensor a, Tensor b) {
    Policy p = POLICY.get();
    if (p == null || !a.device().type().equals(p.deviceType()) || !b.device().type().equals(p.deviceType())) return null;
    boolean eligible = (a.dtype() == DType.F32 || a.dtype() == p.dtype()) && (b.dtype() == DType.F32 || b.dtype() == p.dtype());
    return eligible && (a.dtype() == DType.F32 || b.dtype() == DType.F32) ? p.dtype() : null;
  }
}
