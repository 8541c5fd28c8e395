package org.tessera.tensor;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.ServiceLoader;
import java.util.concurrent.ConcurrentHashMap;

/** Finds the backend of a device by its type name; a provider is only asked when its device is first used. */
public final class Backends {
  private static final Map<Device, Backend> CACHE = new ConcurrentHashMap<>();

  private Backends() {}

  public static Backend of(Device device) {
    Backend cached = CACHE.get(device);
    if (cached != null) return cached;
    return CACHE.computeIfAbsent(device, Backends::create);
  }

  private static Backend create(Device device) {
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class))
      if (p.type().equals(device.type())) return p.create(device);
    throw new IllegalArgumentException("no backend for device '" + device + "' (known: " + knownTypes() + ")");
  }

  public static List<String> knownTypes() {
    List<String> types = new ArrayList<>();
    for (BackendProvider p : ServiceLoader.load(BackendProvider.class)) types.add(p.type());
    return types;
  }

  /** The devices whose backend can be created here, for tests that run once per backend. */
  public static List<Device> available() {
    List<Device> out = new ArrayList<>();
    for (String type : knownTypes()) {
      Device d = new Device(type, 0);
      if (unavailableReason(d) == null) out.add(d);
    }
    return out;
  }

  /** Why a device's backend cannot be created here (cuda on a machine without a GPU), or null when it can. */
  public static String unavailableReason(Device device) {
    try {
      of(device);
      return null;
    } catch (RuntimeException e) {
      return e.getMessage();
    }
  }
}
