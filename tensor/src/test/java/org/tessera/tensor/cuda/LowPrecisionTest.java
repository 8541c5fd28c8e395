package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import jcuda.cudaDataType;
import jcuda.jcublas.cublasComputeType;
import org.junit.jupiter.api.Test;
import org.tessera.tensor.DType;
import org.tessera.tensor.MatmulPrecision;
import org.tessera.tensor.ReduceOp;

/**
 * The host side of lower-precision products on CUDA: cuBLAS's data and compute types per dtype and float32 matmul
 * precision (and F32 results of BF16/F16 products, which convolution gradients sum in), BF16/F16 convolutions'
 * kernels, and the dtype conversions elementwise.cu defines (BF16/F16 casts for autocast, BOOL outputs of
 * comparisons).
 */
class LowPrecisionTest {
  @Test
  void eachDtypeMapsToItsCublasTypes() {
    assertEquals(new CudaBlas.GemmTypes(cudaDataType.CUDA_R_32F, cublasComputeType.CUBLAS_COMPUTE_32F), CudaBlas.GemmTypes.of(DType.F32, MatmulPrecision.HIGHEST));
    assertEquals(new CudaBlas.GemmTypes(cudaDataType.CUDA_R_32F, cublasComputeType.CUBLAS_COMPUTE_32F_FAST_TF32), CudaBlas.GemmTypes.of(DType.F32, MatmulPrecision.HIGH));
    assertEquals(new CudaBlas.GemmTypes(cudaDataType.CUDA_R_32F, cublasComputeType.CUBLAS_COMPUTE_32F_FAST_16BF), CudaBlas.GemmTypes.of(DType.F32, MatmulPrecision.MEDIUM));
    for (MatmulPrecision p : MatmulPrecision.values()) { // the precision only concerns F32
      assertEquals(new CudaBlas.GemmTypes(cudaDataType.CUDA_R_64F, cublasComputeType.CUBLAS_COMPUTE_64F), CudaBlas.GemmTypes.of(DType.F64, p));
      assertEquals(new CudaBlas.GemmTypes(cudaDataType.CUDA_R_16BF, cublasComputeType.CUBLAS_COMPUTE_32F), CudaBlas.GemmTypes.of(DType.BF16, p));
      assertEquals(new CudaBlas.GemmTypes(cudaDataType.CUDA_R_16F, cublasComputeType.CUBLAS_COMPUTE_32F), CudaBlas.GemmTypes.of(DType.F16, p));
    }
    var e = assertThrows(IllegalArgumentException.class, () -> CudaBlas.GemmTypes.of(DType.I64, MatmulPrecision.HIGHEST));
    assertEquals("no cuBLAS product for I64", e.getMessage());
  }

  private static String cType(DType t) {
    return switch (t) {
      case F32 -> "float";
      case F64 -> "double";
      case I64 -> "long long";
      case I32 -> "int";
      case U8, BOOL -> "unsigned char";
      default -> t.name().toLowerCase(java.util.Locale.ROOT);
    };
  }

  @Test
  void lowPrecisionProductsMayWriteTheirF32Accumulator() {
    assertEquals(cudaDataType.CUDA_R_32F, CudaBlas.GemmTypes.outputType(DType.BF16, DType.F32));
    assertEquals(cudaDataType.CUDA_R_32F, CudaBlas.GemmTypes.outputType(DType.F16, DType.F32));
    assertEquals(cudaDataType.CUDA_R_16BF, CudaBlas.GemmTypes.outputType(DType.BF16, DType.BF16));
    assertEquals(cudaDataType.CUDA_R_64F, CudaBlas.GemmTypes.outputType(DType.F64, DType.F64));
    var e = assertThrows(IllegalArgumentException.class, () -> CudaBlas.GemmTypes.outputType(DType.F32, DType.F64));
    assertEquals("no cuBLAS product of F32 operands into F64", e.getMessage());
  }

  @Test
  void lowPrecisionConvolutionsUnfoldAsSixteenBitPatternsAndFoldInF32() {
    for (DType t : new DType[] {DType.BF16, DType.F16}) {
      assertEquals("unfold_u16", KernelNames.unfold(false, t));
      var e = assertThrows(IllegalArgumentException.class, () -> KernelNames.unfold(true, t));
      assertEquals("conv.cu folds " + t + " gradients in F32", e.getMessage());
    }
    String source = CudaSources.read("conv.cu");
    assertTrue(source.contains("UNFOLD_KERNEL(unsigned short, u16)"));
  }

  @Test
  void float32PrecisionTakesTorchsNames() {
    MatmulPrecision before = MatmulPrecision.float32();
    try {
      MatmulPrecision.setFloat32("high");
      assertEquals(MatmulPrecision.HIGH, MatmulPrecision.float32());
      var e = assertThrows(IllegalArgumentException.class, () -> MatmulPrecision.setFloat32("tf32"));
      assertEquals("float32 matmul precision must be highest, high or medium, got 'tf32'", e.getMessage());
    } finally {
      MatmulPrecision.setFloat32(before.name());
    }
  }

  @Test
  void everyConversionTheBackendLaunchesIsDefined() {
    String source = CudaSources.read("elementwise.cu");
    assertTrue(source.contains("#define CONVERTIBLE(X) X(float, f32) X(double, f64) X(bf16, bf16) X(f16, f16) X(unsigned char, bool)"));
    int pairs = 0;
    for (DType from : DType.values())
      for (DType to : DType.values()) {
        if (!KernelNames.converts(from, to)) continue;
        pairs++;
        String name = KernelNames.convert(from, to), f = from.name().toLowerCase(java.util.Locale.ROOT), t = to.name().toLowerCase(java.util.Locale.ROOT);
        assertEquals("convert_" + f + "_" + t, name);
        String toType = cType(to), fromType = cType(from);
        boolean defined = to.floating || to == DType.BOOL ? source.contains("CONVERTIBLE(CONVERT_FROM_" + from.name() + ")")
            : from == DType.BOOL ? source.contains("CONVERT_KERNEL(unsigned char, bool, " + toType + ", " + t + ")")
            : !from.floating ? source.contains("INTEGER_KERNEL(" + fromType + ", " + f + ", " + toType + ", " + t + ")")
            : to == DType.U8 ? source.contains("TO_U8(" + fromType + ", " + f + ")")
            : source.contains("TO_INTEGERS(" + fromType + ", " + f + ")");
        assertTrue(defined, name);
      }
    // every pair of distinct dtypes, and the identities of the five CONVERTIBLE types (which the backend never launches)
    assertEquals(8 * 7 + 5, pairs);
    assertTrue(source.contains("#define TO_INTEGERS(FROM_T, FROM) CONVERT_KERNEL(FROM_T, FROM, long long, i64) CONVERT_KERNEL(FROM_T, FROM, int, i32)"));
    assertTrue(source.contains("out[i] = (unsigned char) narrow<long long>(widen(in[offset_of(lx, i)]));"), "floats to U8: saturate to long, keep the low byte");
    assertFalse(KernelNames.converts(DType.I64, DType.I64));
    var e = assertThrows(IllegalArgumentException.class, () -> KernelNames.convert(DType.I32, DType.I32));
    assertEquals("no CUDA conversion kernel from I32 to I32", e.getMessage());
  }

  @Test
  void comparisonsOfIntegerAndBoolTensorsHaveTheirKernels() {
    String source = CudaSources.read("elementwise.cu");
    assertTrue(source.contains("COMPARISON_OPS(BINARY_I64)") && source.contains("COMPARISON_OPS(BINARY_I32)"));
    for (org.tessera.tensor.BinaryOp op : org.tessera.tensor.BinaryOp.values()) {
      if (!op.producesBool()) continue;
      String name = op.name().toLowerCase(java.util.Locale.ROOT);
      assertTrue(source.contains("  X(" + name + ", (T) ("), name + " is in COMPARISON_OPS");
      assertEquals("binary_" + name + "_i64", KernelNames.binary(op, DType.I64));
    }
    assertTrue(source.contains("COMPARISON_OPS(BINARY_U8)"));
    assertEquals("binary_and_u8", KernelNames.binary(org.tessera.tensor.BinaryOp.AND, DType.BOOL));
    assertEquals("binary_lt_u8", KernelNames.binary(org.tessera.tensor.BinaryOp.LT, DType.U8));
  }

  /** The backend sends every dtype's comparisons and reductions to the device: each has its kernels instantiated. */
  @Test
  void everyDtypeHasItsComparisonAndReductionKernels() {
    String elementwise = CudaSources.read("elementwise.cu"), reduce = CudaSources.read("reduce.cu");
    for (DType t : DType.values()) {
      String suffix = KernelNames.binary(org.tessera.tensor.BinaryOp.EQ, t).substring("binary_eq_".length()).toUpperCase(java.util.Locale.ROOT);
      assertTrue(elementwise.contains("OPS(BINARY_" + suffix + ")"), t + ": comparisons");
      assertTrue(reduce.contains("REDUCE_OPS(REDUCE_" + suffix + ")"), t + ": reductions");
      assertEquals(KernelNames.reduce(ReduceOp.SUM, t).substring("reduce_sum_".length()), suffix.toLowerCase(java.util.Locale.ROOT));
    }
  }
}
