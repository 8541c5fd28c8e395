package org.tessera.tensor.cuda;

import static jcuda.jcublas.JCublas2.cublasCreate;
import static jcuda.jcublas.JCublas2.cublasGemmStridedBatchedEx_new;
import static jcuda.jcublas.JCublas2.cublasSetStream;

import jcuda.Pointer;
import jcuda.cudaDataType;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasComputeType;
import jcuda.jcublas.cublasGemmAlgo;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;
import org.tessera.tensor.DType;
import org.tessera.tensor.MatmulPrecision;
import org.tessera.tensor.Tensor;

/** Batched matrix products through cuBLAS on the device's stream, row-major operands mapped by {@link BlasOperand}. */
final class CudaBlas {
  private final CudaContext context;
  private final cublasHandle handle = new cublasHandle();

  CudaBlas(CudaContext context) {
    this.context = context;
    context.makeCurrent();
    JCublas2.setExceptionsEnabled(true);
    cublasCreate(handle);
    cublasSetStream(handle, new cudaStream_t(context.stream));
  }

  /** out (B, M, N, contiguous) = a (B, M, K) · b (B, K, N); both operands readable in place ({@link BlasOperand#of} not null). */
  void multiply(Tensor a, Tensor b, CudaStorage out) {
    multiply(a, b, out, 0, (long) a.size(1) * b.size(2), false);
  }

  /**
   * Matrix b of out, from element {@code outOffset + b·outBatchStride} (each M×N, row-major, contiguous), = a·b, or
   * += a·b when {@code accumulate} (cuBLAS's beta = 1). out has the operands' dtype, or F32 for BF16/F16 operands
   * (the F32 accumulator stored unrounded: a convolution's gradients summed over images or folded in F32).
   */
  void multiply(Tensor a, Tensor b, CudaStorage out, long outOffset, long outBatchStride, boolean accumulate) {
    context.makeCurrent();
    int batch = a.size(0), m = a.size(1), k = a.size(2), n = b.size(2);
    BlasOperand opA = BlasOperand.of(m, k, a.stride(1), a.stride(2)), opB = BlasOperand.of(k, n, b.stride(1), b.stride(2));
    int transB = opB.transposed() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
    int transA = opA.transposed() ? cublasOperation.CUBLAS_OP_T : cublasOperation.CUBLAS_OP_N;
    // column-major Cᵀ (n×m, ld n) = op(B) · op(A)
    Pointer pb = ((CudaStorage) b.storage()).at(b.offset()), pa = ((CudaStorage) a.storage()).at(a.offset());
    long strideB = batch == 1 ? 0 : b.stride(0), strideA = batch == 1 ? 0 : a.stride(0);
    if (a.dtype() != b.dtype()) throw new IllegalArgumentException("cuBLAS product of " + a.dtype() + " and " + b.dtype());
    GemmTypes types = GemmTypes.of(a.dtype(), MatmulPrecision.float32());
    int outType = GemmTypes.outputType(a.dtype(), out.dtype());
    Pointer one = types.scalar(1), beta = types.scalar(accumulate ? 1 : 0);
    cublasGemmStridedBatchedEx_new(handle, transB, transA, n, m, k, one, pb, types.dataType(), opB.ld(), strideB, pa, types.dataType(), opA.ld(), strideA,
        beta, out.at(outOffset), outType, n, outBatchStride, batch, types.computeType(), cublasGemmAlgo.CUBLAS_GEMM_DEFAULT);
  }

  /**
   * cuBLAS's data type of a product's operands and result and its compute type: F64 in F64; F32 in F32, or on TF32
   * (precision "high") or BF16 (precision "medium") tensor cores; BF16 and F16 accumulating in F32.
   */
  record GemmTypes(int dataType, int computeType) {
    static GemmTypes of(DType dtype, MatmulPrecision float32) {
      return switch (dtype) {
        case F64 -> new GemmTypes(cudaDataType.CUDA_R_64F, cublasComputeType.CUBLAS_COMPUTE_64F);
        case F32 -> new GemmTypes(cudaDataType.CUDA_R_32F, switch (float32) {
          case HIGHEST -> cublasComputeType.CUBLAS_COMPUTE_32F;
          case HIGH -> cublasComputeType.CUBLAS_COMPUTE_32F_FAST_TF32;
          case MEDIUM -> cublasComputeType.CUBLAS_COMPUTE_32F_FAST_16BF;
        });
        case BF16 -> new GemmTypes(cudaDataType.CUDA_R_16BF, cublasComputeType.CUBLAS_COMPUTE_32F);
        case F16 -> new GemmTypes(cudaDataType.CUDA_R_16F, cublasComputeType.CUBLAS_COMPUTE_32F);
        default -> throw new IllegalArgumentException("no cuBLAS product for " + dtype);
      };
    }

    /** cuBLAS's data type of a product's result: the operands' own, or F32 for BF16/F16 operands (their accumulator type). */
    static int outputType(DType operands, DType out) {
      if (out == operands) return of(operands, MatmulPrecision.HIGHEST).dataType();
      if (out == DType.F32 && (operands == DType.BF16 || operands == DType.F16)) return cudaDataType.CUDA_R_32F;
      throw new IllegalArgumentException("no cuBLAS product of " + operands + " operands into " + out);
    }

    /** alpha or beta in the compute type's scalar type (double for F64, else float). */
    Pointer scalar(double value) {
      return computeType == cublasComputeType.CUBLAS_COMPUTE_64F ? Pointer.to(new double[] {value}) : Pointer.to(new float[] {(float) value});
    }
  }
}
