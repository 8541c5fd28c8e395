package org.tessera.train;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** {@code nifti-info}: one line per file as nib-ls would describe it; an unreadable file is an error line and exit 2. */
class NiftiInfoCommandTest {
  @TempDir Path tmp;

  @Test
  void printsShapeDtypeSpacingAndAffine() throws java.io.IOException {
    Path good = Path.of("..", "fixtures", "nifti", "int16_scaled.nii.gz"), bad = Files.writeString(tmp.resolve("notes.nii"), "hello, world");
    ByteArrayOutputStream out = new ByteArrayOutputStream(), err = new ByteArrayOutputStream();
    PrintStream stdout = System.out, stderr = System.err;
    int code;
    try {
      System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
      System.setErr(new PrintStream(err, true, StandardCharsets.UTF_8));
      code = new CommandLine(new Main()).execute("nifti-info", good.toString(), bad.toString());
    } finally {
      System.setOut(stdout);
      System.setErr(stderr);
    }
    // nibabel: shape (5, 4, 3), zooms (0.8, 0.8, 2.5), affine [[0.59967703 -0.5282793 0.11303827 -100.5] ...]
    assertEquals(good + " shape=[5,4,3] dtype=int16 spacing=[0.8,0.8,2.5] affine=[[0.599677,-0.528279,0.113038,-100.5],"
        + "[0.505101,0.554287,-0.870741,20.25],[0.158935,0.231704,2.34073,33],[0,0,0,1]]\n", out.toString(StandardCharsets.UTF_8));
    assertEquals("error: " + bad + ": not a NIfTI file (sizeof_hdr is 1819043176, expected 348 for NIfTI-1 or 540 for NIfTI-2)\n", err.toString(StandardCharsets.UTF_8));
    assertEquals(2, code);
  }
}
