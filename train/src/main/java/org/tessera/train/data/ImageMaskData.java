package org.tessera.train.data;

import java.util.ArrayList;
import java.util.List;
import org.tessera.train.run.TrainingData;

/** Image/mask folders for the trainer: augmented random crops; validation on every image, centre-cropped. */
public record ImageMaskData(List<ImageMaskDataset.Sample> train, List<ImageMaskDataset.Sample> val, int batchSize, int size) implements TrainingData {
  @Override public int channels() {
    return train.get(0).channels();
  }

  @Override public Batches.Maker trainBatches() {
    return gen -> Batches.make(train, batchSize, size, gen, true);
  }

  @Override public List<Batches.Batch> validation() {
    List<Batches.Batch> out = new ArrayList<>();
    for (int i = 0; i < val.size(); i += 8) {
      List<ImageMaskDataset.Sample> chunk = val.subList(i, Math.min(val.size(), i + 8));
      out.add(Batches.make(chunk, chunk.size(), size, null, false));
    }
    return out;
  }

  @Override public boolean emaBest() {
    return false;
  }
}
