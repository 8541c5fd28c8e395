package org.tessera.tensor.cuda;

import static jcuda.driver.JCudaDriver.cuMemAlloc;
import static jcuda.driver.JCudaDriver.cuMemFree;

import jcuda.CudaException;
import jcuda.driver.CUdeviceptr;
import jcuda.driver.CUresult;

/** Device memory from the driver (cuMemAlloc), for the caching allocator. */
final class DriverMemory implements DeviceMemory<CUdeviceptr> {
  private final CudaContext context;

  DriverMemory(CudaContext context) {
    this.context = context;
  }

  @Override public CUdeviceptr allocate(long bytes) {
    context.makeCurrent();
    CUdeviceptr p = new CUdeviceptr();
    try {
      cuMemAlloc(p, bytes);
      return p;
    } catch (CudaException e) {
      if (e.getMessage() != null && e.getMessage().contains(CUresult.stringFor(CUresult.CUDA_ERROR_OUT_OF_MEMORY))) return null;
      throw e;
    }
  }

  @Override public void free(CUdeviceptr memory) {
    context.makeCurrent();
    cuMemFree(memory);
  }

  @Override public long totalBytes() {
    return context.totalBytes;
  }
}
