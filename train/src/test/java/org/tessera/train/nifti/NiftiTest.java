package org.tessera.train.nifti;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import java.util.zip.GZIPOutputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.tessera.tensor.DType;
import org.tessera.tensor.Tensor;

/** NIfTI files written by nibabel read back as nibabel reads them; ours read back identically; bad files fail by name. */
class NiftiTest {
  static final Path FIXTURES = Path.of("..", "fixtures", "nifti");
  static final JsonNode EXPECTED = expected();

  @TempDir Path tmp;

  private static JsonNode expected() {
    try {
      return new ObjectMapper().readTree(FIXTURES.resolve("expected.json").toFile());
    } catch (IOException e) {
      throw new java.io.UncheckedIOException(e);
    }
  }

  static Stream<String> fixtures() {
    List<String> names = new ArrayList<>();
    EXPECTED.fieldNames().forEachRemaining(names::add);
    return names.stream();
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void readsAsNibabelDoes(String name) throws IOException {
    JsonNode want = EXPECTED.get(name);
    NiftiImage img = Nifti.read(FIXTURES.resolve(name));
    NiftiHeader h = img.header();
    assertArrayEquals(ints(want.get("shape")), h.shape());
    assertEquals(want.get("dtype").asText(), h.type.nibabelName);
    assertArrayEquals(doubles(want.get("zooms")), h.spacing());
    assertEquals(want.get("sform_code").asInt(), h.sformCode);
    assertEquals(want.get("qform_code").asInt(), h.qformCode);
    // the qform goes through a quaternion, which nibabel evaluates in long double
    assertAffine(want.get("affine"), h.affine(), h.sformCode != 0 ? 0 : 1e-12);
    int[] reversed = h.shape().clone();
    for (int i = 0; i < reversed.length / 2; i++) {
      int t = reversed[i];
      reversed[i] = reversed[reversed.length - 1 - i];
      reversed[reversed.length - 1 - i] = t;
    }
    assertArrayEquals(reversed, img.raw().shape(), "the tensor is (z, y, x)");
    assertEquals(h.type.dtype, img.raw().dtype());
    assertArrayEquals(doubles(want.get("raw")), img.raw().toDoubleArray());
    assertArrayEquals(doubles(want.get("scaled")), img.scaled(DType.F64).toDoubleArray(), 1e-12);
  }

  @ParameterizedTest(name = "{0}")
  @MethodSource("fixtures")
  void writesWhatItReadsWithTheSameGeometry(String name) throws IOException {
    NiftiImage img = Nifti.read(FIXTURES.resolve(name));
    for (String ending : new String[] {".nii", ".nii.gz"}) {
      Path out = tmp.resolve("copy" + ending);
      Nifti.write(out, img.header(), img.raw());
      NiftiImage back = Nifti.read(out);
      assertArrayEquals(img.raw().toDoubleArray(), back.raw().toDoubleArray());
      assertArrayEquals(img.raw().shape(), back.raw().shape());
      assertEquals(img.header().type, back.header().type);
      assertEquals(img.header().version, back.header().version);
      for (int r = 0; r < 4; r++) assertArrayEquals(img.header().affine()[r], back.header().affine()[r], name);
      assertArrayEquals(img.header().spacing(), back.header().spacing());
      assertTrue(Files.list(tmp).noneMatch(p -> p.toString().endsWith(".tmp")), "no temporary file is left");
    }
  }

  @Test
  void aNewImageCarriesItsAffineInBothTransforms() throws IOException {
    double c = Math.cos(0.4), s = Math.sin(0.4);
    for (double flip : new double[] {1, -1}) {
      double[][] affine = {{0.8 * c, -0.8 * s, 0, -100.5}, {0.8 * s, 0.8 * c, 0, 20.25}, {0, 0, 2.5 * flip, 33}, {0, 0, 0, 1}};
      NiftiHeader h = Nifti.header(NiftiType.INT16, affine);
      Path out = tmp.resolve("new.nii.gz");
      Nifti.write(out, h, Tensor.of(new int[] {1, -2, 3, -4, 5, 6}, 1, 2, 3));
      NiftiHeader back = Nifti.read(out).header();
      assertArrayEquals(new int[] {3, 2, 1}, back.shape());
      assertArrayEquals(new double[] {0.8, 0.8, 2.5}, back.spacing(), 1e-6);
      assertEquals(flip, back.pixdim[0]);
      for (int r = 0; r < 4; r++) {
        assertArrayEquals(affine[r], back.affine()[r], 1e-5, "sform");
        assertArrayEquals(affine[r], back.qformAffine()[r], 1e-5, "qform");
      }
    }
  }

  @Test
  void badFilesAreErrorsNamingTheFileAndTheFault() throws IOException {
    byte[] good = Files.readAllBytes(FIXTURES.resolve("uint8_qform_only.nii"));
    assertFault(java.util.Arrays.copyOf(good, good.length - 5), "truncated: [4, 3, 2] uint8 voxels need 24 bytes from offset 352, the file has 19");
    assertFault(java.util.Arrays.copyOf(good, 200), "truncated: the NIfTI-1 header needs 348 bytes, the file has 200");
    assertFault(patch(good, b -> b.putInt(0, 123)), "not a NIfTI file (sizeof_hdr is 123, expected 348 for NIfTI-1 or 540 for NIfTI-2)");
    assertFault(patch(good, b -> b.put(344, (byte) 'x')), "bad NIfTI-1 magic 'x+1\\x00' (expected 'n+1')");
    assertFault(patch(good, b -> b.putShort(70, (short) 128).putShort(72, (short) 24)), "unsupported NIfTI datatype RGB24 (128)");
    assertFault(patch(good, b -> b.putShort(72, (short) 16)), "bitpix 16 disagrees with datatype uint8 (8 bits)");
    assertFault(patch(good, b -> b.putShort(40, (short) 0)), "dim[0] = 0 (the number of dimensions must be 1 to 7)");
    assertFault(patch(good, b -> b.putShort(44, (short) 30)), "truncated: [4, 30, 2] uint8 voxels need 240 bytes from offset 352, the file has 24");
    ByteArrayOutputStream gz = new ByteArrayOutputStream();
    try (GZIPOutputStream out = new GZIPOutputStream(gz)) {
      out.write(good);
    }
    byte[] zipped = gz.toByteArray();
    assertFault(java.util.Arrays.copyOf(zipped, zipped.length / 2), "corrupt gzip data (the compressed stream ends early: the file is truncated)");
    zipped[12] ^= 0x55;
    Path bad = tmp.resolve("bad.nii.gz");
    Files.write(bad, zipped);
    var e = assertThrows(IllegalArgumentException.class, () -> Nifti.read(bad));
    assertTrue(e.getMessage().startsWith(bad + ": corrupt gzip data"), e.getMessage());
  }

  @Test
  void valuesThatTheDatatypeCannotHoldAreErrors() {
    NiftiHeader h = Nifti.header(NiftiType.UINT8, new double[][] {{1, 0, 0, 0}, {0, 1, 0, 0}, {0, 0, 1, 0}, {0, 0, 0, 1}});
    Path out = tmp.resolve("labels.nii.gz");
    var e = assertThrows(IllegalArgumentException.class, () -> Nifti.write(out, h, Tensor.of(new int[] {0, 1, 256}, 3)));
    assertEquals(out + ": value 256 at element 2 is outside the range of uint8", e.getMessage());
    e = assertThrows(IllegalArgumentException.class, () -> Nifti.write(out, h, Tensor.of(new float[] {0, 1.5f}, 2)));
    assertEquals(out + ": value 1.5 at element 1 is not an integer, the datatype is uint8", e.getMessage());
    assertTrue(!Files.exists(out), "a failed write leaves no file");
  }

  private void assertFault(byte[] bytes, String fault) throws IOException {
    Path file = tmp.resolve("broken.nii");
    Files.write(file, bytes);
    var e = assertThrows(IllegalArgumentException.class, () -> Nifti.read(file));
    assertEquals(file + ": " + fault, e.getMessage());
  }

  private static byte[] patch(byte[] bytes, java.util.function.Consumer<ByteBuffer> change) {
    byte[] copy = bytes.clone();
    change.accept(ByteBuffer.wrap(copy).order(ByteOrder.LITTLE_ENDIAN));
    return copy;
  }

  static void assertAffine(JsonNode want, double[][] got, double tolerance) {
    for (int r = 0; r < 4; r++) assertArrayEquals(doubles(want.get(r)), got[r], tolerance, "affine row " + r);
  }

  static int[] ints(JsonNode a) {
    int[] out = new int[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).asInt();
    return out;
  }

  static double[] doubles(JsonNode a) {
    double[] out = new double[a.size()];
    for (int i = 0; i < out.length; i++) out[i] = a.get(i).asDouble();
    return out;
  }
}
