package org.tessera.autograd;

/** Whether ops record the graph on this thread. {@code try (var scope = GradMode.noGrad()) { … }} turns it off inside. */
public final class GradMode {
  private static final ThreadLocal<Boolean> ENABLED = ThreadLocal.withInitial(() -> true);

  private GradMode() {}

  public static boolean isEnabled() {
    return ENABLED.get();
  }

  /** A scope in which nothing is recorded (inference, optimizer steps); restores the previous mode on close. */
  public static Scope noGrad() {
    return set(false);
  }

  /** A scope in which recording is on again, e.g. inside a noGrad region. */
  public static Scope enableGrad() {
    return set(true);
  }

  private static Scope set(boolean enabled) {
    boolean previous = ENABLED.get();
    ENABLED.set(enabled);
    return () -> ENABLED.set(previous);
  }

  /** An AutoCloseable whose close throws nothing. */
  public interface Scope extends AutoCloseable {
    @Override void close();
  }
}
