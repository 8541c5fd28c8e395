package org.tessera.tensor;

/** Element conversion and copying between host storages. */
public final class HostStorages {
  private HostStorages() {}

  /** Copies {@code src[i]} into {@code dst[j]}, converting dtype as a torch cast does (integers exactly). */
  public static void convert(HostStorage src, int i, HostStorage dst, int j) {
    if (!src.dtype().floating && !dst.dtype().floating) dst.setLong(j, src.getLong(i));
    else dst.setDouble(j, src.getDouble(i));
  }

  /** A copy of a whole storage tagged with another host device. */
  public static HostStorage copyTo(HostStorage host, Device device) {
    Object array = host.array();
    Object copy = java.lang.reflect.Array.newInstance(array.getClass().getComponentType(), host.length());
    System.arraycopy(array, 0, copy, 0, host.length());
    return new HostStorage(host.dtype(), device, copy);
  }
}
