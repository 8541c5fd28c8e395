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

/**
 * The host side of lower-precision products on CUDA: cuBLAS's data and compute types per dtype and float32 matmul
 * precision, and the dtype conversions elementwise.cu defines (BF16/F16 casts for autocast, BOOL outputs of
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
  void everyConversionAmongFloatsAndBoolHasItsKernel() {
    String source = CudaSources.read("elementwise.cu");
    assertTrue(source.contains("#define CONVERTIBLE(X) X(float, f32) X(double, f64) X(bf16, bf16) X(f16, f16) X(unsigned char, bool)"));
    for (DType from : DType.values())
      for (DType to : DType.values()) {
        if (!KernelNames.convertible(from) || !KernelNames.convertible(to)) continue;
        String name = KernelNames.convert(from, to);
        assertTrue(name.matches("convert_(f32|f64|bf16|f16|bool)_(f32|f64|bf16|f16|bool)"), name);
        assertTrue(source.contains("CONVERTIBLE(CONVERT_FROM_" + from.name() + ")"), "conversions from " + from);
      }
    assertFalse(KernelNames.convertible(DType.I64) || KernelNames.convertible(DType.I32) || KernelNames.convertible(DType.U8));
    var e = assertThrows(IllegalArgumentException.class, () -> KernelNames.convert(DType.I32, DType.F32));
    assertEquals("no CUDA conversion kernel for I32", e.getMessage());
  }
}
