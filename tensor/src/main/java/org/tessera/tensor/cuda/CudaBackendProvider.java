package org.tessera.tensor.cuda;

import org.tessera.tensor.Backend;
import org.tessera.tensor.BackendProvider;
import org.tessera.tensor.Device;

/**
 * The {@code cuda} device type. This class names no JCuda type, so listing the providers never loads JCuda; the
 * driver is only touched when a cuda device is first asked for, and a machine without one gets an
 * IllegalStateException that says so (never an UnsatisfiedLinkError).
 */
public final class CudaBackendProvider implements BackendProvider {
  // a driver that failed to load fails the same way on every later try: remember the first reason, which is the clear one
  private static volatile String driverMissing;

  @Override public String type() {
    return "cuda";
  }

  @Override public Backend create(Device device) {
    if (driverMissing != null) throw new IllegalStateException(driverMissing);
    try {
      return CudaBackend.open(device);
    } catch (LinkageError e) {
      driverMissing = "no CUDA device: JCuda's native library could not be loaded (" + loadFailure(e) + ")";
      throw new IllegalStateException(driverMissing, e);
    } catch (RuntimeException e) {
      if (e.getMessage() != null && e.getMessage().startsWith("no CUDA device")) throw e;
      throw new IllegalStateException("no CUDA device: " + e.getMessage(), e);
    }
  }

  /** The line of JCuda's many-line report that says what is missing, such as "libcuda.so.1: cannot open shared object file". */
  static String loadFailure(Throwable e) {
    String message = String.valueOf(e.getMessage());
    for (String line : message.split("\n"))
      if (line.contains("cannot open shared object file")) return line.substring(line.indexOf(": ") + 2).trim();
    return message.lines().findFirst().orElse(message);
  }
}
