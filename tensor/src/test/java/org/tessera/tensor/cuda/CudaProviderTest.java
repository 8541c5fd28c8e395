package org.tessera.tensor.cuda;

import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;
import org.tessera.tensor.Backends;
import org.tessera.tensor.Device;

class CudaProviderTest {
  @Test
  void theProviderNamesNoJCudaTypeSoListingBackendsNeverLoadsJCuda() throws IOException {
    try (InputStream in = CudaBackendProvider.class.getResourceAsStream("CudaBackendProvider.class")) {
      String constantPool = new String(in.readAllBytes(), StandardCharsets.ISO_8859_1);
      assertFalse(constantPool.contains("jcuda/"), "CudaBackendProvider refers to a JCuda class");
    }
    assertTrue(Backends.knownTypes().contains("cuda"));
  }

  @Test
  void withoutADeviceAskingForOneIsAClearErrorEveryTime() {
    String reason = Backends.unavailableReason(Device.of("cuda:0"));
    assumeTrue(reason != null, "a CUDA device is present here");
    assertTrue(reason.startsWith("no CUDA device"), reason);
    // the second attempt says the same, not "Could not initialize class ..."
    assertTrue(Backends.unavailableReason(Device.of("cuda:0")).startsWith("no CUDA device"));
    assertFalse(Backends.available().contains(Device.of("cuda:0")));
  }
}
