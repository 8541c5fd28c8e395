package org.tessera.train.nnunet;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import org.tessera.train.nifti.Nifti;
import org.tessera.train.nifti.NiftiHeader;

/**
 * Checks a raw dataset and lists every problem in one run: the number of cases against {@code numTraining}, missing
 * or extra channel files, missing labels, unreadable files, shapes or spacings that differ between a case's images and
 * its label, and label values outside {@code labels}.
 */
public final class DatasetValidator {
  private DatasetValidator() {}

  public static List<String> problems(NnunetDataset ds) {
    Integer numTraining = ds.numTraining();
    List<String> out = new ArrayList<>();
    if (ds.training().isEmpty()) out.add(ds.dir().resolve("imagesTr") + ": no training images ending in " + ds.fileEnding());
    if (numTraining != null && numTraining != ds.training().size())
      out.add(ds.dir().resolve("dataset.json") + ": numTraining is " + numTraining + " but imagesTr has " + ds.training().size() + " cases");
    int channels = ds.channelNames().size();
    for (NnunetDataset.Case c : ds.training()) {
      List<Integer> want = java.util.stream.IntStream.range(0, channels).boxed().toList();
      if (!c.channelIds().equals(want))
        out.add("case " + c.name() + ": channel files " + c.channelIds() + " but dataset.json declares channels " + want);
      if (c.label() == null || !Files.exists(c.label())) {
        out.add("case " + c.name() + ": no label file " + (c.label() == null ? ds.dir().resolve("labelsTr").resolve(c.name() + ds.fileEnding()) : c.label()));
        continue;
      }
      try {
        int[] shape = null;
        double[] spacing = null;
        for (Path image : c.images()) {
          int[] s;
          double[] sp;
          if (Nifti.isNifti(image)) {
            NiftiHeader h = Nifti.readHeader(image);
            s = Volume.zyx(h, image);
            sp = Volume.zyxSpacing(h);
          } else {
            s = Volume.read(List.of(image)).shape();
            sp = new double[] {1, 1, 1};
          }
          if (shape == null) {
            shape = s;
            spacing = sp;
          } else if (!Arrays.equals(shape, s)) out.add(image + ": shape (z, y, x) " + Arrays.toString(s) + " differs from channel 0's " + Arrays.toString(shape));
        }
        Volume label = Volume.read(List.of(c.label()));
        if (Nifti.isNifti(c.label())) {
          double[] labelSpacing = label.spacing();
          for (int i = 0; i < 3; i++)
            if (Math.abs(labelSpacing[i] - spacing[i]) > 1e-4 * Math.max(1, Math.abs(spacing[i])))
              out.add(c.label() + ": spacing (z, y, x) " + Arrays.toString(labelSpacing) + " differs from its image's " + Arrays.toString(spacing));
        }
        Volume.labels(label, shape, ds.numClasses(), c.label());
      } catch (IllegalArgumentException | IOException e) {
        out.add(e instanceof java.nio.file.NoSuchFileException ? e.getMessage() + ": no such file" : e.getMessage());
      }
    }
    return out;
  }
}
