package org.tessera.tensor;

/** Makes the backend of one device type; registered through {@link java.util.ServiceLoader}. */
public interface BackendProvider {
  /** The device type this provider serves, such as {@code cpu}, {@code ref} or {@code cuda}. */
  String type();

  /** The backend of a device, or an exception that says why it is unavailable (for example: no CUDA device). */
  Backend create(Device device);
}
