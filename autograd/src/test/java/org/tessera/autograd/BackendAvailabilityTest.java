package org.tessera.autograd;

import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.util.stream.Stream;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.tensor.Backends;
import org.tessera.tensor.Device;

/**
 * The backend-parameterised suites (GradCheckTest, BackendParityTest, ParityFixturesTest) run on every backend
 * available here; this test reports each one that is not, as a skipped test that says why (cuda without a GPU).
 */
class BackendAvailabilityTest {
  static Stream<String> types() {
    return Backends.knownTypes().stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("types")
  void backendRunsTheSuitesHere(String type) {
    String reason = Backends.unavailableReason(new Device(type, 0));
    assumeTrue(reason == null, () -> type + " is skipped by the backend-parameterised suites: " + reason);
  }
}
