package org.tessera.tensor.cpu;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The vendor is the first processor's vendor_id; a missing or unreadable file gives the defaults. */
class CpuVendorTest {
  @Test
  void readsTheFirstVendorId(@TempDir Path dir) throws IOException {
    Path cpuinfo = Files.writeString(dir.resolve("cpuinfo"),
        "processor\t: 0\nvendor_id\t: GenuineIntel\ncpu family\t: 6\n\nprocessor\t: 1\nvendor_id\t: AuthenticAMD\n");
    assertEquals("GenuineIntel", CpuVendor.read(cpuinfo));
  }

  @Test
  void aMissingFileOrFieldGivesNoVendor(@TempDir Path dir) throws IOException {
    assertEquals("", CpuVendor.read(dir.resolve("absent")));
    assertEquals("", CpuVendor.read(Files.writeString(dir.resolve("cpuinfo"), "processor\t: 0\nmodel name\t: a RISC-V core\n")));
  }
}
