package org.tessera.tensor;

/**
 * Where a tensor lives and which backend computes on it: {@code cpu} (the Vector-API backend), {@code ref} (the
 * single-threaded reference backend, the specification), {@code cuda:N}.
 */
public record Device(String type, int index) {
  public static final Device CPU = new Device("cpu", 0);
  public static final Device REFERENCE = new Device("ref", 0);

  public Device {
    if (type == null || type.isEmpty() || !type.chars().allMatch(Character::isLetterOrDigit))
      throw new IllegalArgumentException("bad device type '" + type + "'");
    if (index < 0) throw new IllegalArgumentException("device index must be >= 0, got " + index);
  }

  /** Parses {@code "cpu"}, {@code "ref"}, {@code "cuda"} or {@code "cuda:1"}. */
  public static Device of(String spec) {
    int colon = spec.indexOf(':');
    if (colon < 0) return new Device(spec, 0);
    try {
      return new Device(spec.substring(0, colon), Integer.parseInt(spec.substring(colon + 1)));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("bad device '" + spec + "': expected TYPE or TYPE:INDEX, e.g. cuda:0");
    }
  }

  @Override public String toString() {
    return type.equals("cuda") ? type + ":" + index : type;
  }
}
