package org.tessera.train.nnunet;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.tessera.tensor.Tensor;
import org.tessera.train.nifti.Nifti;
import org.tessera.train.nifti.NiftiHeader;
import org.tessera.train.nifti.NiftiType;

/** The phantom is a valid nnU-Net raw dataset; the validator lists every problem of a broken one; splits match nnU-Net's. */
class NnunetDatasetTest {
  @TempDir Path tmp;

  @Test
  void thePhantomIsAValidDatasetWithEveryOrganInEveryCase() throws Exception {
    Path dir = tmp.resolve(NnunetPaths.PHANTOM_NAME);
    PhantomDataset.generate(dir, 3, 1, 1);
    NnunetDataset ds = NnunetDataset.open(dir);
    assertEquals(List.of("CT"), ds.channelNames());
    assertArrayEquals(PhantomDataset.CLASSES, ds.classNames());
    assertEquals(List.of("phantom_000", "phantom_001", "phantom_002"), ds.training().stream().map(NnunetDataset.Case::name).toList());
    assertEquals(List.of(), DatasetValidator.problems(ds));
    NiftiHeader h = Nifti.readHeader(ds.training().get(0).images().get(0));
    assertArrayEquals(new int[] {128, 128, 40}, h.shape());
    assertArrayEquals(new double[] {0.75, 0.75, 2.5}, h.spacing());
    assertEquals(NiftiType.INT16, h.type);
    for (NnunetDataset.Case c : ds.training()) {
      Volume v = Volume.read(c.images());
      byte[] labels = Volume.readLabels(c.label(), v.shape(), 4);
      long[] counts = new long[4];
      double[] meanHu = new double[4];
      for (int i = 0; i < labels.length; i++) {
        counts[labels[i]]++;
        meanHu[labels[i]] += v.channels()[0][i];
      }
      for (int k = 1; k < 4; k++) assertTrue(counts[k] > 500, c.name() + " class " + k + ": " + counts[k] + " voxels");
      // the organs' intensities: liver ~62 HU, spleen 48, kidney 120-185
      assertEquals(62, meanHu[1] / counts[1], 6);
      assertEquals(48, meanHu[2] / counts[2], 4);
      assertTrue(meanHu[3] / counts[3] > 130, "kidney " + meanHu[3] / counts[3]);
    }
    assertTrue(Files.exists(dir.resolve("imagesTs/phantom_100_0000.nii.gz")) && Files.exists(dir.resolve("labelsTs/phantom_100.nii.gz")));
  }

  @Test
  void theValidatorListsEveryProblemInOneRun() throws Exception {
    Path dir = tmp.resolve("Dataset991_Broken");
    PhantomDataset.generate(dir, 4, 0, 2);
    Files.delete(dir.resolve("labelsTr/phantom_000.nii.gz"));
    Files.copy(dir.resolve("imagesTr/phantom_001_0000.nii.gz"), dir.resolve("imagesTr/phantom_001_0002.nii.gz"));
    double[][] affine = {{-0.75, 0, 0, 48}, {0, -0.75, 0, 48}, {0, 0, 3.0, -50}, {0, 0, 0, 1}};
    int[] labels = new int[40 * 128 * 128];
    labels[5] = 7;
    Nifti.write(dir.resolve("labelsTr/phantom_002.nii.gz"), Nifti.header(NiftiType.UINT8, affine), Tensor.of(labels, 40, 128, 128));
    Nifti.write(dir.resolve("labelsTr/phantom_003.nii.gz"), Nifti.header(NiftiType.UINT8, affine), Tensor.of(new int[20 * 128 * 128], 20, 128, 128));
    Files.writeString(dir.resolve("dataset.json"), Files.readString(dir.resolve("dataset.json")).replace("\"numTraining\": 4", "\"numTraining\": 5"));
    List<String> problems = DatasetValidator.problems(NnunetDataset.open(dir));
    Path labelsTr = dir.resolve("labelsTr");
    assertEquals(List.of(
        dir.resolve("dataset.json") + ": numTraining is 5 but imagesTr has 4 cases",
        "case phantom_000: no label file " + labelsTr.resolve("phantom_000.nii.gz"),
        "case phantom_001: channel files [0, 2] but dataset.json declares channels [0]",
        labelsTr.resolve("phantom_002.nii.gz") + ": spacing (z, y, x) [3.0, 0.75, 0.75] differs from its image's [2.5, 0.75, 0.75]",
        labelsTr.resolve("phantom_002.nii.gz") + ": label 7.0 at voxel 5 is outside the 4 classes of dataset.json",
        labelsTr.resolve("phantom_003.nii.gz") + ": spacing (z, y, x) [3.0, 0.75, 0.75] differs from its image's [2.5, 0.75, 0.75]",
        labelsTr.resolve("phantom_003.nii.gz") + ": label shape (z, y, x) [20, 128, 128] differs from its image's [40, 128, 128]"), problems);
  }

  @Test
  void a2dPngDatasetPlansAndPreparesAsSingleSliceVolumes() throws Exception {
    Path dir = tmp.resolve("Dataset120_Squares");
    Files.createDirectories(dir.resolve("imagesTr"));
    Files.createDirectories(dir.resolve("labelsTr"));
    for (int c = 0; c < 5; c++) {
      var image = new java.awt.image.BufferedImage(40, 32, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
      var mask = new java.awt.image.BufferedImage(40, 32, java.awt.image.BufferedImage.TYPE_BYTE_GRAY);
      for (int y = 8; y < 20; y++)
        for (int x = 5 + c; x < 25 + c; x++) {
          image.getRaster().setSample(x, y, 0, 200);
          mask.getRaster().setSample(x, y, 0, 1);
        }
      javax.imageio.ImageIO.write(image, "png", dir.resolve("imagesTr/sq_" + c + "_0000.png").toFile());
      javax.imageio.ImageIO.write(mask, "png", dir.resolve("labelsTr/sq_" + c + ".png").toFile());
    }
    Files.writeString(dir.resolve("dataset.json"), """
        {"channel_names": {"0": "rgb_to_0_1"}, "labels": {"background": 0, "square": 1}, "numTraining": 5, "file_ending": ".png"}
        """);
    NnunetDataset ds = NnunetDataset.open(dir);
    assertEquals(List.of(), DatasetValidator.problems(ds));
    Fingerprint fp = Fingerprint.compute(ds, new java.io.PrintStream(java.io.OutputStream.nullOutputStream()));
    Plan plan = Plan.create("Dataset120_Squares", ds, fp, null, 2);
    assertEquals(List.of("RGBTo01Normalization"), plan.normalization());
    // the non-zero box of the images is the square: 12 x 20 pixels, so the patch is 16 x 32
    assertArrayEquals(new int[] {16, 32}, plan.patchSize());
    Volume v = Volume.read(ds.training().get(0).images());
    assertArrayEquals(new int[] {1, 32, 40}, v.shape());
    Preprocessor.Prepared p = Preprocessor.prepare("sq_0", v, Volume.readLabels(ds.training().get(0).label(), v.shape(), 2), plan, 2);
    assertArrayEquals(new int[] {1, 12, 20}, p.shape());
    assertEquals(200 / 255f, p.data()[0][0], 1e-6);
  }

  @Test
  void splitsAreScikitLearnsShuffledKFoldWithNnunetsSeed() {
    // numpy: rs = RandomState(12345); idx = arange(n); rs.shuffle(idx)
    int[][] numpy = {{8, 0, 3, 7, 11, 10, 6, 9, 4, 1, 5, 2}, {6, 3, 4, 0, 1, 5, 2},
        {27, 12, 18, 3, 15, 8, 0, 25, 21, 20, 7, 6, 24, 23, 10, 13, 11, 19, 16, 26, 14, 17, 22, 28, 30, 29, 9, 4, 1, 5, 2}};
    for (int[] want : numpy) {
      int[] a = IntStream.range(0, want.length).toArray();
      new NumpyRandomState(12345).shuffle(a);
      assertArrayEquals(want, a);
    }
    List<String> cases = IntStream.range(0, 12).mapToObj(i -> String.format("case_%02d", i)).toList();
    List<Splits.Fold> folds = Splits.kFold(cases, 5, 12345);
    // fold sizes 3, 3, 2, 2, 2 over the shuffled order; each fold's validation cases sorted
    assertEquals(List.of("case_00", "case_03", "case_08"), folds.get(0).val());
    assertEquals(List.of("case_07", "case_10", "case_11"), folds.get(1).val());
    assertEquals(List.of("case_06", "case_09"), folds.get(2).val());
    assertEquals(List.of("case_01", "case_04"), folds.get(3).val());
    assertEquals(List.of("case_02", "case_05"), folds.get(4).val());
    for (Splits.Fold f : folds) {
      assertEquals(12, f.train().size() + f.val().size());
      assertTrue(f.train().stream().noneMatch(f.val()::contains));
    }
  }
}
