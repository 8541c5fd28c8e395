package org.tessera.train.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.tensor.Generator;
import org.tessera.tensor.Tensor;

/**
 * Files we write read in nibabel with the same data and affine. Needs Debian's nibabel
 * ({@code apt-get install -y python3-nibabel}, run by /usr/bin/python3); skipped with a message where it is missing.
 */
class NibabelReadsOursTest {
  private static final String READER = """
      import json, sys
      import nibabel as nib
      img = nib.load(sys.argv[1])
      print(json.dumps({"shape": list(img.shape), "dtype": img.header.get_data_dtype().name,
          "affine": img.affine.tolist(), "qform": img.header.get_qform().tolist(),
          "data": img.get_fdata().flatten(order="F").tolist()}))
      """;

  @TempDir Path tmp;

  @Test
  void nibabelReadsTheSameDataAndAffine() throws Exception {
    Assumptions.assumeTrue(nibabelAvailable(), "skipped: /usr/bin/python3 with nibabel not found (apt-get install -y python3-nibabel)");
    double c = Math.cos(0.3), s = Math.sin(0.3);
    double[][] affine = {{0.7 * c, 0, 2.0 * s, -90}, {0, -0.7, 0, 120.5}, {-0.7 * s, 0, 2.0 * c, -33}, {0, 0, 0, 1}};
    Generator gen = new Generator(11);
    Tensor volume = Tensor.randn(gen, 4, 3, 5).mul(300).round();
    for (NiftiType type : new NiftiType[] {NiftiType.INT16, NiftiType.FLOAT32, NiftiType.FLOAT64}) {
      for (int version : new int[] {1, 2}) {
        NiftiHeader h = Nifti.header(type, affine);
        h.version = version;
        Path file = tmp.resolve(type.nibabelName + "_v" + version + ".nii.gz");
        Nifti.write(file, h, volume);
        JsonNode got = nibabel(file);
        assertArrayEquals(new int[] {5, 3, 4}, NiftiTest.ints(got.get("shape")));
        assertEquals(type.nibabelName, got.get("dtype").asText());
        // NIfTI-1 stores the transforms in float32
        double tolerance = version == 1 ? 1e-5 : 1e-12;
        NiftiTest.assertAffine(got.get("affine"), affine, tolerance);
        NiftiTest.assertAffine(got.get("qform"), affine, tolerance);
        assertArrayEquals(volume.toDoubleArray(), NiftiTest.doubles(got.get("data")));
      }
    }
  }

  private static boolean nibabelAvailable() {
    try {
      return new ProcessBuilder("/usr/bin/python3", "-c", "import nibabel").redirectErrorStream(true).start().waitFor() == 0;
    } catch (IOException | InterruptedException e) {
      return false;
    }
  }

  private static JsonNode nibabel(Path file) throws IOException, InterruptedException {
    Process p = new ProcessBuilder("/usr/bin/python3", "-c", READER, file.toString()).start();
    String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    String err = new String(p.getErrorStream().readAllBytes(), StandardCharsets.UTF_8);
    assertEquals(0, p.waitFor(), "nibabel failed on " + file + ": " + err);
    return new ObjectMapper().readTree(out);
  }
}
