package org.tessera.tensor.cuda;

import static jcuda.driver.JCudaDriver.cuCtxSetCurrent;
import static jcuda.driver.JCudaDriver.cuDeviceGet;
import static jcuda.driver.JCudaDriver.cuDeviceGetAttribute;
import static jcuda.driver.JCudaDriver.cuDeviceGetCount;
import static jcuda.driver.JCudaDriver.cuDeviceGetName;
import static jcuda.driver.JCudaDriver.cuDevicePrimaryCtxRetain;
import static jcuda.driver.JCudaDriver.cuDeviceTotalMem;
import static jcuda.driver.JCudaDriver.cuInit;
import static jcuda.driver.JCudaDriver.cuStreamCreate;
import static jcuda.driver.JCudaDriver.cuStreamSynchronize;

import jcuda.driver.CUcontext;
import jcuda.driver.CUdevice;
import jcuda.driver.CUdevice_attribute;
import jcuda.driver.CUstream;
import jcuda.driver.CUstream_flags;
import jcuda.driver.JCudaDriver;

/**
 * One CUDA device as the backend uses it: its primary context, made current on whichever thread calls in, and one
 * stream on which every copy and kernel of the device is queued in order.
 */
final class CudaContext {
  final int index;
  final String name;
  final int multiprocessors, major, minor;
  final long totalBytes;
  final CUcontext context = new CUcontext();
  final CUstream stream = new CUstream();

  private CudaContext(int index) {
    JCudaDriver.setExceptionsEnabled(true);
    cuInit(0);
    int[] count = {0};
    cuDeviceGetCount(count);
    if (index >= count[0])
      throw new IllegalStateException(count[0] == 0 ? "no CUDA device: the driver reports none" : "no CUDA device " + index + ": this machine has " + count[0]);
    CUdevice device = new CUdevice();
    cuDeviceGet(device, index);
    byte[] nameBytes = new byte[256];
    cuDeviceGetName(nameBytes, nameBytes.length, device);
    this.index = index;
    this.name = new String(nameBytes, java.nio.charset.StandardCharsets.US_ASCII).trim().replace("\0", "");
    this.multiprocessors = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_MULTIPROCESSOR_COUNT);
    this.major = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MAJOR);
    this.minor = attribute(device, CUdevice_attribute.CU_DEVICE_ATTRIBUTE_COMPUTE_CAPABILITY_MINOR);
    long[] total = {0};
    cuDeviceTotalMem(total, device);
    this.totalBytes = total[0];
    cuDevicePrimaryCtxRetain(context, device);
    cuCtxSetCurrent(context);
    cuStreamCreate(stream, CUstream_flags.CU_STREAM_NON_BLOCKING);
  }

  /** Opens device {@code index}; throws when the driver cannot be loaded or has no such device. */
  static CudaContext open(int index) {
    return new CudaContext(index);
  }

  /** The context is current per thread: every entry point of the backend calls this first. */
  void makeCurrent() {
    cuCtxSetCurrent(context);
  }

  void synchronize() {
    cuStreamSynchronize(stream);
  }

  /** The NVRTC architecture option of this device, as {@code compute_90} for an H100. */
  String architecture() {
    return "compute_" + major + minor;
  }

  private static int attribute(CUdevice device, int attribute) {
    int[] value = {0};
    cuDeviceGetAttribute(value, attribute, device);
    return value[0];
  }
}
