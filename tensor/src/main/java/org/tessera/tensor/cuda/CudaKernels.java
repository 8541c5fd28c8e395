package org.tessera.tensor.cuda;

import static jcuda.driver.JCudaDriver.cuLaunchKernel;
import static jcuda.driver.JCudaDriver.cuModuleGetFunction;
import static jcuda.driver.JCudaDriver.cuModuleLoadData;
import static jcuda.nvrtc.JNvrtc.nvrtcCompileProgram;
import static jcuda.nvrtc.JNvrtc.nvrtcCreateProgram;
import static jcuda.nvrtc.JNvrtc.nvrtcDestroyProgram;
import static jcuda.nvrtc.JNvrtc.nvrtcGetPTX;
import static jcuda.nvrtc.JNvrtc.nvrtcGetProgramLog;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import jcuda.CudaException;
import jcuda.Pointer;
import jcuda.driver.CUfunction;
import jcuda.driver.CUmodule;
import jcuda.nvrtc.JNvrtc;
import jcuda.nvrtc.nvrtcProgram;

/**
 * Our kernels on one device: each .cu source is compiled by NVRTC for the device's architecture at first use (or its
 * PTX read from the disk cache, {@link PtxCache}) and loaded as a module; functions are looked up once by name. A
 * compile error names the source and carries NVRTC's log.
 */
final class CudaKernels {
  private final CudaContext context;
  private final Map<String, CUmodule> modules = new ConcurrentHashMap<>();
  private final Map<String, CUfunction> functions = new ConcurrentHashMap<>();
  private final PtxCache cache = PtxCache.standard();

  CudaKernels(CudaContext context) {
    this.context = context;
  }

  /** Launches {@code name} from {@code source} on the device's stream with the given arguments (each a Pointer.to(..)). */
  void launch(String source, String name, Launch launch, Pointer... arguments) {
    context.makeCurrent();
    CUfunction f = functions.computeIfAbsent(source + "/" + name, key -> {
      CUfunction fn = new CUfunction();
      cuModuleGetFunction(fn, modules.computeIfAbsent(source, this::compile), name);
      return fn;
    });
    cuLaunchKernel(f, launch.blocks(), 1, 1, launch.threads(), 1, 1, 0, context.stream, Pointer.to(arguments), null);
  }

  /** The module of a source: its PTX from the disk cache, or compiled by NVRTC and cached. */
  private CUmodule compile(String source) {
    String text = CudaSources.read(source);
    String[] options = {"--gpu-architecture=" + context.architecture(), "--std=c++17"};
    String key = PtxCache.key(source, text, nvrtcVersion(), options);
    CUmodule module = new CUmodule();
    try {
      cuModuleLoadData(module, cache.get(key, () -> nvrtc(source, text, options)));
    } catch (CudaException e) { // a cached file this driver refuses (written by a newer NVRTC, or damaged): compile afresh
      cache.evict(key);
      cuModuleLoadData(module, cache.get(key, () -> nvrtc(source, text, options)));
    }
    return module;
  }

  private static String nvrtcVersion() {
    int[] major = {0}, minor = {0};
    JNvrtc.nvrtcVersion(major, minor);
    return "nvrtc " + major[0] + "." + minor[0];
  }

  private String nvrtc(String source, String text, String[] options) {
    JNvrtc.setExceptionsEnabled(true);
    nvrtcProgram program = new nvrtcProgram();
    nvrtcCreateProgram(program, text, source, 0, null, null);
    try {
      try {
        nvrtcCompileProgram(program, options.length, options);
      } catch (CudaException e) {
        String[] log = {""};
        nvrtcGetProgramLog(program, log);
        throw new IllegalStateException("NVRTC could not compile " + source + " for " + context.architecture() + ":\n" + log[0], e);
      }
      String[] ptx = {null};
      nvrtcGetPTX(program, ptx);
      return ptx[0];
    } finally {
      nvrtcDestroyProgram(program);
    }
  }
}
