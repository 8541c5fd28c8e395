package org.tessera.tensor.cuda;

import static jcuda.jcublas.JCublas2.cublasCreate;
import static jcuda.jcublas.JCublas2.cublasDgemmStridedBatched;
import static jcuda.jcublas.JCublas2.cublasSetStream;
import static jcuda.jcublas.JCublas2.cublasSgemmStridedBatched;

import jcuda.Pointer;
import jcuda.jcublas.JCublas2;
import jcuda.jcublas.cublasHandle;
import jcuda.jcublas.cublasOperation;
import jcuda.runtime.cudaStream_t;
import org.tessera.tensor.DType;
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
   * += a·b when {@code accumulate} (cuBLAS's beta = 1).
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
    double beta = accumulate ? 1 : 0;
    if (a.dtype() == DType.F32) {
      cublasSgemmStridedBatched(handle, transB, transA, n, m, k, Pointer.to(new float[] {1f}), pb, opB.ld(), strideB, pa, opA.ld(), strideA,
          Pointer.to(new float[] {(float) beta}), out.at(outOffset), n, outBatchStride, batch);
    } else {
      cublasDgemmStridedBatched(handle, transB, transA, n, m, k, Pointer.to(new double[] {1}), pb, opB.ld(), strideB, pa, opA.ld(), strideA,
          Pointer.to(new double[] {beta}), out.at(outOffset), n, outBatchStride, batch);
    }
  }
}
