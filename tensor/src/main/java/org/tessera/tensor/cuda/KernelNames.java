package org.tessera.tensor.cuda;

import java.util.Locale;
import org.tessera.tensor.BinaryOp;
import org.tessera.tensor.DType;
import org.tessera.tensor.ReduceOp;
import org.tessera.tensor.UnaryOp;

/** The names our .cu files give their kernels, {@code <kind>[_<op>]_<dtype>}: unary, binary, where, reduce, argmax/argmin, adam_step, unfold/fold, gather, scatter_add, attention, ms_deform_attn, convert, sort. */
final class KernelNames {
  private KernelNames() {}

  /** Whether the elementwise kernels exist for a dtype (F32 and F64; other dtypes go through the host). */
  static boolean elementwise(DType dtype) {
    return dtype == DType.F32 || dtype == DType.F64;
  }

  /**
   * Whether elementwise.cu has an integer dtype's arithmetic op in the binary template: every arithmetic op of I64,
   * I32 and U8 but division, which has its own kernel ({@link #integerDivision}); BOOL arithmetic stays on the host.
   */
  static boolean integerArithmetic(BinaryOp op, DType dtype) {
    return integer(dtype) && !op.producesBool() && op != BinaryOp.DIV;
  }

  /** elementwise.cu's {@code divide_<dtype>} (floor division that flags a zero divisor) for I64, I32 and U8, else null. */
  static String integerDivision(DType dtype) {
    return integer(dtype) ? "divide_" + storageSuffix(dtype) : null;
  }

  static String unary(UnaryOp op, DType dtype) {
    return "unary_" + op.name().toLowerCase(Locale.ROOT) + "_" + storageSuffix(dtype);
  }

  /**
   * binary_<op>_<dtype>: every op for F32, F64, BF16 and F16, the comparisons and logical ops also for I64, I32 and
   * bytes (u8: U8 and BOOL), the arithmetic ops but division for I64, I32 and U8.
   */
  static String binary(BinaryOp op, DType dtype) {
    return "binary_" + op.name().toLowerCase(Locale.ROOT) + "_" + storageSuffix(dtype);
  }

  static String where(DType dtype) {
    return "where_" + storageSuffix(dtype);
  }

  /** reduce.cu's {@code reduce_<op>_<dtype>}: f32, f64, bf16, f16, i64, i32, and u8 for U8 and BOOL. */
  static String reduce(ReduceOp op, DType dtype) {
    return "reduce_" + op.name().toLowerCase(Locale.ROOT) + "_" + storageSuffix(dtype);
  }

  /** reduce.cu's {@code argmax_<dtype>} and {@code argmin_<dtype>}. */
  static String argReduce(boolean max, DType dtype) {
    return (max ? "argmax_" : "argmin_") + storageSuffix(dtype);
  }

  /** optimizer.cu's fused Adam step for a dtype that {@link #elementwise} accepts. */
  static String adamStep(DType dtype) {
    return "adam_step_" + suffix(dtype);
  }

  /** BF16 or F16: unfolded as 16-bit patterns, their products accumulating in F32, their gradients folded in F32. */
  static boolean lowPrecision(DType dtype) {
    return dtype == DType.BF16 || dtype == DType.F16;
  }

  /** conv.cu's {@code unfold_<dtype>} (im2col; {@code unfold_u16} for BF16 and F16) or {@code fold_<dtype>} (its adjoint, with atomics; F32 and F64). */
  static String unfold(boolean fold, DType dtype) {
    if (lowPrecision(dtype)) {
      if (fold) throw new IllegalArgumentException("conv.cu folds " + dtype + " gradients in F32");
      return "unfold_u16";
    }
    return (fold ? "fold_" : "unfold_") + suffix(dtype);
  }

  /** index.cu's {@code gather_<element bytes>_<index dtype>}: gathers copy elements, whatever their dtype. */
  static String gather(DType dtype, DType indexDtype) {
    return "gather_" + dtype.byteSize + "_" + indexSuffix(indexDtype);
  }

  /** index.cu's {@code scatter_add_<dtype>_<index dtype>} for a dtype that {@link #elementwise} accepts. */
  static String scatterAdd(DType dtype, DType indexDtype) {
    return "scatter_add_" + suffix(dtype) + "_" + indexSuffix(indexDtype);
  }

  /** attention.cu's {@code attention_<pass>_<dtype>}, pass forward, backward_dq or backward_dkdv, for F32 and F64. */
  static String attention(String pass, DType dtype) {
    return "attention_" + pass + "_" + suffix(dtype);
  }

  /** deformable.cu's {@code ms_deform_attn_forward_<dtype>} or {@code ms_deform_attn_backward_<dtype>}. */
  static String deformable(boolean backward, DType dtype) {
    return "ms_deform_attn_" + (backward ? "backward_" : "forward_") + suffix(dtype);
  }

  /**
   * Whether elementwise.cu converts {@code from} to {@code to}: among the float dtypes and BOOL, from the integers
   * to those, from BOOL to the integers, from the floats to the integers (Java's saturating casts to a long, then
   * for U8 its low 8 bits) and among the integers (Java's narrowing casts) — every pair of distinct dtypes.
   */
  static boolean converts(DType from, DType to) {
    return floatOrBool(to) && (floatOrBool(from) || integer(from)) || from == DType.BOOL && integer(to)
        || from.floating && integer(to) || integer(from) && integer(to) && from != to;
  }

  /** elementwise.cu's {@code convert_<from>_<to>} for a pair {@link #converts} accepts. */
  static String convert(DType from, DType to) {
    if (!converts(from, to)) throw new IllegalArgumentException("no CUDA conversion kernel from " + from + " to " + to);
    return "convert_" + from.name().toLowerCase(Locale.ROOT) + "_" + to.name().toLowerCase(Locale.ROOT);
  }

  private static boolean floatOrBool(DType dtype) {
    return dtype.floating || dtype == DType.BOOL;
  }

  private static boolean integer(DType dtype) {
    return dtype == DType.I64 || dtype == DType.I32 || dtype == DType.U8;
  }

  /** sort.cu's {@code sort_<dtype>} for F32, F64, I64 and I32. */
  static String sort(DType dtype) {
    return "sort_" + storageSuffix(dtype);
  }

  /** sort.cu's kernels for lines longer than its shared memory holds: {@code sort_load_<dtype>} or {@code sort_merge_<dtype>}. */
  static String longSort(boolean merge, DType dtype) {
    return (merge ? "sort_merge_" : "sort_load_") + storageSuffix(dtype);
  }

  /**
   * The dtype in the names of the elementwise, comparison, reduction and sort kernels: f32, f64, bf16, f16, i64, i32,
   * or u8 for both U8 and BOOL (bytes). Every dtype has its elementwise and reduction kernels; which ops of a dtype
   * run on the device is the backend's choice (integer division, BOOL arithmetic and sorts of 16-bit or byte lines
   * go through the host).
   */
  private static String storageSuffix(DType dtype) {
    return switch (dtype) {
      case F32 -> "f32";
      case F64 -> "f64";
      case BF16 -> "bf16";
      case F16 -> "f16";
      case I64 -> "i64";
      case I32 -> "i32";
      case U8, BOOL -> "u8";
    };
  }

  private static String indexSuffix(DType indexDtype) {
    return switch (indexDtype) {
      case I64 -> "i64";
      case I32 -> "i32";
      default -> throw new IllegalArgumentException("no CUDA index kernel for " + indexDtype + " indices");
    };
  }

  private static String suffix(DType dtype) {
    return switch (dtype) {
      case F32 -> "f32";
      case F64 -> "f64";
      default -> throw new IllegalArgumentException("no elementwise CUDA kernel for " + dtype);
    };
  }
}
